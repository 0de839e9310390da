/** Bundling facts shared by the stack and the bundle benchmark, so both bundle the same way. */

/** The AWS SDK v3 that the nodejs24.x Lambda runtime provides; functions do not bundle it. */
export const RUNTIME_PROVIDED = ["@aws-sdk/*"] as const;

/**
 * The esbuild plugins file, relative to the project root (where SST runs): it stubs what Bolt's entry
 * point requires for receivers a Lambda never builds (stacks/stubs/plugin.mjs). SST v4 passes no
 * `alias` or `plugins` inside `nodejs.esbuild` to esbuild (only target, sourcemap, keepNames, define,
 * external, nodePaths, mainFields, conditions: pkg/runtime/node/node.go `ESBuildOptions`); a plugins
 * file given as `nodejs.plugins` is the one way in (pkg/runtime/node/build.go, plugin.go).
 */
export const PLUGINS_FILE = "stacks/stubs/plugin.mjs";

/**
 * SST's `nodejs` options for every function; bench/sst-esbuild.ts turns them into esbuild options
 * exactly as SST does, so the bench and the tests build what deploys. `sourcemap: true` ships the map
 * beside the bundle (SST leaves it out by default, .sst/platform/src/components/aws/function.ts
 * `nodejs.sourcemap`), which is what `--enable-source-maps` reads; the cold-start cost of loading it is
 * in the Slack bench.
 */
export const NODEJS_OPTIONS = {
  minify: true,
  sourcemap: true,
  plugins: PLUGINS_FILE,
  esbuild: { external: [...RUNTIME_PROVIDED] },
};

/** Environment every function gets. */
export const FUNCTION_ENVIRONMENT = { NODE_OPTIONS: "--enable-source-maps" };
