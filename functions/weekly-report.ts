/**
 * The weekly access report, on the schedule the config sets (stacks/report.ts): the summary to the
 * audit channel, the full report as JSON to the notices topic. Reads only: no IAM, no sessions.
 */
import * as z from "zod/mini";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { SnsReportPublisher } from "../adapters/aws/sns-report.ts";
import { SlackReportPoster } from "../adapters/slack/weekly-report.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { log } from "../core/log.ts";
import { type ReportOutlets, sendWeeklyReport } from "../core/report.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { slackClient } from "./slack-client.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  // The drift section reads the session alerts.
  sessionLog: () => new DynamoRequestStore(env("TABLE_NAME")),
});

let outlets: ReportOutlets | undefined;

/** The Slack channel and the topic, built once per container. */
function outletsFor(config: AccessConfig): ReportOutlets {
  if (!outlets) {
    const slack = new SlackReportPoster(slackClient(env("SLACK_BOT_TOKEN")), config.slack.auditChannel);
    const sns = new SnsReportPublisher(env("TOPIC_ARN"));
    outlets = { postSummary: (r) => slack.postSummary(r), publishFull: (r) => sns.publishFull(r) };
  }
  return outlets;
}

/** The scheduler's event carries nothing we need; anything object-shaped is accepted. */
const scheduled = z.looseObject({});

export const handler = makeHandler("weekly-report", scheduled, deps, async (d) => {
  const report = await sendWeeklyReport(d, outletsFor(d.config));
  const summary = { from: report.from, to: report.to, ...report.totals };
  log.info("weekly report sent", summary);
  return summary;
});
