/**
 * SNS notifier: every notice as a structured JSON message, with message attributes (event, profile,
 * requester, status) so subscribers can filter without parsing the body.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Notice, Notifier } from "../../core/ports.ts";
import { call } from "./errors.ts";

/** The message body a subscriber receives. Stable field names: treat as a public contract. */
export function noticeMessage(notice: Notice) {
  const r = notice.request;
  return {
    event: notice.type,
    requestId: r.id,
    profile: r.profileId,
    requester: r.requester.slackUserId,
    principal: r.principal.arn,
    status: r.status,
    reason: r.reason,
    ticket: r.ticket,
    expiresAt: r.expiresAt,
    detail: notice.detail,
  };
}

export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(topicArn: string, client = new SNSClient({})) {
    this.topicArn = topicArn;
    this.client = client;
  }

  async notify(notice: Notice): Promise<void> {
    const r = notice.request;
    const attribute = (value: string) => ({ DataType: "String", StringValue: value });
    await call("Publish", () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: `JIT access ${notice.type}: ${r.profileId} ${r.id}`.slice(0, 100),
          Message: JSON.stringify(noticeMessage(notice)),
          MessageAttributes: {
            event: attribute(notice.type),
            profile: attribute(r.profileId),
            requester: attribute(r.requester.slackUserId),
            status: attribute(r.status),
          },
        }),
      ),
    );
  }
}
