/**
 * `npm run bench`: runs every benchmark and writes its results to bench/results/<name>.json and a
 * readable summary to bench/results/summary.md. Numbers come from this machine, at the time of the run.
 * `npm run bench -- --quick` skips the one-minute real-time expiry measurement.
 * `npm run bench -- --only bundles` measures only the Lambda bundles and their cold starts (after a
 * change to a function's imports), writes bench/results/bundles.json and replaces that section of the
 * existing summary.md. `--only audit` does the same for the audit read (10,000 requests), and
 * `--only sweep-accounts` for the sweep across 50 accounts × 2 regions. `--only observability` builds
 * each function with and without the Powertools adapters (same commit) and runs the two cold in
 * alternation, 15 rounds (bench/observability-per-function.ts; with 7, noise on a 2-core machine moved
 * a median by tens of ms): KB and cold start without/with, the
 * paired difference and whether it is within the 30 ms budget, in bench/results/observability.json and
 * its section of summary.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, totalmem } from "node:os";
import { FUNCTION_ENTRIES } from "../stacks/entries.ts";
import { measureApproveToEffective } from "./approve-effective.ts";
import { auditSummary, measureAudit, replaceAuditSection } from "./audit.ts";
import { bundlesSummary, measureBundles, replaceSection } from "./bundles.ts";
import { measureExpiryLag, measureThroughput } from "./lifecycle.ts";
import {
  measureObservability,
  observabilitySummary,
  replaceObservabilitySection,
} from "./observability-per-function.ts";
import { measurePolicySizes } from "./policy-size.ts";
import { measureCold, measureWarm } from "./slack-ack.ts";
import { measureSlotCapacity } from "./slot-capacity.ts";
import { measureSweepAccounts, replaceSweepAccountsSection, sweepAccountsSummary } from "./sweep-accounts.ts";
import { measureSweepOrganization, sweepOrganizationSummary } from "./sweep-organization.ts";

const quick = process.argv.includes("--quick");
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const alone = ["bundles", "audit", "sweep-accounts", "observability"];
if (only !== undefined && !alone.includes(only))
  throw new Error(`--only ${only}: the parts that run alone are ${alone.map((a) => `"${a}"`).join(", ")}`);
const results = new URL("./results/", import.meta.url);
mkdirSync(results, { recursive: true });
const save = (name: string, data: unknown) =>
  writeFileSync(new URL(`${name}.json`, results), `${JSON.stringify(data, null, 2)}\n`);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${arch()}, Node ${process.version}`;
// The load average says how busy the machine was: CPU time and latencies grow with other work.
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(", ");
const summary: string[] = [
  "# Benchmark results",
  "",
  `Run ${new Date().toISOString()} on ${machine}; load average at start ${load}.`,
  "",
];

// Quiet the handlers' own logs while measuring.
const log = console.log;
const mute = () => {
  console.error = () => {};
  console.warn = () => {};
};
mute();

if (only === "bundles") {
  const bundles = await measureBundles();
  save("bundles", bundles);
  const file = new URL("summary.md", results);
  writeFileSync(file, replaceSection(readFileSync(file, "utf8"), bundlesSummary(bundles)));
  log(bundlesSummary(bundles).join("\n"));
  process.exit(0);
}

// `--only audit`: the audit read alone (jit audit and the weekly report read the same way).
if (only === undefined || only === "audit") {
  const audit = await measureAudit();
  save("audit", audit);
  if (only === "audit") {
    const file = new URL("summary.md", results);
    writeFileSync(file, replaceAuditSection(readFileSync(file, "utf8"), auditSummary(audit)));
    log(auditSummary(audit).join("\n"));
    process.exit(0);
  }
  summary.push(...auditSummary(audit));
}

// `--only sweep-accounts`: the sweep across 50 accounts × 2 regions alone (issue 12).
if (only === undefined || only === "sweep-accounts") {
  const sweepRuns = await measureSweepAccounts();
  const organizationRun = await measureSweepOrganization();
  save("sweep-accounts", { simulated: sweepRuns, organization: organizationRun });
  const section = [...sweepAccountsSummary(sweepRuns), ...sweepOrganizationSummary(organizationRun)];
  if (only === "sweep-accounts") {
    const file = new URL("summary.md", results);
    writeFileSync(file, replaceSweepAccountsSection(readFileSync(file, "utf8"), section));
    log(section.join("\n"));
    process.exit(0);
  }
  summary.push(...section);
}

// `--only observability`: each function's cold start with and without the observability layer (issue 17).
if (only === undefined || only === "observability") {
  const observability = await measureObservability(15);
  save("observability", observability);
  if (only === "observability") {
    const file = new URL("summary.md", results);
    writeFileSync(
      file,
      replaceObservabilitySection(readFileSync(file, "utf8"), observabilitySummary(observability)),
    );
    log(observabilitySummary(observability).join("\n"));
    process.exit(0);
  }
  summary.push(...observabilitySummary(observability));
}

const sizes = measurePolicySizes();
save("policy-size", sizes);
summary.push("## Grant policy size (non-whitespace characters; inline quota 10,240 per principal)", "");
summary.push("| profile | principal | size | grants that fit one principal |", "|---|---|---|---|");
for (const r of sizes)
  summary.push(`| ${r.profile} | ${r.principal} | ${r.size} | ${r.grantsPerPrincipal} |`);
summary.push("");

const capacity = measureSlotCapacity();
save("slot-capacity", capacity);
summary.push(
  `## Grant slots of the shared role (${capacity.slots} slots × 6,144 characters; role session names of 30 characters)`,
  "",
);
summary.push("| profile | added to a slot | grants per slot | people per shared role |", "|---|---|---|---|");
for (const r of capacity.rows)
  summary.push(`| ${r.profile} | ${r.size} | ${r.perSlot} | ${r.perSharedRole} |`);
summary.push("", `All profiles mixed (round robin): ${capacity.mixed} people at once per shared role.`, "");

// Live grants stay attached while the next is measured: five fill alice's inline quota.
const effective = [
  await measureApproveToEffective("inline", { slackUserId: "U01ALICE", email: "alice@example.com" }, 5),
  await measureApproveToEffective("slot", { slackUserId: "U09DAN", email: "dan@example.com" }, 20),
];
save("approve-to-effective", effective);
summary.push("## Approve to effective in the sandbox (click → IAM allows a session; wall clock)", "");
summary.push("| carrier | grants | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|");
for (const e of effective) summary.push(`| ${e.carrier} | ${e.n} | ${e.p50Ms} | ${e.p95Ms} | ${e.maxMs} |`);
summary.push(
  "",
  "Local engine and dynalite: on AWS add Step Functions and Lambda latency and IAM's propagation (seconds).",
  "",
);

const bundles = await measureBundles();
save("bundles", bundles);
summary.push(...bundlesSummary(bundles));

const throughput = [
  await measureThroughput("auto-approved", 300, 1),
  await measureThroughput("auto-approved", 300, 10),
  await measureThroughput("one approval", 300, 10),
];
save("lifecycle-throughput", throughput);
summary.push("## Whole lifecycles through the local engine (simulated time; dynalite in memory)", "");
summary.push(
  "| flow | lifecycles | concurrency | seconds | lifecycles/s | p50 ms | p99 ms |",
  "|---|---|---|---|---|---|---|",
);
for (const t of throughput) {
  summary.push(
    `| ${t.flow} | ${t.lifecycles} | ${t.concurrency} | ${t.seconds} | ${t.perSecond} | ${t.p50Ms} | ${t.p99Ms} |`,
  );
}
summary.push("");

const warm = await measureWarm(200);
const cold = await measureCold();
save("slack-ack", { warm, cold });
summary.push("## Slack acknowledgement (signed request → handler response)", "");
summary.push("| request | n | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|");
summary.push(
  `| /access <profile> (record + start workflow), warm | ${warm.slashCommand.n} | ${warm.slashCommand.p50} | ${warm.slashCommand.p99} | ${warm.slashCommand.max} |`,
);
summary.push(
  `| Approve click (vote + resume + message update), warm | ${warm.approveClick.n} | ${warm.approveClick.p50} | ${warm.approveClick.p99} | ${warm.approveClick.max} |`,
);
summary.push(
  "",
  `Cold: a fresh Node process imports the bundled handler (${cold.bundleKb} KB) and answers its first request: median ${cold.medianMs} ms of ${cold.runsMs.join(", ")} ms.`,
  "",
  `Slack function memory: the cold path used ${cold.cpuMs} ms of CPU (median, user + system, all threads) and at most ${cold.rssMb} MB resident. Lambda gives one vCPU at 1,769 MB and CPU in proportion below it, so running that work inside ${cold.memory.budgetMs} ms needs at least ${cold.memory.memoryMb} MB (estimated ${cold.memory.estimatedColdMs} ms of CPU-bound cold work there). The stack sets ${FUNCTION_ENTRIES.slack.memory} (test/unit/stacks/memory.test.ts holds it to this file).`,
  "",
);

if (!quick) {
  const lag = await measureExpiryLag(10);
  save("expiry-lag", lag);
  summary.push("## Expiry → policy gone (real time, 1-minute grants)", "");
  summary.push(
    `${lag.grants} grants: lag min ${lag.lagMs.min} ms, p50 ${lag.lagMs.p50} ms, max ${lag.lagMs.max} ms.`,
    "",
  );
}

writeFileSync(new URL("summary.md", results), `${summary.join("\n")}\n`);
log(summary.join("\n"));
