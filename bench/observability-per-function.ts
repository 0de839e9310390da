/**
 * What the observability layer costs each function, measured at one commit: every function bundled
 * twice the way SST bundles it (bench/sst-esbuild.ts), as deployed and with the two Powertools
 * adapters (adapters/observability/logger.ts, metrics.ts) replaced by no-op stand-ins; then cold runs
 * of the two in alternation (bench/cold-start.ts), `rounds` times. Other changes between commits do
 * not blur the number, and both sides of a pair see the same machine load.
 *
 *   node bench/observability-per-function.ts 15
 *
 * `npm run bench -- --only observability` runs it too (bench/run.ts, 15 rounds): results in
 * bench/results/observability.json and a section of summary.md.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { NODEJS_OPTIONS } from "../stacks/bundling.ts";
import { DEFAULT_MEMORY, entryFile, FUNCTION_ENTRIES, type FunctionName } from "../stacks/entries.ts";
import { probeEvent } from "./bundles.ts";
import { type ColdSample, coldRun, prepareProbe } from "./cold-start.ts";
import { BENCH_SIGNING_SECRET } from "./slack-events.ts";
import { PROJECT_ROOT, sstBuildOptions } from "./sst-esbuild.ts";

/** The 30 ms cold-start budget of issue 17: the paired difference a function may grow by. */
export const COLD_START_BUDGET_MS = 30;

export interface ObservabilityRow {
  name: FunctionName;
  kbWithout: number;
  kbWith: number;
  totalMsWithout: number;
  totalMsWith: number;
  cpuMsWithout: number;
  cpuMsWith: number;
  /** Median over rounds of (with − without), each pair run back to back. */
  pairedDeltaTotalMs: number;
  pairedDeltaCpuMs: number;
  /** The 25th and 75th percentiles of the paired differences (wall): how much the machine moved them. */
  pairedDeltaTotalIqrMs: [number, number];
  withinBudget: boolean;
}
export interface ObservabilityResult {
  /** When the measurement started, and the load average then (other work moves wall times). */
  at: string;
  loadAverage: number[];
  rounds: number;
  budgetMs: number;
  outcomes: string[];
  rows: ObservabilityRow[];
}

const quantile = (xs: number[], q: number) =>
  Math.round(([...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q + 0.5)] ?? 0) * 10) / 10;
const median = (xs: number[]) =>
  Math.round(([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0) * 10) / 10;

export async function measureObservability(rounds: number): Promise<ObservabilityResult> {
  const at = new Date().toISOString();
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  const cache = join(PROJECT_ROOT, "node_modules/.cache/observability-per-function");
  const dirs = { with: join(cache, "with"), without: join(cache, "without") } as const;
  const stubs = join(cache, "stubs");
  for (const d of [...Object.values(dirs), stubs]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  // The adapters' exports, doing nothing: the domain's lines fall back to plain console JSON.
  writeFileSync(
    join(stubs, "logger.ts"),
    `export const logger = {};
export const powertoolsSink = undefined;
export const loggerMiddleware = () => ({ before: () => {} });
export function registerSecrets() {}
export function useLambdaLogging() {}`,
  );
  writeFileSync(
    join(stubs, "metrics.ts"),
    `export class EmfMetrics { record() {} }
export function lambdaMetrics() { return new EmfMetrics(); }
export const metricsMiddleware = () => ({ before: () => {} });`,
  );
  const withoutObservability: Plugin = {
    name: "without-observability",
    setup(b) {
      b.onResolve({ filter: /observability\/(logger|metrics)\.ts$/ }, (args) => ({
        path: join(stubs, args.path.endsWith("logger.ts") ? "logger.ts" : "metrics.ts"),
      }));
    },
  };

  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  type Side = keyof typeof dirs;
  const built = {} as Record<FunctionName, Record<Side, { file: string; kb: number }>>;
  for (const name of names) {
    built[name] = {} as Record<Side, { file: string; kb: number }>;
    for (const side of ["with", "without"] as const) {
      const file = join(dirs[side], `${name}.mjs`);
      const options = await sstBuildOptions(NODEJS_OPTIONS, entryFile(name), file);
      if (side === "without") options.plugins = [withoutObservability, ...(options.plugins ?? [])];
      const meta = (await build(options)).metafile as Metafile;
      const js = Object.entries(meta.outputs).find(([path]) => path.endsWith(".mjs"))?.[1];
      built[name][side] = { file, kb: Math.round((js?.bytes ?? 0) / 102.4) / 10 };
    }
  }
  const secrets = { signingSecret: BENCH_SIGNING_SECRET, botToken: "xoxb-bench" };
  const env = { with: prepareProbe(dirs.with, secrets), without: prepareProbe(dirs.without, secrets) };
  const samples = Object.fromEntries(
    names.map((n) => [n, { with: [] as ColdSample[], without: [] as ColdSample[] }]),
  ) as Record<FunctionName, Record<Side, ColdSample[]>>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const spec = FUNCTION_ENTRIES[name];
      const memoryMb = Number.parseInt("memory" in spec ? spec.memory : DEFAULT_MEMORY, 10);
      for (const side of ["without", "with"] as const) {
        const run = { file: built[name][side].file, name, memoryMb, event: probeEvent(name) };
        samples[name][side].push(coldRun(dirs[side], env[side], run));
      }
    }
  }

  const rows = names.map((name): ObservabilityRow => {
    const s = samples[name];
    const of = (side: Side, k: "totalMs" | "cpuMs") => median(s[side].map((x) => x[k]));
    const deltas = (k: "totalMs" | "cpuMs") => s.with.map((x, i) => x[k] - (s.without[i]?.[k] ?? 0));
    const delta = (k: "totalMs" | "cpuMs") => median(deltas(k));
    const b = built[name];
    const pairedDeltaTotalMs = delta("totalMs");
    return {
      name,
      kbWithout: b.without.kb,
      kbWith: b.with.kb,
      totalMsWithout: of("without", "totalMs"),
      totalMsWith: of("with", "totalMs"),
      cpuMsWithout: of("without", "cpuMs"),
      cpuMsWith: of("with", "cpuMs"),
      pairedDeltaTotalMs,
      pairedDeltaCpuMs: delta("cpuMs"),
      pairedDeltaTotalIqrMs: [quantile(deltas("totalMs"), 0.25), quantile(deltas("totalMs"), 0.75)],
      withinBudget: pairedDeltaTotalMs <= COLD_START_BUDGET_MS,
    };
  });
  const outcomes = [
    ...new Set(names.flatMap((n) => [...samples[n].with, ...samples[n].without].map((x) => x.outcome))),
  ];
  return { at, loadAverage, rounds, budgetMs: COLD_START_BUDGET_MS, outcomes, rows };
}

