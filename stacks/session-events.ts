/// <reference path="../.sst/platform/config.d.ts" />
/**
 * CloudTrail's Session Manager calls, from the default event bus to the session-events function. They
 * reach EventBridge only when a CloudTrail trail records management events in the account.
 */

/** The rule's pattern: the three calls that start, resume and end sessions. */
export const SESSION_EVENT_PATTERN = {
  source: ["aws.ssm"],
  detailType: ["AWS API Call via CloudTrail"],
  detail: {
    eventSource: ["ssm.amazonaws.com"],
    eventName: ["StartSession", "ResumeSession", "TerminateSession"],
  },
};

export function subscribeSessionEvents(fn: sst.aws.Function, region: string, accountId: string) {
  const defaultBus = `arn:aws:events:${region}:${accountId}:event-bus/default`;
  return sst.aws.Bus.subscribe("SessionEvents", defaultBus, fn.arn, { pattern: SESSION_EVENT_PATTERN });
}
