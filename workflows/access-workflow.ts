/**
 * The access workflow: one execution per request, from approval to revocation. This object is the
 * single source: stacks/ deploys it, and tests and the local sandbox run it with
 * aws-local-stepfunctions. Task states call the Lambda functions named in `TaskArns`.
 */
import type { Retrier, StateMachineDefinition, TaskState } from "./asl.ts";

/** The Lambda function behind each kind of task. */
export interface TaskArns {
  askApprovers: string;
  grantAccess: string;
  checkExpiry: string;
  revokeAccess: string;
  announce: string;
  expireRequest: string;
  undoGrant: string;
  raiseAlarm: string;
}

/** State names, as sentences; tests and the sandbox key their overrides by them. */
export const S = {
  lifecycleOrSync: "Lifecycle or sync?",
  applyRecord: "Apply the record",
  removedByRecord: "Access removed?",
  autoApprove: "Auto-approve?",
  askApprovers: "Ask approvers",
  expireRequest: "Expire request",
  announceApproval: "Announce approval",
  announceClosure: "Announce closure",
  requestClosed: "Request closed",
  grantAccess: "Grant access",
  granted: "Granted?",
  undoGrant: "Undo failed grant",
  grantFailed: "Grant failed",
  announceGrant: "Announce grant",
  waitUntilWarning: "Wait until warning",
  warnExpiry: "Warn expiry is near",
  waitUntilExpiry: "Wait until expiry",
  checkExpiry: "Check expiry",
  expiryDecision: "Extended or revoked?",
  revokeAccess: "Revoke access",
  extendedMeanwhile: "Extended meanwhile?",
  waitForIam: "Wait for IAM to settle",
  closeLateSessions: "Close late sessions",
  raiseAlarm: "Raise revoke alarm",
  revokeFailed: "Revoke failed",
  announceRevocation: "Announce revocation",
  done: "Done",
} as const;

/**
 * Errors that say "try again": Lambda's own transient failures, AWS throttling or 5xx from our
 * adapters, a grant slot another writer held too long, and STS throttling the AssumeRole into a
 * member account (core/accounts.ts; a refused one, AccountUnreachableError, is not retried).
 */
export const TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  "TransientAwsError",
  "SlotBusyError",
  "StillChangingError",
  "AccountThrottledError",
];

const retry = (maxAttempts: number): Retrier[] => [
  {
    ErrorEquals: TRANSIENT_ERRORS,
    IntervalSeconds: 2,
    MaxAttempts: maxAttempts,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: "FULL",
  },
];

/** A task calling one function with `{ requestId, ...extra }`. */
function task(resource: string, next: string, extra: Record<string, unknown> = {}, attempts = 6): TaskState {
  return {
    Type: "Task",
    Resource: resource,
    Parameters: { "requestId.$": "$.requestId", ...extra },
    ResultPath: null,
    Retry: retry(attempts),
    Next: next,
  };
}

/** An announcement: retried, and never allowed to stop the lifecycle when it fails for good. */
function announcement(
  arns: TaskArns,
  type: string,
  next: string,
  extra: Record<string, unknown> = {},
): TaskState {
  return {
    ...task(arns.announce, next, { type, ...extra }, 3),
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.announceError", Next: next }],
  };
}

