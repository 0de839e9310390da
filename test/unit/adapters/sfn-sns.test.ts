import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { StepFunctionsWorkflow } from "../../../adapters/aws/sfn.ts";
import { SnsNotifier } from "../../../adapters/aws/sns.ts";
import { aRequest } from "../../helpers/requests.ts";

const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:jit-access";
const workflow = () => new StepFunctionsWorkflow(MACHINE, new SFNClient({ region: "eu-west-1" }));
const input = { requestId: "20261126-abcdefgh", autoApprove: false, approvalTimeoutSeconds: 1800 };

beforeEach(() => {
  sfn.reset();
  sns.reset();
});

describe("StepFunctionsWorkflow", () => {
  it("names the execution after the request", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: "x", startDate: new Date() });
    await workflow().start(input.requestId, input);
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: "20261126-abcdefgh",
      input: JSON.stringify(input),
    });
  });

  it("treats a second start of the same request as done", async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(input) });
    await expect(workflow().start(input.requestId, input)).resolves.toBeUndefined();
  });

  it("refuses to take an execution of that name with another input for its own", async () => {
    // Review 2026-11-29: ExecutionAlreadyExists was taken for "already started" whatever the input,
    // so a sync pre-started under the name with another input stood in for the real cleanup.
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ input: JSON.stringify({ requestId: input.requestId, action: "noop" }) });
    await expect(workflow().sync(input.requestId, 3)).rejects.toThrow(
      `execution ${input.requestId}-sync-3 exists with another input`,
    );
  });

  it("ignores a token whose step is already over, and says so in the log", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: "timed out", $metadata: {} }));
    await expect(workflow().sendTaskSuccess("token", { approvedBy: ["U1"] })).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("TaskTimedOut"));
    warn.mockRestore();
  });

  it("reads an execution's status, and undefined when none exists", async () => {
    sfn
      .on(DescribeExecutionCommand, {
        executionArn: "arn:aws:states:eu-west-1:123456789012:execution:jit-access:r1",
      })
      .resolves({
        status: "FAILED",
      } as never);
    expect(await workflow().status("r1")).toBe("FAILED");
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: "none", $metadata: {} }));
    expect(await workflow().status("r2")).toBeUndefined();
  });
});

describe("SnsNotifier", () => {
  it("publishes a structured message with filterable attributes", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m1" });
    const request = aRequest({ status: "ACTIVE", expiresAt: "2026-11-26T10:00:00.000Z" });
    await new SnsNotifier(
      "arn:aws:sns:eu-west-1:123456789012:jit",
      new SNSClient({ region: "eu-west-1" }),
    ).notify({
      type: "granted",
      request,
    });
    const sent = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes).toEqual({
      event: { DataType: "String", StringValue: "granted" },
      profile: { DataType: "String", StringValue: "prod-web" },
      requester: { DataType: "String", StringValue: "U01ALICE" },
      status: { DataType: "String", StringValue: "ACTIVE" },
    });
    expect(JSON.parse(sent?.Message ?? "{}")).toMatchObject({
      event: "granted",
      requestId: request.id,
      profile: "prod-web",
      principal: request.principal.arn,
      expiresAt: "2026-11-26T10:00:00.000Z",
    });
  });
});
