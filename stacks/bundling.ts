/** Bundling facts shared by the stack and the bundle benchmark, so both bundle the same way. */

/** The AWS SDK v3 that the nodejs24.x Lambda runtime provides; functions do not bundle it. */
export const RUNTIME_PROVIDED = ["@aws-sdk/*"] as const;

/**
 * SST's `nodejs` options for every function. `sourcemap: true` ships the map beside the bundle (SST
 * leaves it out by default, .sst/platform/src/components/aws/function.ts `nodejs.sourcemap`), which is
 * what `--enable-source-maps` reads; the cold-start cost of loading it is in the Slack bench.
 */
export const NODEJS_OPTIONS = {
  minify: true,
  sourcemap: true,
  esbuild: { external: [...RUNTIME_PROVIDED] },
};

/** Environment every function gets. */
export const FUNCTION_ENVIRONMENT = { NODE_OPTIONS: "--enable-source-maps" };
