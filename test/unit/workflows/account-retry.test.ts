/**
 * What the workflow does when a member account cannot be reached (issue 12): the deployed "Grant
 * access" and "Revoke access" states, with their own Retry and Catch, run by aws-local-stepfunctions
 * on a task that throws what AccountCredentials throws. A throttled AssumeRole is tried again; a
 * refused one is not (asking again would be refused again) and goes to the state's Catch.
 */
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { AccountCredentials } from "../../../adapters/aws/accounts.ts";
import {
  buildAccessWorkflow,
  S,
  type TaskArns,
  TRANSIENT_ERRORS,
} from "../../../workflows/access-workflow.ts";
import type { TaskState } from "../../../workflows/asl.ts";
import { HUB, STAGING } from "../../helpers/accounts.ts";

const fn = (name: string) => `arn:aws:lambda:eu-west-1:${HUB}:function:jit-prod-${name}`;
const ARNS: TaskArns = {
  askApprovers: fn("AskApprovers"),
  grantAccess: fn("GrantAccess"),
  checkExpiry: fn("CheckExpiry"),
  revokeAccess: fn("RevokeAccess"),
  announce: fn("Announce"),
  expireRequest: fn("ExpireRequest"),
  undoGrant: fn("UndoGrant"),
  raiseAlarm: fn("RaiseAlarm"),
};
const definition = buildAccessWorkflow(ARNS);

/** The error AccountCredentials throws when STS answers AssumeRole with `stsError`. */
async function unreachable(stsError: string): Promise<Error> {
  const credentials = new AccountCredentials({
    hubAccountId: HUB,
    partition: "aws",
    sourceIdentity: "jit-grantAccess",
    assumeRole: async () => {
      throw Object.assign(new Error(`${stsError} from STS`), { name: stsError });
    },
  });
  return credentials.credentials(STAGING).then(
    () => {
      throw new Error("STS was meant to fail");
    },
    (e: Error) => e,
  );
}

/**
 * Runs one deployed task state alone: its Retry and Catch as deployed, its success and its Catch
 * leading to two end states. Returns how many times the task ran and where the run ended.
 */
async function runState(state: string, failures: Error[]): Promise<{ calls: number; ended: string }> {
  const deployed = definition.States[state] as TaskState;
  const machine = new StateMachine({
    StartAt: state,
    States: {
      [state]: {
        ...deployed,
        Next: "Succeeded",
        Catch: deployed.Catch?.map((c) => ({ ...c, Next: "Caught" })),
      },
      Succeeded: { Type: "Pass", Result: "succeeded", End: true },
      Caught: { Type: "Pass", Result: "caught", End: true },
    },
  } as unknown as ConstructorParameters<typeof StateMachine>[0]);
  let calls = 0;
  const run = machine.run({ requestId: "20261129-abcdefgh" }, {
    overrides: {
      taskResourceLocalHandlers: {
        [state]: async () => {
          const failure = failures[calls];
          calls += 1;
          if (failure) throw failure;
          return { active: true };
        },
      },
      retryIntervalOverrides: { [state]: 0 },
    },
  } as Parameters<StateMachine["run"]>[1]);
  const ended = (await run.result) as string;
  return { calls, ended };
}

describe("a member account the workflow cannot reach", () => {
  it("lists the throttled name among the transient errors, and not the refused one", async () => {
    // Act
    const throttled = await unreachable("Throttling");
    const refused = await unreachable("AccessDenied");
    // Assess
    expect(TRANSIENT_ERRORS).toContain(throttled.name);
    expect(TRANSIENT_ERRORS).not.toContain(refused.name);
  });

  it.each([S.grantAccess, S.revokeAccess])(
    "%s tries again after a throttled AssumeRole, and goes on",
    async (state) => {
      // Prepare
      const throttled = await unreachable("Throttling");
      // Act
      const outcome = await runState(state, [throttled, throttled]);
      // Assess
      expect(outcome).toEqual({ calls: 3, ended: "succeeded" });
    },
  );

  it("Grant access does not try again after a refused AssumeRole: it goes to the undo", async () => {
    // Prepare
    const refused = await unreachable("AccessDenied");
    // Act
    const outcome = await runState(S.grantAccess, [refused]);
    // Assess
    expect(outcome).toEqual({ calls: 1, ended: "caught" });
  });
});
