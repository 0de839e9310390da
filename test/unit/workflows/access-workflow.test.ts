import validator from "asl-validator";
import { describe, expect, it } from "vitest";
import {
  buildAccessWorkflow,
  S,
  type TaskArns,
  TRANSIENT_ERRORS,
} from "../../../workflows/access-workflow.ts";
import type { TaskState } from "../../../workflows/asl.ts";

const fn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:jit-prod-${name}`;
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
const validate = (d: unknown) => validator(structuredClone(d), { checkArn: true, checkPaths: true });
const tasks = Object.entries(definition.States).filter((e): e is [string, TaskState] => e[1].Type === "Task");

describe("the access workflow definition", () => {
  it("is valid Amazon States Language with the ARNs substituted", () => {
    const result = validate(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it("is rejected by the validator when a transition points nowhere (the check can fail)", () => {
    const broken = structuredClone(definition);
    (broken.States[S.grantAccess] as TaskState).Next = "No such state";
    expect(validate(broken).isValid).toBe(false);
  });

  it("names every state as a sentence", () => {
    for (const name of Object.keys(definition.States))
      expect(name).toMatch(/^[A-Z][a-z-]+(\s[a-zA-Z']+)*\??$/);
  });

  it.each(tasks)(
    "retries %s on Lambda's transient errors and AWS throttling, with backoff",
    (_name, state) => {
      const retrier = state.Retry?.[0];
      expect(retrier?.ErrorEquals).toEqual(TRANSIENT_ERRORS);
      expect(retrier?.BackoffRate).toBeGreaterThan(1);
      expect(retrier?.MaxAttempts).toBeGreaterThanOrEqual(3);
    },
  );

  it("waits for the approvers with a task token, for the profile's approval timeout", () => {
    const ask = definition.States[S.askApprovers] as TaskState;
    expect(ask.Resource).toBe("arn:aws:states:::lambda:invoke.waitForTaskToken");
    expect(ask.Parameters).toEqual({
      FunctionName: ARNS.askApprovers,
      Payload: { "requestId.$": "$.requestId", "taskToken.$": "$$.Task.Token" },
    });
    expect(ask.TimeoutSecondsPath).toBe("$.approvalTimeoutSeconds");
    const next = Object.fromEntries((ask.Catch ?? []).flatMap((c) => c.ErrorEquals.map((e) => [e, c.Next])));
    expect(next).toMatchObject({
      Denied: S.announceClosure,
      Cancelled: S.announceClosure,
      RequestClosed: S.requestClosed,
      "States.Timeout": S.expireRequest,
    });
  });

  it("undoes a failed grant and alarms on a failed revoke", () => {
    const grant = definition.States[S.grantAccess] as TaskState;
    const revoke = definition.States[S.revokeAccess] as TaskState;
    expect(grant.Catch?.[0]).toMatchObject({ ErrorEquals: ["States.ALL"], Next: S.undoGrant });
    expect(revoke.Catch?.[0]).toMatchObject({ ErrorEquals: ["States.ALL"], Next: S.raiseAlarm });
    expect(definition.States[S.grantFailed]?.Type).toBe("Fail");
    expect(definition.States[S.revokeFailed]?.Type).toBe("Fail");
  });

  it("never lets an announcement stop the lifecycle", () => {
    for (const name of [
      S.announceApproval,
      S.announceClosure,
      S.announceGrant,
      S.warnExpiry,
      S.announceRevocation,
    ]) {
      const state = definition.States[name] as TaskState;
      expect(state.Catch).toEqual([
        { ErrorEquals: ["States.ALL"], ResultPath: "$.announceError", Next: state.Next },
      ]);
    }
  });

  it("waits on the timestamps the grant computed", () => {
    expect(definition.States[S.waitUntilWarning]).toMatchObject({
      Type: "Wait",
      TimestampPath: "$.grant.warnAt",
    });
    expect(definition.States[S.waitUntilExpiry]).toMatchObject({
      Type: "Wait",
      TimestampPath: "$.grant.expiresAt",
    });
  });
});
