/// <reference path="../.sst/platform/config.d.ts" />
/**
 * CloudTrail's Session Manager calls, from the default event bus to the session-events function. They
 * reach EventBridge only when a CloudTrail trail records management events in the account.
 */
import { SESSION_EVENT_PATTERN } from "./session-event-pattern.ts";

export function subscribeSessionEvents(fn: sst.aws.Function, region: string, accountId: string) {
  const defaultBus = `arn:aws:events:${region}:${accountId}:event-bus/default`;
  return sst.aws.Bus.subscribe("SessionEvents", defaultBus, fn.arn, { pattern: SESSION_EVENT_PATTERN });
}
