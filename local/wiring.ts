/**
 * Wires the real workflow definition to the real Lambda handlers for in-process runs (tests, the
 * sandbox, benchmarks). With a FakeClock, Wait states take no time and the clock jumps to the time
 * each Wait waited for, so a whole lifecycle runs in milliseconds exactly as it would over hours.
 */
import type { Context } from "aws-lambda";
import { type LocalTask, LocalWorkflow } from "../adapters/local/workflow.ts";
import type { FakeClock } from "../core/clock.ts";
import { handler as announce } from "../functions/announce.ts";
import { handler as askApprovers } from "../functions/ask-approvers.ts";
import { handler as checkExpiry } from "../functions/check-expiry.ts";
import { handler as expireRequest } from "../functions/expire-request.ts";
import { handler as grantAccess } from "../functions/grant-access.ts";
import { handler as raiseAlarm } from "../functions/raise-alarm.ts";
import { handler as revokeAccess } from "../functions/revoke-access.ts";
import { handler as undoGrant } from "../functions/undo-grant.ts";
import { buildAccessWorkflow, S, type TaskArns } from "../workflows/access-workflow.ts";

const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:jit-${name}`;

/** Function ARNs for local runs; the engine never calls them, every task is overridden. */
export const LOCAL_ARNS: TaskArns = {
  askApprovers: fn("ask-approvers"),
  grantAccess: fn("grant-access"),
  checkExpiry: fn("check-expiry"),
  revokeAccess: fn("revoke-access"),
  announce: fn("announce"),
  expireRequest: fn("expire-request"),
  undoGrant: fn("undo-grant"),
  raiseAlarm: fn("raise-alarm"),
};

const context = { functionName: "local", awsRequestId: "local" } as Context;
type Handler = (event: unknown, context: Context) => Promise<unknown>;
const invoke =
  (h: Handler): LocalTask =>
  (input) =>
    h(input, context);

/** Moves the fake clock to `field` of the input (the time the preceding Wait waited for). */
const afterWait =
  (clock: FakeClock | undefined, field: string, task: LocalTask): LocalTask =>
  async (input) => {
    const at = input[field];
    if (clock && typeof at === "string" && new Date(at) > clock.now()) clock.set(at);
    return task(input);
  };

export interface LocalWorkflowSetup {
  /** A FakeClock makes waits instant; without one, waits take real time. */
  clock?: FakeClock;
  /** Replace or wrap a state's task (fault injection). */
  wrap?: (state: string, task: LocalTask) => LocalTask;
}

/** The access workflow, run locally with the real handlers (which use the deps set by `useDeps`). */
export function createLocalWorkflow(setup: LocalWorkflowSetup = {}): LocalWorkflow {
  const { clock } = setup;
  const handlers: Record<string, Handler> = {
    [S.askApprovers]: askApprovers,
    [S.grantAccess]: grantAccess,
    [S.applyRecord]: grantAccess,
    [S.closeLateSessions]: revokeAccess,
    [S.undoGrant]: undoGrant,
    [S.announceApproval]: announce,
    [S.announceClosure]: announce,
    [S.announceGrant]: announce,
    [S.warnExpiry]: announce,
    [S.checkExpiry]: checkExpiry,
    [S.revokeAccess]: revokeAccess,
    [S.raiseAlarm]: raiseAlarm,
    [S.announceRevocation]: announce,
    [S.expireRequest]: expireRequest,
  };
  // The clock moves first (the Wait is over), then any wrapper, then the real handler.
  const waited: Record<string, string> = {
    [S.warnExpiry]: "at",
    [S.checkExpiry]: "scheduledFor",
    [S.closeLateSessions]: "at",
  };
  const tasks = Object.fromEntries(
    Object.entries(handlers).map(([state, h]) => {
      const task = setup.wrap ? setup.wrap(state, invoke(h)) : invoke(h);
      const field = waited[state];
      return [state, field ? afterWait(clock, field, task) : task];
    }),
  );
  return new LocalWorkflow({
    definition: buildAccessWorkflow(LOCAL_ARNS),
    tasks,
    tokenState: S.askApprovers,
    waitTimeOverrides: clock
      ? { [S.waitUntilWarning]: 0, [S.waitUntilExpiry]: 0, [S.waitForIam]: 0 }
      : undefined,
    retryIntervalMs: clock ? 0 : undefined,
  });
}
