/**
 * The guard around the principals the config names (issue 10.5). IAM cannot condition on an inline
 * policy's name, so `jit-*` is enforced only in code; two things limit the damage if anything else
 * writes a policy on those principals. Pure: tested with iam-simulate and an EventBridge matcher.
 *
 * 1. A permissions boundary (a managed policy the stack creates, `/jit/jit-session-manager-boundary`)
 *    that caps a principal at Session Manager. The stack only creates it; attaching it is the user's
 *    decision (`aws iam put-role-permissions-boundary`), because it also caps whatever else the
 *    principal does today.
 * 2. An alarm on PutRolePolicy/PutUserPolicy on a configured principal whose policy name does not start
 *    with `jit-` (EventBridge `anything-but: {prefix}`:
 *    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
 */
import type { AccessConfig } from "../core/config/load.ts";
import { configuredPrincipalArns, parsePrincipalArn } from "../core/principal.ts";

export const BOUNDARY_PATH = "/jit/";
export const BOUNDARY_NAME = "jit-session-manager-boundary";

/**
 * IAM is a global service: its CloudTrail events reach EventBridge in us-east-1 only
 * (https://repost.aws/knowledge-center/eventbridge-rule-triggers-iam-single-region).
 */
export const IAM_EVENTS_REGION = "us-east-1";

/**
 * The most a capped principal may do: Session Manager sessions, finding its nodes, and the KMS call
 * encrypted sessions need. What it may actually do is still only what its `jit-*` grant allows
 * (a boundary never grants: the effective permissions are the intersection).
 */
export function permissionsBoundaryPolicy() {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "SessionManagerOnly",
        Effect: "Allow",
        Action: [
          "ssm:StartSession",
          "ssm:ResumeSession",
          "ssm:TerminateSession",
          "ssm:DescribeSessions",
          "ssm:GetConnectionStatus",
          "ssm:DescribeInstanceInformation",
          "ssm:DescribeInstanceProperties",
          "ssm:GetDocument",
          "ssm:DescribeDocument",
          "ec2:DescribeInstances",
          "kms:GenerateDataKey",
          "sts:GetCallerIdentity",
        ],
        Resource: "*",
      },
    ],
  };
}

/** EventBridge patterns: one for roles, one for users (a pattern cannot say "roleName or userName"). */
export function putPolicyAlarmPatterns(config: AccessConfig) {
  const parsed = configuredPrincipalArns(config).map(parsePrincipalArn);
  const names = (type: "role" | "user") => [
    ...new Set(parsed.filter((p) => p.type === type && p.accountId === config.accountId).map((p) => p.name)),
  ];
  const notOurs = [{ "anything-but": { prefix: "jit-" } }];
  const pattern = (eventName: string, key: "roleName" | "userName", values: string[]) => ({
    source: ["aws.iam"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["iam.amazonaws.com"],
      eventName: [eventName],
      requestParameters: { [key]: values, policyName: notOurs },
    },
  });
  const out = [];
  const roles = names("role");
  const users = names("user");
  if (roles.length > 0) out.push(pattern("PutRolePolicy", "roleName", roles));
  if (users.length > 0) out.push(pattern("PutUserPolicy", "userName", users));
  return out;
}

/**
 * Where the alarm's rules live: one in us-east-1 that sees the IAM calls; when home is another region,
 * that rule forwards to home's default bus (cross-region targets are buses only), where a second rule
 * publishes to the notices topic.
 */
export function putPolicyAlarmPlacement(home: string): { listen: string; forwardTo: string | undefined } {
  return { listen: IAM_EVENTS_REGION, forwardTo: home === IAM_EVENTS_REGION ? undefined : home };
}
