/** The break-glass alert on the topic: subscribers filter on the message attribute `event=break-glass`. */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { SnsNotifier } from "../../../adapters/aws/sns.ts";
import { aRequest } from "../../helpers/requests.ts";

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

describe("SnsNotifier and break-glass", () => {
  it.each(["break-glass", "break-glass-reminder", "break-glass-escalation", "on-call-approved"] as const)(
    "publishes %s with the event attribute and the record's review state",
    async (type) => {
      // Prepare
      sns.on(PublishCommand).resolves({ MessageId: "m-1" });
      const request = aRequest({
        status: "ACTIVE",
        reason: "checkout is down and nobody answers the pager",
        breakGlass: {
          at: "2026-11-26T09:00:00.000Z",
          reviewDueAt: "2026-11-27T09:00:00.000Z",
          nextReminderAt: "2026-11-26T13:00:00.000Z",
          remindersSent: 0,
        },
      });
      // Act
      await new SnsNotifier("arn:aws:sns:eu-west-1:123456789012:jit", new SNSClient({})).notify({
        type,
        request,
        detail: { reason: request.reason },
      });
      // Assess
      const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
      expect(input?.MessageAttributes?.event).toEqual({ DataType: "String", StringValue: type });
      expect(JSON.parse(input?.Message ?? "{}")).toMatchObject({
        event: type,
        requestId: request.id,
        breakGlass: { reviewDueAt: "2026-11-27T09:00:00.000Z" },
      });
    },
  );
});
