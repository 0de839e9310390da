/**
 * Cold starts of two checkouts side by side, for a change that touches every function (issue 17:
 * Powertools in every bundle). Each function's "before" and "after" bundles run in alternation, one
 * fresh process each, so both see the same load on a shared machine; the medians, and the median of
 * the per-round differences, are printed as a Markdown table. CPU (user + system) moves far less with
 * other work on the machine than wall time does.
 *
 *   git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/node_modules
 *   node bench/cold-compare.ts /tmp/before . 15
 *
 * Both checkouts must have bench/bundles.ts and bench/cold-start.ts (the bundle bench of issue 14).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

interface Sample {
  totalMs: number;
  cpuMs: number;
  outcome: string;
}
interface Checkout {
  root: string;
  entries: Record<string, { memory?: string }>;
  entryFile: (name: string) => string;
  bundle: (entry: string, outdir: string) => Promise<{ file: string; kb: number }>;
  probeEvent: (name: string) => unknown;
  prepareProbe: (dir: string, secrets: { signingSecret: string; botToken: string }) => NodeJS.ProcessEnv;
  coldRun: (dir: string, env: NodeJS.ProcessEnv, run: object) => Sample;
  signingSecret: string;
}

async function checkout(root: string): Promise<Checkout> {
  const at = (file: string) => import(join(resolve(root), file));
  const [bundles, entries, cold, events] = await Promise.all([
    at("bench/bundles.ts"),
    at("stacks/entries.ts"),
    at("bench/cold-start.ts"),
    at("bench/slack-events.ts"),
  ]);
  return {
    root: resolve(root),
    entries: entries.FUNCTION_ENTRIES,
    entryFile: entries.entryFile,
    bundle: bundles.bundle,
    probeEvent: bundles.probeEvent,
    prepareProbe: cold.prepareProbe,
    coldRun: cold.coldRun,
    signingSecret: events.BENCH_SIGNING_SECRET,
  };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10;
};

const [beforeRoot = "", afterRoot = ".", roundsArg = "9"] = process.argv.slice(2);
if (!beforeRoot)
  throw new Error("usage: node bench/cold-compare.ts <before checkout> [after checkout] [rounds]");
const rounds = Number(roundsArg);
const sides = [await checkout(beforeRoot), await checkout(afterRoot)] as const;
const names = Object.keys(sides[1].entries).filter((n) => n in sides[0].entries);
const built: { file: string; kb: number }[][] = [[], []];
const envs: NodeJS.ProcessEnv[] = [];
for (const [i, side] of sides.entries()) {
  // Inside the checkout, so the bundles' externals (the AWS SDK) resolve from its node_modules.
  const outdir = join(side.root, "node_modules/.cache", `cold-compare-${i}`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  process.chdir(side.root);
  for (const n of names) built[i]?.push({ ...(await side.bundle(side.entryFile(n), outdir)) });
  envs.push(side.prepareProbe(outdir, { signingSecret: side.signingSecret, botToken: "xoxb-bench" }));
}
const samples = names.map(() => [[], []] as Sample[][]);
for (let r = 0; r < rounds; r++) {
  for (const [f, name] of names.entries()) {
    for (const [i, side] of sides.entries()) {
      const file = built[i]?.[f]?.file ?? "";
      const dir = join(file, "..");
      const memoryMb = Number.parseInt(side.entries[name]?.memory ?? "256", 10);
      const event = side.probeEvent(name);
      samples[f]?.[i]?.push(side.coldRun(dir, envs[i] ?? {}, { file, name, memoryMb, event }));
    }
  }
}
console.log(
  `| function | KB before | KB after | total ms before | after | CPU ms before | after | paired Δ total | paired Δ CPU |`,
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const [f, name] of names.entries()) {
  const [b = [], a = []] = samples[f] ?? [];
  const of = (s: Sample[], k: "totalMs" | "cpuMs") => median(s.map((x) => x[k]));
  const delta = (k: "totalMs" | "cpuMs") => median(a.map((x, i) => x[k] - (b[i]?.[k] ?? 0)));
  console.log(
    `| ${name} | ${built[0]?.[f]?.kb} | ${built[1]?.[f]?.kb} | ${of(b, "totalMs")} | ${of(a, "totalMs")} | ${of(b, "cpuMs")} | ${of(a, "cpuMs")} | ${delta("totalMs")} | ${delta("cpuMs")} |`,
  );
}
console.log(
  `\n${rounds} rounds; outcomes: ${[...new Set(samples.flat(2).map((s) => s.outcome))].join(" / ")}`,
);
