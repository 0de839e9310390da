import type { Plugin } from "esbuild";

/** Module → why a Lambda never runs it (plugin.mjs). */
export declare const STUBBED: Readonly<Record<string, string>>;
/** Points Bolt's requires of STUBBED modules at stubs that throw when used. */
export declare const stubUnusedModules: Plugin;
/** The plugins SST's `nodejs.plugins` file exports. */
declare const plugins: Plugin[];
export default plugins;
