/**
 * Bundle sizes: each Lambda entry point bundled and minified with esbuild the way SST does (ESM,
 * Node 24, everything bundled, the AWS SDK included), and the cold import time of the largest in a
 * fresh Node process.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { RUNTIME_PROVIDED } from "../stacks/bundling.ts";
import { entryFile, FUNCTION_ENTRIES, type FunctionName } from "../stacks/entries.ts";

/** The entry points the stack deploys. */
export const entryPoints = (): string[] => (Object.keys(FUNCTION_ENTRIES) as FunctionName[]).map(entryFile);

export interface BundleResult {
  function: string;
  bytes: number;
  kb: number;
  inputs: string[];
}

/** Bundles one entry point; returns its size and the packages inside it. */
export async function bundle(
  entry: string,
  outdir: string,
  external: string[] = [...RUNTIME_PROVIDED],
): Promise<BundleResult & { file: string }> {
  const name = entry.replace(/^functions\//, "").replace(/\.ts$/, "");
  const file = join(outdir, `${name}.mjs`);
  const result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node24",
    format: "esm",
    metafile: true,
    logLevel: "silent",
    external,
    // What SST prepends so bundled CommonJS dependencies can still call require().
    banner: {
      js: 'import { createRequire as topLevelCreateRequire } from "module"; const require = topLevelCreateRequire(import.meta.url);',
    },
  });
  const meta = result.metafile as Metafile;
  const bytes = Object.values(meta.outputs).reduce((sum, o) => sum + o.bytes, 0);
  const packages = new Set(
    Object.keys(meta.inputs)
      .map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1])
      .filter((p): p is string => p !== undefined),
  );
  return { function: name, bytes, kb: Math.round(bytes / 102.4) / 10, inputs: [...packages].sort(), file };
}

/** Every function's bundle, and how long a fresh process takes to import and initialize the largest. */
export async function measureBundles() {
  // Inside the repo, so the externals resolve from node_modules as the runtime's own SDK would.
  const outdir = new URL("../node_modules/.cache/jit-bundles/", import.meta.url).pathname;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const results = await Promise.all(entryPoints().map((e) => bundle(e, outdir)));
  const largest = results.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const probe = join(outdir, "probe.mjs");
  writeFileSync(
    probe,
    `const t = performance.now(); await import(${JSON.stringify(largest.file)}); console.log((performance.now() - t).toFixed(1));`,
  );
  const runs = Array.from({ length: 5 }, () =>
    Number(execFileSync(process.execPath, [probe], { encoding: "utf8" }).trim()),
  );
  return {
    functions: results.map(({ file: _f, ...r }) => r).sort((a, b) => b.bytes - a.bytes),
    largest: largest.function,
    coldImportMs: { runs, median: [...runs].sort((a, b) => a - b)[2] },
  };
}
