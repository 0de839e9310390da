/**
 * `cloudWatchEncryptionEnabled: true` needs an encrypted log group, so the stack encrypts the session
 * log group with a key CloudWatch Logs may use for that log group only. Failed on main before this
 * change: the log group had no kmsKeyId and stacks/session-logs.ts did not exist (no key policy at all).
 */
import { describe, expect, it } from "vitest";
import { sessionLogGroupName, sessionLogsKeyPolicy } from "../../../stacks/session-logs.ts";

const ACCOUNT = "123456789012";

describe("the session log group's key", () => {
  const name = sessionLogGroupName("ssm-jit-access", "production");
  const policy = sessionLogsKeyPolicy({
    partition: "aws",
    accountId: ACCOUNT,
    region: "eu-central-1",
    logGroupName: name,
  });

  it("lets the account administer it", () => {
    expect(policy.Statement[0]).toMatchObject({
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
    });
  });

  it("admits CloudWatch Logs of that region, for that log group only", () => {
    expect(policy.Statement[1]).toEqual({
      Sid: "CloudWatchLogsUseForSessionLogs",
      Effect: "Allow",
      Principal: { Service: "logs.eu-central-1.amazonaws.com" },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnEquals: {
          "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-central-1:${ACCOUNT}:log-group:/ssm-jit-access/production/sessions`,
        },
      },
    });
  });

  it("follows the partition", () => {
    const cn = sessionLogsKeyPolicy({
      partition: "aws-cn",
      accountId: ACCOUNT,
      region: "cn-north-1",
      logGroupName: name,
    });
    expect(JSON.stringify(cn)).not.toContain("arn:aws:");
  });
});
