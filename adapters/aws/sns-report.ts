/**
 * Publishes the weekly report to the notices topic as one JSON message, with attributes subscribers
 * can filter on (`event = weekly-report`). The message is held under SNS's limit by
 * core/report-message.ts, with room kept for the attributes (SNS counts them in the same limit).
 */
import { type MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { ReportOutlets, WeeklyReport } from "../../core/report.ts";
import { reportMessage, SNS_MAX_MESSAGE_BYTES } from "../../core/report-message.ts";
import { call } from "./errors.ts";

const attribute = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });

/** Bytes SNS counts for the attributes: each name, data type and value. */
const attributeBytes = (attributes: Record<string, MessageAttributeValue>) =>
  Object.entries(attributes).reduce(
    (n, [name, a]) =>
      n +
      [name, a.DataType ?? "", a.StringValue ?? ""].reduce(
        (m, s) => m + new TextEncoder().encode(s).length,
        0,
      ),
    0,
  );

export class SnsReportPublisher implements Pick<ReportOutlets, "publishFull"> {
  private readonly topicArn: string;
  private readonly client: SNSClient;

  constructor(topicArn: string, client = new SNSClient({})) {
    this.topicArn = topicArn;
    this.client = client;
  }

  async publishFull(report: WeeklyReport): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      event: attribute("weekly-report"),
      from: attribute(report.from),
      to: attribute(report.to),
      complete: attribute("true"),
    };
    const budget = SNS_MAX_MESSAGE_BYTES - attributeBytes(attributes) - 64;
    const { message, omitted } = reportMessage(report, budget);
    if (omitted) attributes.complete = attribute("false");
    await call("Publish", () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: `JIT weekly access report ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}`,
          Message: message,
          MessageAttributes: attributes,
        }),
      ),
    );
  }
}
