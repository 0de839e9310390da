/**
 * Bundle sizes and cold starts of every Lambda entry point (stacks/entries.ts FUNCTION_ENTRIES), each
 * built from the stack's own NODEJS_OPTIONS the way SST builds it (bench/sst-esbuild.ts): minified
 * ESM, the AWS SDK left to the runtime, Bolt's unused receivers stubbed (stacks/stubs/plugin.mjs).
 * `npm run bench -- --only bundles` re-runs just this part.
 */
import { mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { NODEJS_OPTIONS } from "../stacks/bundling.ts";
import { DEFAULT_MEMORY, entryFile, FUNCTION_ENTRIES, type FunctionName } from "../stacks/entries.ts";
import { coldStart, prepareProbe } from "./cold-start.ts";
import { BENCH_SIGNING_SECRET, command, signed } from "./slack-events.ts";
import { PROJECT_ROOT, type SstNodejsOptions, sstBuildOptions } from "./sst-esbuild.ts";

/** The largest a bundle may be (issue 14): minified JavaScript, the source map not counted. */
export const BUNDLE_LIMIT_KB = 300;

/** The entry points the stack deploys. */
export const entryPoints = (): string[] => (Object.keys(FUNCTION_ENTRIES) as FunctionName[]).map(entryFile);

export interface BundleResult {
  function: string;
  bytes: number;
  kb: number;
  inputs: string[];
}

/** Bundles one entry point with the stack's options; returns its size and the packages inside it. */
export async function bundle(
  entry: string,
  outdir: string,
  nodejs: SstNodejsOptions = NODEJS_OPTIONS,
): Promise<BundleResult & { file: string }> {
  const name = entry.replace(/^functions\//, "").replace(/\.ts$/, "");
  const file = join(outdir, `${name}.mjs`);
  const result = await build(await sstBuildOptions(nodejs, entry, file));
  const meta = result.metafile as Metafile;
  const js = Object.entries(meta.outputs).find(([path]) => path.endsWith(".mjs"))?.[1];
  if (!js) throw new Error(`esbuild wrote no .mjs for ${entry}`);
  const packages = new Set(
    Object.keys(js.inputs)
      .map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1])
      .filter((p): p is string => p !== undefined),
  );
  return {
    function: name,
    bytes: js.bytes,
    kb: Math.round(js.bytes / 102.4) / 10,
    inputs: [...packages].sort(),
    file,
  };
}

/**
 * The event a cold probe answers. Slack: a signed `/access help`, answered by Bolt after checking the
 * signature, with no AWS or Slack call. Every other function: a string where its schema wants an
 * object, which the handler rejects after loading everything it imports; its AWS clients and config
 * are built on first real use, so that part of a first real invocation is not in the number.
 */
export function probeEvent(name: FunctionName): unknown {
  if (name === "slack") return signed(command("U01ALICE", "help", "cold"));
  return "cold-start probe: not an event";
}

/** Every function's bundle, and `runs` cold starts of each. */
export async function measureBundles(runs = 5) {
  // Inside the repo, so the externals resolve from node_modules as the runtime's own SDK would.
  const measuredAt = new Date().toISOString();
  const outdir = join(PROJECT_ROOT, "node_modules/.cache/jit-bundles/");
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  // One at a time: the build is CPU-bound and the machine may be busy.
  const built = [];
  for (const name of names) built.push({ name, ...(await bundle(entryFile(name), outdir)) });
  const env = prepareProbe(outdir, { signingSecret: BENCH_SIGNING_SECRET, botToken: "xoxb-bench" });
  const functions = built.map(({ name, file, ...result }) => {
    const spec = FUNCTION_ENTRIES[name];
    const memoryMb = Number.parseInt("memory" in spec ? spec.memory : DEFAULT_MEMORY, 10);
    return {
      ...result,
      cold: coldStart(outdir, env, { file, name, memoryMb, event: probeEvent(name) }, runs),
    };
  });
  return {
    measuredAt,
    // Other work on the machine stretches wall times; CPU time much less.
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    limitKb: BUNDLE_LIMIT_KB,
    functions: functions.sort((a, b) => b.bytes - a.bytes),
  };
}

/** The bundles section of bench/results/summary.md. */
export function bundlesSummary(results: Awaited<ReturnType<typeof measureBundles>>): string[] {
  const runs = results.functions[0]?.cold.runs ?? 0;
  return [
    `## Lambda bundles (built as SST builds them from stacks/bundling.ts; limit ${results.limitKb} KB) and cold starts`,
    "",
    `Measured ${results.measuredAt}, load average ${results.loadAverage.join(", ")} at the end. Cold start: a fresh Node process (\`--enable-source-maps\`) imports the bundle and answers one event, the AWS SDK loaded from node_modules as the runtime provides it; median of ${runs} runs, CPU is user + system. Slack answers a signed \`/access help\` (signature checked, no AWS call); every other function gets a string where its schema wants an object and rejects it, so its AWS clients and config, built on first real use, are not in the number.`,
    "",
    "| function | KB | import ms | first answer ms | total ms | CPU ms | RSS MB | answered | packages inside |",
    "|---|---|---|---|---|---|---|---|---|",
    ...results.functions.map(
      (b) =>
        `| ${b.function} | ${b.kb} | ${b.cold.importMs} | ${b.cold.answerMs} | ${b.cold.totalMs} | ${b.cold.cpuMs} | ${b.cold.rssMb} | ${b.cold.outcome} | ${b.inputs.join(", ")} |`,
    ),
    "",
  ];
}

/** `summary` with its bundles section (from "## Lambda bundles" to the next heading) replaced by `section`. */
export function replaceSection(summary: string, section: string[]): string {
  const lines = summary.split("\n");
  const start = lines.findIndex((l) => l.startsWith("## Lambda bundles"));
  if (start === -1) return `${summary.trimEnd()}\n\n${section.join("\n")}\n`;
  const next = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  const end = next === -1 ? lines.length : next;
  return [...lines.slice(0, start), ...section, ...lines.slice(end)].join("\n");
}
