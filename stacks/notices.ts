/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The notices topic, encrypted with a key of its own that CloudWatch alarms and EventBridge rules may
 * use to publish. Production keeps both on `sst remove` (see notices-policies.ts).
 */
import { noticesKeyPolicy, noticesTopicPolicy, retainedIn } from "./notices-policies.ts";

export function createNotices(partition: string, accountId: string, production: boolean) {
  const keep = retainedIn(production);
  const key = new aws.kms.Key(
    "NoticesKey",
    {
      description: "Encrypts the JIT access notices topic",
      enableKeyRotation: true,
      policy: JSON.stringify(noticesKeyPolicy(partition, accountId)),
    },
    keep,
  );
  const topic = new sst.aws.SnsTopic("Notices", {
    transform: {
      topic: (args, opts) => {
        args.kmsMasterKeyId = key.id;
        opts.retainOnDelete = keep.retainOnDelete;
      },
    },
  });
  new aws.sns.TopicPolicy("NoticesPolicy", {
    arn: topic.arn,
    policy: topic.arn.apply((arn) => JSON.stringify(noticesTopicPolicy(arn, accountId))),
  });
  return { key, topic };
}
