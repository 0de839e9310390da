/// <reference path="../.sst/platform/config.d.ts" />
/**
 * CloudTrail's Session Manager calls, from the default event bus to the session-events function. They
 * reach EventBridge only when a CloudTrail trail records management events in the account, and only
 * in the region of the call: every other region a profile names forwards them to home's bus
 * (regions.ts), and every member account's spoke forwards its own (spoke-template.ts), where this
 * subscription sees them like the hub's.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { defaultBusArn } from "./arns.ts";
import { inRegion } from "./providers.ts";
import { forwarderRole, forwardingRules } from "./regions.ts";
import { hubSessionEventPattern, SESSION_EVENT_PATTERN } from "./session-event-pattern.ts";

export function subscribeSessionEvents(fn: sst.aws.Function, config: AccessConfig, home: string) {
  const bus = defaultBusArn(config.partition, home, config.accountId);
  return sst.aws.Bus.subscribe("SessionEvents", bus, fn.arn, {
    pattern: SESSION_EVENT_PATTERN,
    // SST writes only source, detail-type and detail from `pattern` into the rule; the accounts the
    // hub handles are set on the rule itself (the hub's and every named member's, not the hub's alone).
    transform: { rule: { eventPattern: JSON.stringify(hubSessionEventPattern(config)) } },
  });
}

/** The role EventBridge assumes to put events on home's default bus (IAM is global: one role). */
export function createForwarderRole(config: AccessConfig, home: string) {
  const role = forwarderRole(config.partition, home, config.accountId);
  return new aws.iam.Role("EventForwarder", {
    assumeRolePolicy: JSON.stringify(role.assumeRolePolicy),
    inlinePolicies: [{ name: "put-events-on-home-bus", policy: JSON.stringify(role.policy) }],
  });
}

/** One rule per non-home region that profiles name, targeting home's default bus. */
export function forwardSessionEvents(config: AccessConfig, home: string, role: aws.iam.Role) {
  return forwardingRules(config, home).map((rule) => {
    const id = rule.region.replaceAll("-", "");
    const opts = inRegion(rule.region, home);
    const eventRule = new aws.cloudwatch.EventRule(
      `SessionEventsFrom${id}`,
      {
        description: `Session Manager calls in ${rule.region}, forwarded to ${home}`,
        eventPattern: rule.eventPattern,
      },
      opts,
    );
    new aws.cloudwatch.EventTarget(
      `SessionEventsFrom${id}Target`,
      { rule: eventRule.name, arn: rule.targetBusArn, roleArn: role.arn },
      opts,
    );
    return eventRule;
  });
}
