/**
 * Revocation under AWS as it is: IAM keeps honouring a deleted policy for a few seconds, a person
 * may leave the config while holding a grant, and IAM may refuse a delete. Run on main before this
 * change (691944f) with the same sandbox model (propagation, hooks):
 * - the early revoke had no step after the policy delete at all (no sync execution, no second pass):
 *   the first test fails there at `late.allowed` (false: nothing ran after the removal);
 * - the sweeper had no late-session step: `report.lateSessions` was undefined;
 * - with alice dropped from the config, "Revoke access" failed with "…jit-alice is not a principal
 *   named in the configuration": execution FAILED, policy left;
 * - with DeletePolicy refused, her session stayed Connected.
 * The entry-point test passed on main only because installed dependencies were not cut down to the
 * declared ports; with that in place, a sweeper without `sessionLog` fails it (checked by removing it).
 */
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { checkConfig } from "../../core/config/load.ts";
import { configuredPrincipalArns } from "../../core/principal.ts";
import { approve } from "../../core/usecases/approval.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { handler as sweeper } from "../../functions/sweeper.ts";
import { startSession } from "../../local/start-session.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, PEOPLE } from "../fixtures/nodes.ts";
import { exampleConfigText } from "../helpers/config.ts";
import { gate } from "../helpers/gate.ts";
import { type Harness, type HarnessOptions, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  vi.restoreAllMocks();
});

const dave = { slackUserId: "U03DAVE" };

/** Runs `act` on the live harness right before the grant's expiry warning, then the warning. */
const atWarning =
  (act: (x: Harness) => Promise<void>): HarnessOptions["wrap"] =>
  (name, task) =>
    name === S.warnExpiry
      ? async (input) => {
          if (h) await act(h);
          return task(input);
        }
      : task;

/** Alice starts a session on the staging node; its id ("" when IAM refused it). */
const aliceOnStaging = async (x: Harness): Promise<string> =>
  (await startSession(x.deps, x.account, { person: PEOPLE.alice, target: NODE.stg1 })).sessionId ?? "";

/** Waits for the sync executions a front door started for this request. */
async function syncsSettled(x: Harness, id: string): Promise<void> {
  for (const name of x.workflow.names().filter((n) => n.startsWith(`${id}-sync-`)))
    await x.workflow.settled(name);
}

async function grantedToAlice(x: Harness): Promise<string> {
  const request = await createRequest(x.deps, { requester: PEOPLE.alice, profileId: "staging" });
  await x.waitFor(request.id, (r) => r.taskToken !== undefined);
  await approve(x.deps, { requestId: request.id, approver: dave });
  return request.id;
}

describe("sessions started while IAM still honours a deleted policy", () => {
  // At expiry the policy's own DateLessThan already refuses new sessions; the gap is an early revoke.
  it("are ended by the revoke's second pass after the propagation window", async () => {
    // Prepare: IAM honours a deleted policy for 5 s; alice starts a session 1 s after the removal.
    let late: { allowed: boolean; sessionId?: string | undefined } = { allowed: false };
    const hold = gate();
    const x = await startHarness({
      wrap: (name, task) => {
        if (name === S.warnExpiry)
          return async (input) => {
            await hold.opened;
            return task(input);
          };
        if (name !== S.applyRecord) return task;
        return async (input) => {
          const result = await task(input);
          h?.clock.advance(1);
          if (h) late = await startSession(h.deps, h.account, { person: PEOPLE.alice, target: NODE.stg1 });
          return result;
        };
      },
    });
    h = x;
    x.account.propagationMs = 5_000;
    const id = await grantedToAlice(x);
    await x.waitFor(id, (r) => r.status === "ACTIVE");

    // Act: "I'm done".
    await revokeNow(x.deps, { requestId: id, actor: PEOPLE.alice.slackUserId });
    await syncsSettled(x, id);
    hold.open();
    await x.workflow.settled(id);

    // Assess: IAM let it start (propagation), and the late pass ended it.
    expect(late.allowed).toBe(true);
    expect(x.account.sessions.get(late.sessionId ?? "")?.status).toBe("Terminated");
    const trail = (await x.deps.store.audit(id)).map((e) => e.action);
    expect(trail).toContain("late-sessions-closed");
  });

  it("are ended by the sweeper when the second pass never ran", async () => {
    // Prepare: the late pass is lost (its task keeps failing); alice starts a session in the gap.
    const hold = gate();
    const x = await startHarness({
      wrap: (name, task) => {
        if (name === S.warnExpiry)
          return async (input) => {
            await hold.opened;
            return task(input);
          };
        if (name !== S.closeLateSessions) return task;
        return async () => {
          throw Object.assign(new Error("gone"), { name: "Lambda.Unknown" });
        };
      },
    });
    h = x;
    captureLogs();
    x.account.propagationMs = 5_000;
    const id = await grantedToAlice(x);
    await x.waitFor(id, (r) => r.status === "ACTIVE");
    await revokeNow(x.deps, { requestId: id, actor: PEOPLE.alice.slackUserId });
    await syncsSettled(x, id);
    // Back to 2 s after the removal (the failed late pass had moved the clock to its own time).
    x.clock.advance(-8);
    const late = await startSession(x.deps, x.account, { person: PEOPLE.alice, target: NODE.stg1 });
    expect(late.allowed).toBe(true);

    // Act
    x.clock.advance(60);
    const report = await sweep(x.deps);

    // Assess
    expect(report.lateSessions).toEqual([late.sessionId]);
    expect(x.account.sessions.get(late.sessionId ?? "")?.status).toBe("Terminated");
    hold.open();
  });
});