const HEADING = "## Observability layer per function";

/** The summary.md section: each function with and without the Powertools adapters, same commit. */
export function observabilitySummary(r: ObservabilityResult): string[] {
  const over = r.rows.filter((x) => !x.withinBudget).map((x) => x.name);
  return [
    `${HEADING} (with and without the Powertools adapters, same commit, ${r.rounds} rounds in alternation; budget +${r.budgetMs} ms)`,
    "",
    `Run ${r.at}; load average at start ${r.loadAverage.join(", ")}.`,
    "",
    "| function | KB without | KB with | cold ms without | cold ms with | paired Δ ms | Δ p25 to p75 | CPU ms without | CPU ms with | paired Δ CPU ms | within 30 ms |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...r.rows.map(
      (x) =>
        `| ${x.name} | ${x.kbWithout} | ${x.kbWith} | ${x.totalMsWithout} | ${x.totalMsWith} | ${x.pairedDeltaTotalMs} | ${x.pairedDeltaTotalIqrMs[0]} to ${x.pairedDeltaTotalIqrMs[1]} | ${x.cpuMsWithout} | ${x.cpuMsWith} | ${x.pairedDeltaCpuMs} | ${x.withinBudget ? "yes" : "**no**"} |`,
    ),
    "",
    `Cold ms: a fresh process imports the bundle and answers the probe event (import + first answer), median of ${r.rounds}; paired Δ: median over rounds of with − without, the two run back to back (p25 to p75: their spread; on a shared machine a few rounds move a median by tens of ms, \`node bench/observability-per-function.ts 15\` runs more). Probe outcomes: ${r.outcomes.join(" / ")}. ${over.length === 0 ? `Every function within the ${r.budgetMs} ms budget.` : `Over the ${r.budgetMs} ms budget: ${over.join(", ")}.`}`,
    "",
  ];
}

export function replaceObservabilitySection(summary: string, section: string[]): string {
  const lines = summary.split("\n");
  const start = lines.findIndex((l) => l.startsWith(HEADING));
  if (start === -1) return `${summary.trimEnd()}\n\n${section.join("\n")}\n`;
  const next = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return [...lines.slice(0, start), ...section, ...lines.slice(next === -1 ? lines.length : next)].join("\n");
}

if (import.meta.main) {
  const result = await measureObservability(Number(process.argv[2] ?? 15));
  console.log(observabilitySummary(result).join("\n"));
}
