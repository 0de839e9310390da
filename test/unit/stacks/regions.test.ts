/**
 * Session events from every region a profile names reach the home region's bus. Failed on main
 * before this change: the stack subscribed in the home region only (stacks/regions.ts did not exist),
 * so prod-db's eu-central-1 sessions were never seen: zero forwarding rules for one non-home region.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../core/config/load.ts";
import {
  eventBridgePattern,
  forwarderRole,
  forwardingRules,
  preferencesRegions,
  profileRegions,
} from "../../../stacks/regions.ts";
import { SESSION_EVENT_PATTERN } from "../../../stacks/session-event-pattern.ts";
import { exampleConfig, exampleConfigText } from "../../helpers/config.ts";

const config = exampleConfig();
const ACCOUNT = config.accountId;

describe("regions the config names", () => {
  it("are every profile's regions, each once", () => {
    expect(profileRegions(config)).toEqual(["eu-central-1", "eu-west-1"]);
  });
});

describe("forwarding rules", () => {
  it("one per non-home region, to the home region's default bus", () => {
    // Act
    const rules = forwardingRules(config, "eu-west-1");
    // Assess
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      region: "eu-central-1",
      targetBusArn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`,
    });
    expect(JSON.parse(rules[0]?.eventPattern ?? "{}")).toEqual({
      source: ["aws.ssm"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: SESSION_EVENT_PATTERN.detail,
    });
  });

  it("covers every profile region when home is elsewhere, and uses the config's partition", () => {
    const cn = parseConfig(exampleConfigText().replaceAll("arn:aws:", "arn:aws-cn:"));
    const rules = forwardingRules(cn, "cn-north-1");
    expect(rules.map((r) => r.region)).toEqual(["eu-central-1", "eu-west-1"]);
    expect(
      rules.every((r) => r.targetBusArn === `arn:aws-cn:events:cn-north-1:${ACCOUNT}:event-bus/default`),
    ).toBe(true);
  });

  it("needs a role EventBridge assumes, allowed only events:PutEvents on the home bus", () => {
    const role = forwarderRole("aws", "eu-west-1", ACCOUNT);
    expect(role.assumeRolePolicy.Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(role.policy.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`,
      },
    ]);
  });

  it("writes the SST pattern in EventBridge's own key names", () => {
    expect(eventBridgePattern({ source: ["a"], detailType: ["b"] })).toEqual({
      source: ["a"],
      "detail-type": ["b"],
    });
  });
});

describe("preferences documents", () => {
  it("exist in the home region and every profile region when preferences are managed", () => {
    const managed = { ...config, sessionManager: { ...config.sessionManager, manage: true } };
    expect(preferencesRegions(managed, "us-east-1")).toEqual(["us-east-1", "eu-central-1", "eu-west-1"]);
    expect(preferencesRegions(config, "us-east-1")).toEqual([]);
  });
});
