/** The notifier every function uses: Slack (channel, DMs, audit) and the SNS topic, side by side. */
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { SnsNotifier } from "../adapters/aws/sns.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { FanOutNotifier } from "../adapters/fan-out.ts";
import { SlackNotifier } from "../adapters/slack/notifier.ts";
import { accountLabel } from "../core/accounts.ts";
import type { AccessConfig } from "../core/config/load.ts";
import type { Notifier } from "../core/ports.ts";
import { env } from "./runtime.ts";
import { slackClient } from "./slack-client.ts";

export function notifierFor(config: AccessConfig): Notifier {
  const slack = new SlackNotifier({
    client: slackClient(env("SLACK_BOT_TOKEN")),
    config,
    store: new DynamoRequestStore(env("TABLE_NAME")),
    sessions: new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
  });
  return new FanOutNotifier([
    { name: "slack", notifier: slack },
    {
      name: "sns",
      // Session notices name their account by its name in the config as well as by id.
      notifier: new SnsNotifier(env("TOPIC_ARN"), undefined, config.notices, (id) =>
        accountLabel(config, id),
      ),
    },
  ]);
}
