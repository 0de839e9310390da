/**
 * Policies of the notices topic and its key, and what `sst remove` keeps. Pure, in the config's
 * partition.
 *
 * EventBridge publishes to an SNS topic only if the topic policy lets events.amazonaws.com call
 * sns:Publish and, for an encrypted topic, the key policy lets it use the key
 * (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification).
 */
import { accountRootArn } from "./arns.ts";

const PUBLISH_WITH_KEY = ["kms:GenerateDataKey*", "kms:Decrypt"];

/** The key: the account administers it; CloudWatch alarms and EventBridge rules publish with it. */
export function noticesKeyPolicy(partition: string, accountId: string) {
  const service = (Sid: string, Service: string) => ({
    Sid,
    Effect: "Allow",
    Principal: { Service },
    Action: PUBLISH_WITH_KEY,
    Resource: "*",
  });
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: accountRootArn(partition, accountId) } as Record<string, string>,
        Action: "kms:*" as string | string[],
        Resource: "*",
      },
      service("AlarmsPublish", "cloudwatch.amazonaws.com"),
      service("EventBridgeRulesPublish", "events.amazonaws.com"),
    ],
  };
}

/**
 * The topic policy. Setting one replaces SNS's default, so its default statement (the owning account
 * may use the topic) comes first, then EventBridge rules of this account may publish.
 */
export function noticesTopicPolicy(topicArn: string, accountId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountOwnsTopic",
        Effect: "Allow",
        Principal: { AWS: "*" } as Record<string, string>,
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ] as string | string[],
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": accountId } } as Record<
          string,
          Record<string, string>
        >,
      },
      {
        Sid: "EventBridgeRulesPublish",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * Resource options for what production keeps on `sst remove`. SST's `removal: "retain"` keeps only
 * tables, buckets and databases (.sst/platform/src/auto/run.ts); the topic (and its subscriptions),
 * its key, and the session logs with their key are kept here explicitly: a transcript without its key
 * cannot be read.
 */
export const retainedIn = (production: boolean) => ({ retainOnDelete: production });
