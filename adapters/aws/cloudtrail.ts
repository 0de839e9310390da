/**
 * CloudTrail's record of a Session Manager call, as EventBridge delivers it ("AWS API Call via
 * CloudTrail" from aws.ssm), checked with a schema and turned into a SessionEvent. Unknown fields are
 * tolerated; a record missing what we rely on is refused with the reason.
 *
 * Which account the call was made in (issue 12): events reach the hub's bus from every account of the
 * organization, so the account decides which grants may explain a session and where its node is
 * looked up. Two fields name it, and the envelope's is the one trusted:
 * - `account` is set by EventBridge itself. A sender cannot choose it: PutEvents takes no account
 *   field, only Source, DetailType, Detail, Resources, Time and the bus
 *   (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html),
 *   and a source beginning with `aws.` is reserved to AWS services
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html). A member's
 *   rule forwarding the event to the hub's bus keeps it.
 * - `detail.recipientAccountId` is CloudTrail's: the account that received the event, which can
 *   differ from the caller's own account (`userIdentity.accountId`) on cross-account access
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 * On an event CloudTrail hands to an account's EventBridge both name that account; an event where
 * they differ is either a copy meant for another account or not CloudTrail's at all, and is refused
 * rather than guessed at. The caller's own account is not checked here: a principal of
 * another account is a fact to judge (core matches it against no grant), not a malformed event.
 */
import * as z from "zod/mini";
import type { SessionEvent } from "../../core/usecases/session-events.ts";

const text = z.string().check(z.minLength(1));
/** An AWS account id: exactly 12 digits, nothing around them. */
const accountId = z.string().check(z.regex(/^\d{12}$/, { error: "is not a 12-digit AWS account id" }));

export const cloudTrailSessionEvent = z
  .object({
    "detail-type": z.literal("AWS API Call via CloudTrail"),
    source: z.literal("aws.ssm"),
    /** EventBridge's own field: the account the call was made in (see above). */
    account: accountId,
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
      recipientAccountId: z.optional(accountId),
    }),
  })
  .check(
    z.refine((e) => e.detail.recipientAccountId === undefined || e.detail.recipientAccountId === e.account, {
      error: "differs from the event's account: not delivered as CloudTrail delivers, refused",
      path: ["detail", "recipientAccountId"],
    }),
  );

export type CloudTrailSessionEvent = z.infer<typeof cloudTrailSessionEvent>;

/** The caller's principal: the IAM user itself, or the role behind an assumed-role session. */
export function toSessionEvent(event: CloudTrailSessionEvent): SessionEvent {
  const d = event.detail;
  const identity = d.userIdentity;
  const assumed = identity.type === "AssumedRole";
  return {
    eventId: d.eventID,
    name: d.eventName,
    // The schema has refused any event whose recipientAccountId says otherwise.
    accountId: event.account,
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
