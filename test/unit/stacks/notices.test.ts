/**
 * The notices topic and its key: in the config's partition, kept by `sst remove` in production like the
 * table, and usable by EventBridge (the Put*Policy alarm publishes there). Failed on main before this
 * change: the key policy was inline in notices.ts with a hard-coded `arn:aws:iam::…:root`, SST's
 * `removal: "retain"` keeps only tables and buckets (so topic and key were deleted), and no policy let
 * events.amazonaws.com publish.
 */
import { describe, expect, it } from "vitest";
import { noticesKeyPolicy, noticesTopicPolicy, retainedIn } from "../../../stacks/notices-policies.ts";

const ACCOUNT = "123456789012";
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:jit-prod-Notices`;

describe("the notices key", () => {
  it("is administered by the account, in the config's partition", () => {
    const policy = noticesKeyPolicy("aws-us-gov", ACCOUNT);
    expect(policy.Statement[0]?.Principal).toEqual({ AWS: `arn:aws-us-gov:iam::${ACCOUNT}:root` });
  });

  it("lets CloudWatch alarms and EventBridge rules encrypt what they publish", () => {
    const services = noticesKeyPolicy("aws", ACCOUNT)
      .Statement.slice(1)
      .map((s) => [s.Principal, s.Action]);
    expect(services).toEqual([
      [{ Service: "cloudwatch.amazonaws.com" }, ["kms:GenerateDataKey*", "kms:Decrypt"]],
      [{ Service: "events.amazonaws.com" }, ["kms:GenerateDataKey*", "kms:Decrypt"]],
    ]);
  });
});

describe("the notices topic policy", () => {
  const policy = noticesTopicPolicy(TOPIC, ACCOUNT);

  it("keeps the account's own default rights", () => {
    expect(policy.Statement[0]).toMatchObject({
      Principal: { AWS: "*" },
      Resource: TOPIC,
      Condition: { StringEquals: { "AWS:SourceOwner": ACCOUNT } },
    });
    expect(policy.Statement[0]?.Action).toContain("SNS:Publish");
  });

  it("lets this account's EventBridge rules publish, and nothing else", () => {
    expect(policy.Statement[1]).toEqual({
      Sid: "EventBridgeRulesPublish",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: TOPIC,
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    });
  });
});

describe("removal", () => {
  it("keeps the topic, its key and the session logs in production, and removes them elsewhere", () => {
    expect(retainedIn(true)).toEqual({ retainOnDelete: true });
    expect(retainedIn(false)).toEqual({ retainOnDelete: false });
  });
});
