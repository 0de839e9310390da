/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The guard around the configured principals (principal-guard.ts says why): the permissions boundary
 * policy, when asked for, and the alarm on Put*Policy calls that are not ours, published to the
 * notices topic. IAM's events arrive in us-east-1 only; from there a rule forwards them to home's bus
 * (an EventBridge rule's SNS target must be in the rule's own region:
 * https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification), where a second rule
 * publishes.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { defaultBusArn } from "./arns.ts";
import {
  BOUNDARY_NAME,
  BOUNDARY_PATH,
  permissionsBoundaryPolicy,
  putPolicyAlarmPatterns,
  putPolicyAlarmPlacement,
} from "./principal-guard.ts";
import { inRegion } from "./providers.ts";

/** The boundary as a managed policy; attaching it to a principal is left to the user (README). */
export function createPermissionsBoundary() {
  return new aws.iam.Policy("PrincipalBoundary", {
    name: BOUNDARY_NAME,
    path: BOUNDARY_PATH,
    description: "Caps a JIT access principal at Session Manager; attach as its permissions boundary",
    policy: JSON.stringify(permissionsBoundaryPolicy()),
  });
}

/** Rules that publish any non-jit Put*Policy on a configured principal to the notices topic. */
export function alarmOnForeignPolicies(
  config: AccessConfig,
  home: string,
  topic: sst.aws.SnsTopic,
  forwarder: aws.iam.Role,
) {
  const { listen, forwardTo } = putPolicyAlarmPlacement(home);
  const message = {
    inputPaths: {
      event: "$.detail.eventName",
      role: "$.detail.requestParameters.roleName",
      user: "$.detail.requestParameters.userName",
      policy: "$.detail.requestParameters.policyName",
      by: "$.detail.userIdentity.arn",
    },
    inputTemplate:
      '"ALERT: <event> wrote policy <policy> on a JIT access principal (role <role>, user <user>) by <by>; only jit-* policies are ours."',
  };
  return putPolicyAlarmPatterns(config).map((pattern, i) => {
    const eventPattern = JSON.stringify(pattern);
    if (forwardTo) {
      const opts = inRegion(listen, home);
      const rule = new aws.cloudwatch.EventRule(`ForeignPolicyWatch${i}`, { eventPattern }, opts);
      new aws.cloudwatch.EventTarget(
        `ForeignPolicyWatch${i}Target`,
        {
          rule: rule.name,
          arn: defaultBusArn(config.partition, forwardTo, config.accountId),
          roleArn: forwarder.arn,
        },
        opts,
      );
    }
    const alarm = new aws.cloudwatch.EventRule(`ForeignPolicyAlarm${i}`, {
      description: "An inline policy not named jit-* was put on a principal JIT access manages",
      eventPattern,
    });
    new aws.cloudwatch.EventTarget(`ForeignPolicyAlarm${i}Target`, {
      rule: alarm.name,
      arn: topic.arn,
      inputTransformer: message,
    });
    return alarm;
  });
}
