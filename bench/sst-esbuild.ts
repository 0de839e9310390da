/**
 * The esbuild options SST v4 builds a `nodejs` function with, from the same `nodejs` options the stack
 * passes (stacks/bundling.ts NODEJS_OPTIONS), so the bench and the bundle tests build what deploys.
 * SST builds in Go; this follows its pkg/runtime/node/build.go and node.go (v4.17, unchanged since
 * v4.17.0: https://github.com/anomalyco/sst/blob/dev/pkg/runtime/node/build.go):
 *  - target from the runtime (nodejs24.x → es2024), ESM, platform node, `keepNames` on unless set,
 *    `mainFields` module then main, a linked source map, its createRequire/__dirname banner;
 *  - `minify` turns on whitespace, syntax and identifier minification;
 *  - external: sharp and pg-native, `install`, then `esbuild.external`;
 *  - of `esbuild`, only the keys below reach esbuild; Go's JSON decoding drops any other (`alias`,
 *    `plugins`, `inject`, `banner`) without a word, so this refuses them rather than measure a build
 *    that would not deploy;
 *  - `plugins` names a file whose default export is a list of plugins. SST runs it in a separate Node
 *    process; here it is imported, and test/unit/stacks/sst-plugins.test.ts holds the two to the same
 *    output through SST's own runner.
 */
import { resolve } from "node:path";
import type { BuildOptions, Loader, Plugin } from "esbuild";

/** Where SST runs, and where `plugins` and handler paths are relative to. */
export const PROJECT_ROOT = new URL("..", import.meta.url).pathname;

/** The subset of SST's `nodejs` function options that its Go builder reads. */
export interface SstNodejsOptions {
  minify?: boolean;
  sourcemap?: boolean;
  format?: "esm" | "cjs";
  banner?: string;
  plugins?: string;
  loader?: Record<string, Loader>;
  install?: string[] | Record<string, string>;
  esbuild?: {
    target?: string;
    sourcemap?: boolean | "inline" | "linked" | "external" | "both";
    keepNames?: boolean;
    define?: Record<string, string>;
    external?: string[];
    nodePaths?: string[];
    mainFields?: string[];
    conditions?: string[];
  };
}

const READ = ["minify", "sourcemap", "format", "banner", "plugins", "loader", "install", "esbuild"];
const READ_ESBUILD = [
  "target",
  "sourcemap",
  "keepNames",
  "define",
  "external",
  "nodePaths",
  "mainFields",
  "conditions",
];
const RUNTIME_TARGET: Record<string, string> = { "nodejs24.x": "es2024", "nodejs22.x": "es2023" };
// SST's esTargetMap: a target outside it falls back to the runtime's.
const KNOWN_TARGETS = /^(esnext|es5|es6|es20(1[5-9]|2[0-3]))$/;
const FORCE_EXTERNAL = ["sharp", "pg-native"];
const BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
];

/** An option SST would not pass to esbuild: the bench refuses to pretend it does. */
export class UnsupportedBundlingOptionError extends Error {
  override name = "UnsupportedBundlingOptionError";
}

function refuseUnread(options: object, read: string[], where: string) {
  const unread = Object.keys(options).filter((k) => !read.includes(k));
  if (unread.length > 0)
    throw new UnsupportedBundlingOptionError(
      `${where}: ${unread.join(", ")} never reaches esbuild in SST v4 (read: ${read.join(", ")}); use a plugins file instead`,
    );
}

/** The plugins a `nodejs.plugins` file exports, loaded the way SST's runner loads them. */
export async function loadPlugins(file: string | undefined): Promise<Plugin[]> {
  if (file === undefined) return [];
  const loaded = (await import(resolve(PROJECT_ROOT, file))) as { default?: unknown };
  if (!Array.isArray(loaded.default))
    throw new UnsupportedBundlingOptionError(`${file} must export a list of esbuild plugins as default`);
  return loaded.default as Plugin[];
}

/** esbuild options for one entry point, as SST would build it for `runtime`. */
export async function sstBuildOptions(
  nodejs: SstNodejsOptions,
  entry: string,
  outfile: string,
  runtime = "nodejs24.x",
): Promise<BuildOptions> {
  refuseUnread(nodejs, READ, "nodejs");
  const es = nodejs.esbuild ?? {};
  refuseUnread(es, READ_ESBUILD, "nodejs.esbuild");
  const fallback = RUNTIME_TARGET[runtime];
  if (!fallback) throw new UnsupportedBundlingOptionError(`runtime ${runtime} is not one this bench knows`);
  const target =
    es.target && KNOWN_TARGETS.test(es.target.toLowerCase()) ? es.target.toLowerCase() : fallback;
  const install = Array.isArray(nodejs.install) ? nodejs.install : Object.keys(nodejs.install ?? {});
  // Linked unless `esbuild.sourcemap` says otherwise; `nodejs.sourcemap` decides whether it ships.
  const sourcemap =
    nodejs.sourcemap === false || es.sourcemap === undefined || es.sourcemap === true
      ? "linked"
      : es.sourcemap;
  const cjs = nodejs.format === "cjs";
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [resolve(PROJECT_ROOT, entry)],
    outfile,
    platform: "node",
    bundle: true,
    format: cjs ? "cjs" : "esm",
    target,
    external: [...FORCE_EXTERNAL, ...install, ...(es.external ?? [])],
    loader: nodejs.loader ?? {},
    keepNames: es.keepNames ?? true,
    minify: nodejs.minify === true,
    sourcemap,
    mainFields: es.mainFields?.length ? es.mainFields : cjs ? ["main"] : ["module", "main"],
    ...(es.conditions?.length ? { conditions: es.conditions } : {}),
    ...(es.nodePaths ? { nodePaths: es.nodePaths } : {}),
    ...(es.define ? { define: es.define } : {}),
    banner: { js: cjs ? (nodejs.banner ?? "") : [...BANNER, nodejs.banner ?? ""].join("\n") },
    plugins: await loadPlugins(nodejs.plugins),
    metafile: true,
    logLevel: "silent",
  };
}
