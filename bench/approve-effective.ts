/**
 * Approve-to-effective in the sandbox: from the approver's click (the `approve` use case returning)
 * to the first moment IAM (iam-simulate over what the sandbox account holds) lets the requester start
 * a session, for a one-person role (inline policy) and for the Identity Center role (a slot, under its
 * lease). Wall-clock milliseconds on this machine; the local engine's waits take no time. On AWS add
 * Step Functions' and Lambda's own latency and IAM's propagation (seconds).
 */
import { performance } from "node:perf_hooks";
import { loadConfigFile } from "../adapters/config-file.ts";
import { FakeClock } from "../core/clock.ts";
import type { Person } from "../core/principal.ts";
import { approve } from "../core/usecases/approval.ts";
import { createRequest } from "../core/usecases/request.ts";
import { EXAMPLE_FLEET } from "../local/nodes.ts";
import { startSandbox } from "../local/sandbox.ts";
import { startSession } from "../local/start-session.ts";
import { S } from "../workflows/access-workflow.ts";

export interface EffectiveResult {
  carrier: "inline" | "slot";
  n: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const round = (n: number) => Math.round(n * 10) / 10;
const STAGING = "i-0stg1000000000005";

/** Measures `n` grants of the staging profile for `person`, one at a time. */
export async function measureApproveToEffective(
  carrier: "inline" | "slot",
  person: Person,
  n = 20,
): Promise<EffectiveResult> {
  const clock = new FakeClock("2026-11-26T09:00:00Z");
  const releases: (() => void)[] = [];
  // Each grant is held once written, so it stays live while the next one is measured.
  const sandbox = await startSandbox({
    config: loadConfigFile(),
    nodes: EXAMPLE_FLEET,
    clock,
    table: `bench-effective-${carrier}-${Date.now()}`,
    notifier: { notify: async () => {}, notifySession: async () => {} },
    wrapTask: (state, task) =>
      state === S.announceGrant ? () => new Promise((resolve) => releases.push(() => resolve(null))) : task,
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const request = await createRequest(sandbox.deps, {
        requester: person,
        profileId: "staging",
        duration: "1h",
      });
      for (let t = 0; t < 2000 && !(await sandbox.store.get(request.id))?.taskToken; t++)
        await new Promise((r) => setTimeout(r, 1));
      const start = performance.now();
      await approve(sandbox.deps, { requestId: request.id, approver: { slackUserId: "U03DAVE" } });
      for (;;) {
        if ((await startSession(sandbox.deps, sandbox.account, { person, target: STAGING })).allowed) break;
        if (performance.now() - start > 10_000) throw new Error(`grant ${request.id} never took effect`);
      }
      times.push(performance.now() - start);
      // The next grant must be measured on its own: end this one's sessions and policy.
      for (const s of sandbox.account.sessions.values()) sandbox.account.exitSession(s.sessionId);
      clock.advance(1);
    }
  } finally {
    for (const release of releases) release();
    await sandbox.stop();
  }
  return {
    carrier,
    n,
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    maxMs: round(Math.max(...times)),
  };
}
