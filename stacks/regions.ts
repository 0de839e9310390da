/**
 * Regions: CloudTrail delivers a call's event to EventBridge in the region where the call was made,
 * and a rule sees only its own region's bus, so every region a profile names gets a rule forwarding
 * the Session Manager calls to the home region's default bus. Pure (no SST globals): tested as is.
 *
 * A rule in one region may target an event bus in another by the bus ARN, with an execution role that
 * EventBridge assumes and that may call events:PutEvents on the destination bus
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html; the IAM policy and
 * trust policy: https://repost.aws/knowledge-center/eventbridge-centralized-bus-to-bus).
 */
import type { AccessConfig } from "../core/config/load.ts";
import { defaultBusArn } from "./arns.ts";
import { SESSION_EVENT_PATTERN } from "./session-event-pattern.ts";

/** Every region any profile names, each once, sorted. */
export function profileRegions(config: AccessConfig): string[] {
  return [...new Set(Object.values(config.profiles).flatMap((p) => p.regions))].sort();
}

/** SST writes `detailType`; EventBridge's own patterns say `detail-type`. */
export function eventBridgePattern(pattern: { detailType?: string[] } & Record<string, unknown>) {
  const { detailType, ...rest } = pattern;
  return detailType ? { ...rest, "detail-type": detailType } : rest;
}

/** One forwarding rule: where it lives, what it matches, where it sends. */
export interface ForwardingRule {
  region: string;
  eventPattern: string;
  targetBusArn: string;
}

/** One rule per region that profiles name other than `home`, sending session calls to home's bus. */
export function forwardingRules(config: AccessConfig, home: string): ForwardingRule[] {
  const targetBusArn = defaultBusArn(config.partition, home, config.accountId);
  const eventPattern = JSON.stringify(eventBridgePattern(SESSION_EVENT_PATTERN));
  return profileRegions(config)
    .filter((region) => region !== home)
    .map((region) => ({ region, eventPattern, targetBusArn }));
}

/** The role EventBridge assumes to put events on the home bus: that call, on that bus, nothing else. */
export function forwarderRole(partition: string, home: string, accountId: string) {
  return {
    assumeRolePolicy: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    },
    policy: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "events:PutEvents", Resource: defaultBusArn(partition, home, accountId) },
      ],
    },
  };
}

/**
 * Where the preferences document must exist when the stack manages it: Session Manager reads the
 * document of the region the session is in, so home first, then every profile region.
 */
export function preferencesRegions(config: AccessConfig, home: string): string[] {
  if (!config.sessionManager.manage) return [];
  return [...new Set([home, ...profileRegions(config)])];
}
