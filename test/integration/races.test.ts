/**
 * Races between the people and the workflow, made deterministic: the sandbox account holds an IAM call
 * at an exact point (`hooks`) while another actor runs. After each interleaving nothing may remain:
 * no `jit-*` policy, no live session, and a new session is refused by IAM (iam-simulate over what the
 * sandbox account still holds).
 *
 * Each of these failed on main before the record became the arbiter (commit 691944f), run there with
 * the same sandbox hooks: "extend vs self revoke" left `jit-<id>` attached to alice's role with the
 * request REVOKED; "revoke vs grant in flight" left the session started in the gap Connected; "extend
 * vs workflow expiry" left the extension's policy attached after the workflow revoked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { approve } from "../../core/usecases/approval.ts";
import { extendGrant } from "../../core/usecases/expiry.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { startSession } from "../../local/start-session.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, PEOPLE } from "../fixtures/nodes.ts";
import { gate } from "../helpers/gate.ts";
import { type Harness, type HarnessOptions, startHarness } from "../helpers/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const dave = { slackUserId: "U03DAVE" };

/** Holds the workflow right before `state` until `g` opens (the grant stays live meanwhile). */
const holdBefore =
  (state: string, g: { opened: Promise<void> }): HarnessOptions["wrap"] =>
  (name, task) =>
    name === state
      ? async (input) => {
          await g.opened;
          return task(input);
        }
      : task;

/** Alice's staging grant, approved by dave and ACTIVE, with the workflow held before its warning. */
async function activeGrant(options: HarnessOptions = {}) {
  const x = await startHarness(options);
  h = x;
  const request = await createRequest(x.deps, { requester: PEOPLE.alice, profileId: "staging" });
  await x.waitFor(request.id, (r) => r.taskToken !== undefined);
  await approve(x.deps, { requestId: request.id, approver: dave });
  await x.waitFor(request.id, (r) => r.status === "ACTIVE");
  await waitUntil(() => x.account.leftoverGrants().length === 1);
  return { x, id: request.id };
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Holds the next PutPolicy; when released, alice starts a session right after the write lands. */
function holdNextPut(x: Harness) {
  const held = gate();
  const reached = gate();
  const opened: { sessionId?: string | undefined; allowed?: boolean } = {};
  let armed = true;
  x.account.hooks = {
    before: async (op) => {
      if (op !== "PutPolicy" || !armed) return;
      armed = false;
      reached.open();
      await held.opened;
      x.account.hooks.after = async (after) => {
        if (after !== "PutPolicy") return;
        x.account.hooks.after = undefined;
        const result = await startSession(x.deps, x.account, { person: PEOPLE.alice, target: NODE.stg1 });
        opened.allowed = result.allowed;
        opened.sessionId = result.sessionId;
      };
    },
  };
  return { release: held.open, reached: reached.opened, opened };
}

/** The end state every race must reach. */
async function assertNothingLeft(x: Harness, sessionId: string | undefined) {
  await x.workflow.quiescent();
  expect(x.account.leftoverGrants()).toEqual([]);
  if (sessionId) expect(x.account.sessions.get(sessionId)?.status).toBe("Terminated");
  expect(x.account.liveCount()).toBe(0);
  const again = await startSession(x.deps, x.account, { person: PEOPLE.alice, target: NODE.stg1 });
  expect(again.allowed).toBe(false);
}

describe("races settle on the record", () => {
  it.each([
    ["self", PEOPLE.alice.slackUserId],
    ["admin", "U0ADMIN01"],
  ])(
    "extend vs %s revoke: the late policy write is taken back with the session it allowed",
    async (_who, actor) => {
      // Prepare: the grant is live; the extension's policy write will be held.
      const warn = gate();
      const { x, id } = await activeGrant({ wrap: holdBefore(S.warnExpiry, warn) });
      const put = holdNextPut(x);

      // Act: alice extends (record written, policy write held); then the revoke runs to the end.
      const extended = await extendGrant(x.deps, {
        requestId: id,
        actor: PEOPLE.alice.slackUserId,
        by: "1h",
      });
      expect(extended.outcome).toBe("extended");
      await put.reached;
      await revokeNow(x.deps, { requestId: id, actor });
      await waitUntil(() => x.account.leftoverGrants().length === 0);
      put.release();
      await waitUntil(() => put.opened.allowed !== undefined);
      warn.open();

      // Assess: the session opened in the gap was allowed by the late write, and is gone now.
      expect(put.opened.allowed).toBe(true);
      await assertNothingLeft(x, put.opened.sessionId);
      expect((await x.deps.store.get(id))?.status).toBe("REVOKED");
      const trail = (await x.deps.store.audit(id)).map((e) => e.action);
      expect(trail).toContain("late-write-undone");
    },
  );

  it("extend vs workflow expiry: the workflow revokes, the extension's late write does not survive", async () => {
    // Prepare
    const warn = gate();
    const { x, id } = await activeGrant({ wrap: holdBefore(S.warnExpiry, warn) });
    const held = gate();
    let armed = true;
    x.account.hooks = {
      before: async (op) => {
        if (op !== "PutPolicy" || !armed) return;
        armed = false;
        await held.opened;
      },
    };

    // Act: extend (its write held), let the workflow run to the new expiry and revoke, then release.
    await extendGrant(x.deps, { requestId: id, actor: PEOPLE.alice.slackUserId, by: "1h" });
    warn.open();
    await x.workflow.settled(id);
    expect((await x.deps.store.get(id))?.status).toBe("REVOKED");
    held.open();

    // Assess
    await assertNothingLeft(x, undefined);
  });

  it("revoke vs grant in flight: the grant's write lands after the revoke and is taken back", async () => {
    // Prepare: hold the grant's own policy write.
    const x = await startHarness();
    h = x;
    const put = holdNextPut(x);
    const request = await createRequest(x.deps, { requester: PEOPLE.alice, profileId: "staging" });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await put.reached;

    // Act: the record was claimed (ACTIVE) before the write; alice revokes; then the write lands.
    expect((await x.deps.store.get(request.id))?.status).toBe("ACTIVE");
    await revokeNow(x.deps, { requestId: request.id, actor: PEOPLE.alice.slackUserId });
    put.release();
    const run = await x.workflow.settled(request.id);

    // Assess
    expect(run.status).toBe("SUCCEEDED");
    expect(put.opened.allowed).toBe(true);
    await assertNothingLeft(x, put.opened.sessionId);
    expect((await x.deps.store.get(request.id))?.status).toBe("REVOKED");
  });

  it("a revoke that settled first leaves the grant nothing to claim: no policy is ever written", async () => {
    // Prepare: hold the workflow before "Grant access".
    const g = gate();
    const x = await startHarness({ wrap: holdBefore(S.grantAccess, g) });
    h = x;
    const request = await createRequest(x.deps, { requester: PEOPLE.alice, profileId: "staging" });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.waitFor(request.id, (r) => r.status === "APPROVED");
    let puts = 0;
    x.account.hooks = { before: (op) => void (op === "PutPolicy" && puts++) };

    // Act
    await revokeNow(x.deps, { requestId: request.id, actor: PEOPLE.alice.slackUserId });
    g.open();
    await x.workflow.settled(request.id);

    // Assess
    expect(puts).toBe(0);
    await assertNothingLeft(x, undefined);
  });
});
