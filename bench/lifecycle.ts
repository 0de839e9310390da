/**
 * Lifecycle benchmarks through the local engine with the real definition and handlers:
 *  - throughput: whole lifecycles (request → approval → grant → warning → expiry → revoke) per second,
 *    in simulated time (Wait states take no time, the clock jumps);
 *  - expiry lag: in real time, how long after the expiry second the policy is gone.
 */
import { performance } from "node:perf_hooks";
import { loadConfigFile } from "../adapters/config-file.ts";
import type { SandboxNode } from "../adapters/local/account.ts";
import { type Clock, FakeClock, systemClock } from "../core/clock.ts";
import { approve } from "../core/usecases/approval.ts";
import { createRequest } from "../core/usecases/request.ts";
import { startSandbox } from "../local/sandbox.ts";

const NODES: SandboxNode[] = [
  { id: "i-0stg1000000000005", region: "eu-west-1", tags: { Env: "staging" } },
  { id: "mi-0sbx100000000006", region: "eu-west-1", tags: { Env: "sandbox", Owner: "team-a" } },
];
/** Requesters rotate over three principals so concurrent grants stay inside each one's inline quota. */
const PEOPLE = [
  { slackUserId: "U01ALICE", email: "alice@example.com" },
  { slackUserId: "U02BOB", email: "bob@example.com" },
  { slackUserId: "U06CAROL", email: "carol@example.com" },
];
const person = (n: number) => PEOPLE[n % PEOPLE.length] ?? { slackUserId: "U02BOB" };

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function sandboxWith(clock: Clock) {
  return startSandbox({ config: loadConfigFile(), nodes: NODES, clock, table: `bench-${Date.now()}` });
}

export interface ThroughputResult {
  flow: string;
  lifecycles: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Whole lifecycles per second, `concurrency` at a time, in simulated time. */
export async function measureThroughput(
  flow: "auto-approved" | "one approval",
  lifecycles: number,
  concurrency: number,
): Promise<ThroughputResult> {
  const sandbox = await sandboxWith(new FakeClock());
  const { deps, workflow, store } = sandbox;
  const durations: number[] = [];
  const one = async (n: number) => {
    const started = performance.now();
    const id = `20261126-${n.toString(32).padStart(8, "0")}`;
    if (flow === "auto-approved") {
      await createRequest(deps, {
        requestId: id,
        requester: person(n),
        profileId: "sandbox",
        duration: "1h",
      });
    } else {
      await createRequest(deps, {
        requestId: id,
        requester: person(n),
        profileId: "staging",
        duration: "1h",
      });
      while (!(await store.get(id))?.taskToken) await new Promise((r) => setImmediate(r));
      await approve(deps, { requestId: id, approver: { slackUserId: "U03DAVE" } });
    }
    const end = await workflow.settled(id);
    if (end.status !== "SUCCEEDED") throw new Error(`lifecycle ${id} ended ${end.status}: ${end.error}`);
    durations.push(performance.now() - started);
  };
  const begin = performance.now();
  for (let start = 0; start < lifecycles; start += concurrency) {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, lifecycles - start) }, (_, i) => one(start + i)),
    );
  }
  const seconds = (performance.now() - begin) / 1000;
  await sandbox.stop();
  return {
    flow,
    lifecycles,
    concurrency,
    seconds: round(seconds),
    perSecond: round(lifecycles / seconds, 1),
    p50Ms: round(percentile(durations, 50), 1),
    p99Ms: round(percentile(durations, 99), 1),
  };
}

export interface ExpiryLagResult {
  grants: number;
  durationSeconds: number;
  lagMs: { min: number; p50: number; max: number };
}

/** In real time: grants of one minute; how long after each expiry second its policy was deleted. */
export async function measureExpiryLag(grants: number): Promise<ExpiryLagResult> {
  const sandbox = await sandboxWith(systemClock);
  const { deps, workflow, account } = sandbox;
  const deletedAt = new Map<string, number>();
  const deleteGrant = account.deleteGrant.bind(account);
  account.deleteGrant = async (principal, name) => {
    const deleted = await deleteGrant(principal, name);
    if (deleted) deletedAt.set(name, Date.now());
    return deleted;
  };
  const ids = await Promise.all(
    Array.from({ length: grants }, (_, n) =>
      createRequest(deps, {
        requestId: `20261126-lag${n.toString().padStart(5, "0")}`,
        requester: person(n),
        profileId: "sandbox",
        duration: "1m",
      }),
    ),
  );
  const lags: number[] = [];
  for (const { id } of ids) {
    await workflow.settled(id);
    const record = await sandbox.store.get(id);
    const gone = deletedAt.get(`jit-${id}`);
    if (!record?.expiresAt || gone === undefined)
      throw new Error(`grant ${id} was not revoked by the workflow`);
    lags.push(gone - new Date(record.expiresAt).getTime());
  }
  await sandbox.stop();
  return {
    grants,
    durationSeconds: 60,
    lagMs: { min: Math.min(...lags), p50: percentile(lags, 50), max: Math.max(...lags) },
  };
}
