/// <reference path="../.sst/platform/config.d.ts" />
/** The notices topic, encrypted with a key of its own that CloudWatch alarms may use to publish. */

export function createNotices(accountId: string) {
  const key = new aws.kms.Key("NoticesKey", {
    description: "Encrypts the JIT access notices topic",
    enableKeyRotation: true,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "AlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
        },
      ],
    }),
  });
  const topic = new sst.aws.SnsTopic("Notices", {
    transform: { topic: { kmsMasterKeyId: key.id } },
  });
  return { key, topic };
}
