/**
 * Sandbox sessions leave a transcript file per session under <data>/transcripts/, and the notices
 * point there: the sandbox's stand-in for the transcript Session Manager writes on AWS.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalTask } from "../../adapters/local/workflow.ts";
import type { SessionNotice } from "../../core/ports.ts";
import { resolvePrincipal } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { approve } from "../../core/usecases/approval.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { startSession } from "../../local/start-session.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, PEOPLE } from "../fixtures/nodes.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

let h: Harness | undefined;

/**
 * The fake clock runs the workflow's waits at once: held at "Warn expiry is near", the grant stays
 * active while the test works with it (as in the revocation tests).
 */
const holdGrant = (name: string, task: LocalTask): LocalTask =>
  name === S.warnExpiry
    ? async (input) => {
        await released;
        return task(input);
      }
    : task;
let release: () => void = () => {};
let released = new Promise<void>((r) => {
  release = r;
});

/** Alice asks for staging and Dave approves: an active grant, as in the revocation tests. */
async function grantedToAlice(x: Harness): Promise<AccessRequest> {
  const request = await createRequest(x.deps, { requester: PEOPLE.alice, profileId: "staging" });
  await x.waitFor(request.id, (r) => r.taskToken !== undefined);
  await approve(x.deps, { requestId: request.id, approver: { slackUserId: "U03DAVE" } });
  const active = await x.waitForStatus(request.id, "ACTIVE");
  // The record turns ACTIVE as the policy is written: wait until IAM (the sandbox) holds it.
  await expect.poll(() => x.account.effectivePolicies(active.principal.arn).length).toBeGreaterThan(0);
  return active;
}
afterEach(async () => {
  release();
  released = new Promise<void>((r) => {
    release = r;
  });
  await h?.stop();
  h = undefined;
});

describe("a sandbox session's transcript", () => {
  it("is a file under <data>/transcripts that says who, where, when it started and ended; the end notice names it", async () => {
    // Prepare: alice holds a staging grant.
    const dir = join(mkdtempSync(join(tmpdir(), "jit-transcripts-")), "transcripts");
    const seen: SessionNotice[] = [];
    h = await startHarness({
      wrap: holdGrant,
      transcriptsDir: dir,
      notifier: { notify: async () => {}, notifySession: async (n) => void seen.push(n) },
    });
    const request = await grantedToAlice(h);

    // Act
    const session = await startSession(h.deps, h.account, { person: PEOPLE.alice, target: NODE.stg1 });
    const file = join(dir, `${session.sessionId}.log`);
    const atStart = existsSync(file) ? readFileSync(file, "utf8") : "";
    // What a revoke does to a live session: TerminateSession, which CloudTrail reports.
    const [live] = await h.account.liveSessions(resolvePrincipal(h.deps.config, PEOPLE.alice));
    if (live) await h.account.terminateSession(live);
    await expect.poll(() => seen.some((n) => n.type === "session-ended"), { timeout: 5000 }).toBe(true);

    // Assess
    expect(session.allowed).toBe(true);
    expect(atStart).toContain(`session ${session.sessionId} started`);
    expect(atStart).toContain("by arn:aws:sts::123456789012:assumed-role/jit-alice/alice");
    expect(atStart).toContain(`on ${NODE.stg1} (eu-west-1)`);
    expect(atStart).toContain("document SSM-SessionManagerRunShell");
    expect(atStart).toContain(`grant ${request.id}`);
    const atEnd = readFileSync(file, "utf8");
    expect(atEnd.startsWith(atStart)).toBe(true);
    expect(atEnd).toMatch(new RegExp(`session ${session.sessionId} ended .*terminated by`));
    const ended = seen.find((n) => n.type === "session-ended");
    expect(ended?.transcript).toEqual({ kind: "file", path: file });
  });

  it("is not written when the sandbox keeps no transcripts folder", async () => {
    h = await startHarness({ wrap: holdGrant });
    await grantedToAlice(h);
    const session = await startSession(h.deps, h.account, { person: PEOPLE.alice, target: NODE.stg1 });
    expect(session.allowed).toBe(true);
    expect(h.deps.transcriptFile).toBe(undefined);
  });
});
