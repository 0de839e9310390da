/**
 * `npm run bench`: runs every benchmark and writes its results to bench/results/<name>.json and a
 * readable summary to bench/results/summary.md. Numbers come from this machine, at the time of the run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, totalmem } from "node:os";
import { measurePolicySizes } from "./policy-size.ts";

const results = new URL("./results/", import.meta.url);
mkdirSync(results, { recursive: true });

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${arch()}, Node ${process.version}`;
const summary: string[] = [`# Benchmark results`, ``, `Run ${new Date().toISOString()} on ${machine}.`, ``];

const sizes = measurePolicySizes();
writeFileSync(new URL("policy-size.json", results), `${JSON.stringify(sizes, null, 2)}\n`);
summary.push("## Grant policy size (non-whitespace characters; inline quota 10,240 per principal)", "");
summary.push("| profile | principal | size | grants that fit one principal |", "|---|---|---|---|");
for (const r of sizes)
  summary.push(`| ${r.profile} | ${r.principal} | ${r.size} | ${r.grantsPerPrincipal} |`);
summary.push("");

writeFileSync(new URL("summary.md", results), `${summary.join("\n")}\n`);
console.log(summary.join("\n"));
