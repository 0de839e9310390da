/**
 * CloudTrail's record of a Session Manager call, as EventBridge delivers it ("AWS API Call via
 * CloudTrail" from aws.ssm), checked with a schema and turned into a SessionEvent. Unknown fields are
 * tolerated; a record missing what we rely on is refused with the reason.
 */
import * as z from "zod/mini";
import type { SessionEvent } from "../../core/usecases/session-events.ts";

const text = z.string().check(z.minLength(1));

export const cloudTrailSessionEvent = z.object({
  "detail-type": z.literal("AWS API Call via CloudTrail"),
  source: z.literal("aws.ssm"),
  /** EventBridge's own field: the account the call was made in (CloudTrail delivers it there). */
  account: text,
  region: text,
  detail: z.object({
    eventID: text,
    eventTime: z.iso.datetime(),
    eventSource: z.literal("ssm.amazonaws.com"),
    eventName: z.enum(["StartSession", "ResumeSession", "TerminateSession"]),
    awsRegion: text,
    userIdentity: z.object({
      type: text,
      arn: text,
      sessionContext: z.optional(
        z.object({ sessionIssuer: z.optional(z.object({ arn: z.optional(z.string()) })) }),
      ),
    }),
    requestParameters: z.optional(
      z.nullable(
        z.object({
          target: z.optional(z.string()),
          sessionId: z.optional(z.string()),
          documentName: z.optional(z.string()),
        }),
      ),
    ),
    responseElements: z.optional(z.nullable(z.object({ sessionId: z.optional(z.string()) }))),
    errorCode: z.optional(z.string()),
    errorMessage: z.optional(z.string()),
    recipientAccountId: z.optional(z.string()),
  }),
});

export type CloudTrailSessionEvent = z.infer<typeof cloudTrailSessionEvent>;

/** The caller's principal: the IAM user itself, or the role behind an assumed-role session. */
export function toSessionEvent(event: CloudTrailSessionEvent): SessionEvent {
  const d = event.detail;
  const identity = d.userIdentity;
  const assumed = identity.type === "AssumedRole";
  return {
    eventId: d.eventID,
    name: d.eventName,
    accountId: d.recipientAccountId ?? event.account,
    time: d.eventTime,
    region: d.awsRegion,
    actorArn: identity.arn,
    principalArn: assumed ? identity.sessionContext?.sessionIssuer?.arn : identity.arn,
    sessionName: assumed ? identity.arn.split("/").pop() : undefined,
    target: d.requestParameters?.target,
    sessionId: d.responseElements?.sessionId ?? d.requestParameters?.sessionId,
    document: d.requestParameters?.documentName,
    errorCode: d.errorCode,
    errorMessage: d.errorMessage,
  };
}