/** Builds the definition with the given function ARNs substituted. */
export function buildAccessWorkflow(arns: TaskArns): StateMachineDefinition {
  return {
    Comment: "Just-in-time Session Manager access: approve, grant, warn, expire, revoke.",
    StartAt: S.lifecycleOrSync,
    States: {
      // A front door (Slack, the API) moved the record: a short execution makes IAM follow it.
      [S.lifecycleOrSync]: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.action", IsPresent: true },
              { Variable: "$.action", StringEquals: "sync" },
            ],
            Next: S.applyRecord,
          },
        ],
        Default: S.autoApprove,
      },
      [S.applyRecord]: {
        ...task(arns.grantAccess, S.removedByRecord, { mode: "apply" }, 10),
        ResultPath: "$.revoke",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: S.raiseAlarm }],
      },
      [S.removedByRecord]: {
        Type: "Choice",
        Choices: [{ Variable: "$.revoke.removed", BooleanEquals: true, Next: S.waitForIam }],
        Default: S.done,
      },
      [S.autoApprove]: {
        Type: "Choice",
        Choices: [{ Variable: "$.autoApprove", BooleanEquals: true, Next: S.grantAccess }],
        Default: S.askApprovers,
      },
      [S.askApprovers]: {
        Type: "Task",
        Comment:
          "Parks the task token on the request; approvers' clicks resume it (SendTaskSuccess / SendTaskFailure).",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: {
          FunctionName: arns.askApprovers,
          Payload: { "requestId.$": "$.requestId", "taskToken.$": "$$.Task.Token" },
        },
        TimeoutSecondsPath: "$.approvalTimeoutSeconds",
        ResultPath: "$.approval",
        Retry: retry(4),
        Catch: [
          { ErrorEquals: ["Denied", "Cancelled"], ResultPath: "$.closed", Next: S.announceClosure },
          { ErrorEquals: ["RequestClosed"], ResultPath: "$.closed", Next: S.requestClosed },
          { ErrorEquals: ["States.Timeout"], ResultPath: "$.closed", Next: S.expireRequest },
          { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: S.undoGrant },
        ],
        Next: S.announceApproval,
      },
      // Decisions are announced here, not by the Slack click that made them: the click only records
      // and resumes, which keeps Slack's 3-second acknowledgement window far away.
      [S.announceApproval]: announcement(arns, "approved", S.grantAccess),
      [S.announceClosure]: announcement(arns, "closed", S.requestClosed),
      [S.expireRequest]: task(arns.expireRequest, S.done),
      [S.requestClosed]: {
        Type: "Succeed",
        Comment: "Denied, cancelled or closed before approval: the use case recorded it.",
      },
      [S.grantAccess]: {
        ...task(arns.grantAccess, S.granted),
        ResultPath: "$.grant",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: S.undoGrant }],
      },
      [S.granted]: {
        Type: "Choice",
        Choices: [{ Variable: "$.grant.active", BooleanEquals: false, Next: S.done }],
        Default: S.announceGrant,
      },
      [S.undoGrant]: {
        ...task(
          arns.undoGrant,
          S.grantFailed,
          { "error.$": "$.error.Error", "cause.$": "$.error.Cause" },
          10,
        ),
      },
      [S.grantFailed]: {
        Type: "Fail",
        Error: "GrantFailed",
        Cause: "The grant failed; nothing was left attached.",
      },
      [S.announceGrant]: announcement(arns, "granted", S.waitUntilWarning),
      [S.waitUntilWarning]: { Type: "Wait", TimestampPath: "$.grant.warnAt", Next: S.warnExpiry },
      // `at` / `scheduledFor` carry the time the preceding Wait waited for: logged by the task, and
      // used by the local engine to move a simulated clock exactly as the Wait would have.
      [S.warnExpiry]: announcement(arns, "expiring", S.waitUntilExpiry, { "at.$": "$.grant.warnAt" }),
      [S.waitUntilExpiry]: { Type: "Wait", TimestampPath: "$.grant.expiresAt", Next: S.checkExpiry },
      [S.checkExpiry]: {
        ...task(arns.checkExpiry, S.expiryDecision, { "scheduledFor.$": "$.grant.expiresAt" }),
        ResultPath: "$.grant",
      },
      [S.expiryDecision]: {
        Type: "Choice",
        Choices: [
          { Variable: "$.grant.active", BooleanEquals: false, Next: S.done },
          { Variable: "$.grant.due", BooleanEquals: false, Next: S.waitUntilWarning },
        ],
        Default: S.revokeAccess,
      },
      [S.revokeAccess]: {
        ...task(arns.revokeAccess, S.extendedMeanwhile, { actor: "workflow" }, 10),
        ResultPath: "$.revoke",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: S.raiseAlarm }],
      },
      // An extension that landed after "Check expiry" wins: back to waiting for the new expiry.
      [S.extendedMeanwhile]: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.revoke.extended", IsPresent: true },
              { Variable: "$.revoke.extended", BooleanEquals: true },
            ],
            Next: S.checkExpiry,
          },
        ],
        Default: S.waitForIam,
      },
      // IAM keeps honouring a deleted policy for a few seconds: a session started in that gap is
      // ended by a second pass once the propagation window is over.
      [S.waitForIam]: { Type: "Wait", TimestampPath: "$.revoke.lateCheckAt", Next: S.closeLateSessions },
      [S.closeLateSessions]: {
        ...task(
          arns.revokeAccess,
          S.announceRevocation,
          { mode: "late", "at.$": "$.revoke.lateCheckAt" },
          10,
        ),
        ResultPath: "$.late",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: S.raiseAlarm }],
      },
      [S.raiseAlarm]: task(arns.raiseAlarm, S.revokeFailed, {
        "error.$": "$.error.Error",
        "cause.$": "$.error.Cause",
      }),
      [S.revokeFailed]: {
        Type: "Fail",
        Error: "RevokeFailed",
        Cause: "Revocation failed after retries; the sweeper finishes it.",
      },
      [S.announceRevocation]: announcement(arns, "revoked", S.done, { "detail.$": "$.revoke" }),
      [S.done]: { Type: "Succeed" },
    },
  };
}