/** The example config without alice in principals.map (she was offboarded). */
function withoutAlice() {
  const data = parse(exampleConfigText());
  delete data.principals.map.U01ALICE;
  return checkConfig(data);
}

describe("offboarding while a grant is live", () => {
  it("the workflow still revokes, and the session ends, after the person left the config", async () => {
    // Prepare: alice holds a live grant and a session; then the config drops her.
    let sessionId = "";
    const x = await startHarness({
      wrap: atWarning(async (y) => {
        sessionId = await aliceOnStaging(y);
        // A deploy of the new config: the functions and the broker know only today's principals.
        y.deps.config = withoutAlice();
        y.account.allow(configuredPrincipalArns(y.deps.config));
      }),
    });
    h = x;

    // Act
    const id = await grantedToAlice(x);
    const run = await x.workflow.settled(id);

    // Assess
    expect(run.status).toBe("SUCCEEDED");
    expect((await x.deps.store.get(id))?.status).toBe("REVOKED");
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(x.account.sessions.get(sessionId)?.status).toBe("Terminated");
  });

  it("the sweeper removes a dropped person's leftover policy; a refused delete still ends the session", async () => {
    // Prepare: IAM refuses every delete; alice's revoke cannot remove the policy.
    let sessionId = "";
    const x = await startHarness({
      wrap: atWarning(async (y) => {
        sessionId = await aliceOnStaging(y);
      }),
    });
    h = x;
    captureLogs();
    x.account.faults = (op) => {
      if (op === "DeletePolicy") throw Object.assign(new Error("Access denied"), { name: "AccessDenied" });
    };
    const id = await grantedToAlice(x);
    await x.workflow.settled(id);
    expect(x.account.sessions.get(sessionId)?.status).toBe("Terminated");
    expect(x.account.leftoverGrants()).toHaveLength(1);

    // Act: IAM recovers, alice has left the config, the sweeper runs.
    x.account.faults = () => {};
    x.deps.config = withoutAlice();
    x.account.allow(configuredPrincipalArns(x.deps.config));
    const report = await sweep(x.deps);

    // Assess
    expect(report.deletedPolicies.map((d) => d.policyName)).toEqual([`jit-${id}`]);
    expect(x.account.leftoverGrants()).toEqual([]);
  });
});

describe("each entry point with exactly the ports its file declares", () => {
  it("the sweeper function announces a session that ended by exit (its session log is wired)", async () => {
    // Prepare: a session of alice's grant ends by `exit` (no API call).
    // Without `sessionLog` in functions/sweeper.ts this reports
    // "sessionLog.getSession is not available in this function; add it to its ports".
    let sessionId = "";
    const x = await startHarness({
      wrap: atWarning(async (y) => {
        sessionId = await aliceOnStaging(y);
        y.account.exitSession(sessionId);
      }),
    });
    h = x;
    const id = await grantedToAlice(x);
    await x.workflow.settled(id);

    // Act: the real handler, which sees only the ports functions/sweeper.ts declares.
    const logs = captureLogs("info");
    const report = (await sweeper({}, {} as Context)) as { endedSessions: string[]; errors: unknown[] };

    // Assess
    expect(report.errors).toEqual([]);
    expect(report.endedSessions).toEqual([sessionId]);
    expect(logs.lines()).toEqual([
      expect.objectContaining({ level: "INFO", message: "sweep finished", endedSessions: [sessionId] }),
    ]);
  });
});
