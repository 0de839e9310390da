/**
 * Slack acknowledgement latency: how long the real handler takes to answer a correctly signed request.
 *  - warm, in process, on the sandbox: a slash command that records a request and starts its workflow,
 *    and an Approve click that records the vote and resumes the workflow;
 *  - cold: a fresh Node process importing the bundled handler (with its source map, as deployed) and
 *    answering its first request.
 */
import { performance } from "node:perf_hooks";
import { loadConfigFile } from "../adapters/config-file.ts";
import type { SandboxNode } from "../adapters/local/account.ts";
import { FakeClock } from "../core/clock.ts";
import { startFakeSlack } from "../local/fake-slack.ts";
import { startSandbox } from "../local/sandbox.ts";
import { FUNCTION_ENTRIES } from "../stacks/entries.ts";
import { bundle } from "./bundles.ts";
import { coldStart, prepareProbe } from "./cold-start.ts";
import { command, BENCH_SIGNING_SECRET as SECRET, signed } from "./slack-events.ts";

const NODES: SandboxNode[] = [{ id: "i-0stg1000000000005", region: "eu-west-1", tags: { Env: "staging" } }];

const click = (user: string, requestId: string) =>
  new URLSearchParams({
    payload: JSON.stringify({
      type: "block_actions",
      user: { id: user },
      team: { id: "T0" },
      api_app_id: "A0",
      trigger_id: "t",
      channel: { id: "C0APPROVALS" },
      message: { ts: "1.1" },
      container: { type: "message", channel_id: "C0APPROVALS", message_ts: "1.1" },
      actions: [
        { action_id: "approve", value: requestId, type: "button", block_id: "decision", action_ts: "1" },
      ],
    }),
  }).toString();

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 10) / 10;
  return { n: values.length, p50: at(0.5), p99: at(0.99), max: at(1) };
};

/** Warm latency in this process, `n` of each kind. */
export async function measureWarm(n: number) {
  const slack = await startFakeSlack({
    emails: { U01ALICE: "alice@example.com", U02BOB: "bob@example.com" },
  });
  process.env.SLACK_SIGNING_SECRET = SECRET;
  process.env.SLACK_BOT_TOKEN = "xoxb-bench";
  process.env.SLACK_API_URL = slack.url;
  const sandbox = await startSandbox({
    config: loadConfigFile(),
    nodes: NODES,
    clock: new FakeClock(),
    table: `slack-bench-${Date.now()}`,
  });
  const { handler } = await import("../functions/slack.ts");
  const call = async (body: string) => {
    const t = performance.now();
    const response = (await handler(signed(body) as never, {} as never)) as { statusCode: number };
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    return performance.now() - t;
  };
  await call(command("U01ALICE", "help", "warmup"));
  const commands: number[] = [];
  for (let i = 0; i < n; i++)
    commands.push(
      await call(command(["U01ALICE", "U02BOB"][i % 2] ?? "U02BOB", `staging 1h bench ${i}`, `trigger-${i}`)),
    );
  const pending = await sandbox.store.listByStatus("PENDING");
  for (const r of pending)
    while (!(await sandbox.store.get(r.id))?.taskToken) await new Promise((x) => setImmediate(x));
  const clicks: number[] = [];
  for (const r of pending.slice(0, n)) clicks.push(await call(click("U03DAVE", r.id)));
  await sandbox.stop();
  await slack.stop();
  return { slashCommand: stats(commands), approveClick: stats(clicks) };
}

/** Lambda gives a function one vCPU at 1,769 MB and CPU in proportion to memory below that. */
const ONE_VCPU_MB = 1769;
/** The cold path's CPU work must fit in a third of Slack's 3 s: the rest is Lambda's own runtime
 * start, the network, and the ack path's AWS calls (I/O, not CPU). */
export const COLD_CPU_BUDGET_MS = 1000;

/**
 * The smallest memory (a multiple of 128 MB, at least 256 MB and twice the resident set) whose CPU
 * share runs the measured cold work (`cpuMs` on one full core) inside COLD_CPU_BUDGET_MS.
 */
export function recommendMemory(cpuMs: number, rssMb: number): { memoryMb: number; estimatedColdMs: number } {
  const forCpu = (cpuMs * ONE_VCPU_MB) / COLD_CPU_BUDGET_MS;
  const memoryMb = Math.max(256, Math.ceil(Math.max(forCpu, 2 * rssMb) / 128) * 128);
  const share = Math.min(1, memoryMb / ONE_VCPU_MB);
  return { memoryMb, estimatedColdMs: Math.round(cpuMs / share) };
}

/**
 * Cold: a fresh process imports the bundled handler, built as deployed (with its source map, which
 * `--enable-source-maps` loads), and answers `/access help`; five runs (bench/cold-start.ts). Each run
 * reports wall time, CPU time (user + system) and resident memory after the answer, which is what
 * the Slack function's memory setting is chosen from (`recommendMemory`).
 */
export async function measureCold() {
  const dir = new URL("../node_modules/.cache/slack-cold/", import.meta.url).pathname;
  const built = await bundle("functions/slack.ts", dir);
  const env = prepareProbe(dir, { signingSecret: SECRET, botToken: "xoxb-bench" });
  const memoryMb = Number.parseInt(FUNCTION_ENTRIES.slack.memory, 10);
  const event = signed(command("U01ALICE", "help", "cold"));
  const cold = coldStart(dir, env, { file: built.file, name: "slack", memoryMb, event }, 5);
  if (cold.outcome !== "HTTP 200") throw new Error(`the bundled Slack handler answered ${cold.outcome}`);
  return {
    bundleKb: built.kb,
    runsMs: cold.totalRunsMs,
    medianMs: cold.totalMs,
    cpuMs: cold.cpuMs,
    rssMb: cold.rssMb,
    memory: { budgetMs: COLD_CPU_BUDGET_MS, ...recommendMemory(cold.cpuMs, cold.rssMb) },
  };
}
