/**
 * Session transcripts in CloudWatch Logs, encrypted. Session Manager's `cloudWatchEncryptionEnabled`
 * streams only to an encrypted log group
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-logging.html), so the
 * stack gives each region's session log group a KMS key of its own. CloudWatch Logs may use a key only
 * when the key policy admits the regional service principal `logs.<region>.amazonaws.com`; the
 * `kms:EncryptionContext:aws:logs:arn` condition limits that to the one log group
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html). Pure.
 */
import { managedLogGroupName } from "../core/transcripts.ts";
import { accountRootArn, logGroupArn } from "./arns.ts";

/**
 * The session log group's fixed name (fixed so the key policy can name it before it exists). Core
 * owns it: notices derive each session's log stream from it (core/transcripts.ts).
 */
export const sessionLogGroupName = managedLogGroupName;

export interface SessionLogsKeyInput {
  partition: string;
  accountId: string;
  region: string;
  logGroupName: string;
}

/** The key policy: the account administers the key; CloudWatch Logs uses it for this log group. */
export function sessionLogsKeyPolicy(input: SessionLogsKeyInput) {
  const { partition, accountId, region, logGroupName } = input;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: accountRootArn(partition, accountId) },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsUseForSessionLogs",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnEquals: {
            "kms:EncryptionContext:aws:logs:arn": logGroupArn(partition, region, accountId, logGroupName),
          },
        },
      },
    ],
  };
}
