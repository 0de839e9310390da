/**
 * What the observability layer costs each function, measured at one commit: every function bundled
 * twice the way SST bundles it (bench/sst-esbuild.ts), as deployed and with the two Powertools
 * adapters (adapters/observability/logger.ts, metrics.ts) replaced by no-op stand-ins; then cold runs
 * of the two in alternation (bench/cold-start.ts), `rounds` times. Other changes between commits do
 * not blur the number, and both sides of a pair see the same machine load.
 *
 *   node bench/observability-per-function.ts 15
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { NODEJS_OPTIONS } from "../stacks/bundling.ts";
import { DEFAULT_MEMORY, entryFile, FUNCTION_ENTRIES, type FunctionName } from "../stacks/entries.ts";
import { probeEvent } from "./bundles.ts";
import { type ColdSample, coldRun, prepareProbe } from "./cold-start.ts";
import { BENCH_SIGNING_SECRET } from "./slack-events.ts";
import { PROJECT_ROOT, sstBuildOptions } from "./sst-esbuild.ts";

const rounds = Number(process.argv[2] ?? 15);
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

const median = (xs: number[]) =>
  Math.round(([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0) * 10) / 10;
console.log(
  "| function | KB without | KB with | total ms without | with | CPU ms without | with | paired Δ total | paired Δ CPU |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const name of names) {
  const s = samples[name];
  const of = (side: Side, k: "totalMs" | "cpuMs") => median(s[side].map((x) => x[k]));
  const delta = (k: "totalMs" | "cpuMs") => median(s.with.map((x, i) => x[k] - (s.without[i]?.[k] ?? 0)));
  const b = built[name];
  console.log(
    `| ${name} | ${b.without.kb} | ${b.with.kb} | ${of("without", "totalMs")} | ${of("with", "totalMs")} | ${of("without", "cpuMs")} | ${of("with", "cpuMs")} | ${delta("totalMs")} | ${delta("cpuMs")} |`,
  );
}
const outcomes = new Set(
  names.flatMap((n) => [...samples[n].with, ...samples[n].without].map((x) => x.outcome)),
);
console.log(`\n${rounds} rounds; outcomes: ${[...outcomes].join(" / ")}`);
