/**
 * ARNs the stacks build, in the configuration's partition (aws, aws-cn, aws-us-gov): never a
 * hard-coded `arn:aws`. Pure.
 */

/** The default event bus of a region: where AWS services' CloudTrail events arrive. */
export const defaultBusArn = (partition: string, region: string, accountId: string): string =>
  `arn:${partition}:events:${region}:${accountId}:event-bus/default`;

/** The account itself as a principal (key policies: the account administers its keys). */
export const accountRootArn = (partition: string, accountId: string): string =>
  `arn:${partition}:iam::${accountId}:root`;

/** A Step Functions state machine by name. */
export const stateMachineArn = (partition: string, region: string, accountId: string, name: string): string =>
  `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`;

/** A CloudWatch Logs log group by name (the form KMS sees in the aws:logs:arn encryption context). */
export const logGroupArn = (partition: string, region: string, accountId: string, name: string): string =>
  `arn:${partition}:logs:${region}:${accountId}:log-group:${name}`;

/** A managed policy by path and name. */
export const managedPolicyArn = (partition: string, accountId: string, path: string, name: string): string =>
  `arn:${partition}:iam::${accountId}:policy${path}${name}`;
