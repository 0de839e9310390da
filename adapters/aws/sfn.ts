/** Step Functions adapter: one execution per request, named after it, and the approval task token. */
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { log } from "../../core/log.ts";
import type { Workflow, WorkflowInput } from "../../core/ports.ts";
import { call, errorName } from "./errors.ts";

/** The execution that applies the record written at `version` (see `Workflow.sync`). */
export const syncExecutionName = (requestId: string, version: number): string =>
  `${requestId}-sync-${version}`;

/** Whether an execution's stored input is this input (key order aside). */
function sameInput(stored: string | undefined, input: WorkflowInput): boolean {
  try {
    const parsed = JSON.parse(stored ?? "") as Record<string, unknown>;
    const keys = new Set([...Object.keys(parsed), ...Object.keys(input)]);
    return [...keys].every((k) => parsed[k] === (input as unknown as Record<string, unknown>)[k]);
  } catch {
    return false;
  }
}

/** Token errors that mean the approval step is already over (timed out or settled). */
const STALE_TOKEN = new Set(["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"]);

export class StepFunctionsWorkflow implements Workflow {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(stateMachineArn: string, client = new SFNClient({})) {
    this.stateMachineArn = stateMachineArn;
    this.client = client;
  }

  private executionArn(requestId: string): string {
    return `${this.stateMachineArn.replace(":stateMachine:", ":execution:")}:${requestId}`;
  }

  start(requestId: string, input: WorkflowInput): Promise<void> {
    return this.startExecution(requestId, input);
  }

  /** `<requestId>-sync-<version>`: at most 80 characters of [A-Za-z0-9-_], as Step Functions requires. */
  sync(requestId: string, version: number): Promise<void> {
    return this.startExecution(syncExecutionName(requestId, version), {
      requestId,
      action: "sync",
      autoApprove: false,
      approvalTimeoutSeconds: 0,
    });
  }

  private async startExecution(name: string, input: WorkflowInput): Promise<void> {
    try {
      await call("StartExecution", () =>
        this.client.send(
          new StartExecutionCommand({
            stateMachineArn: this.stateMachineArn,
            name,
            input: JSON.stringify(input),
          }),
        ),
      );
    } catch (error) {
      if (errorName(error) !== "ExecutionAlreadyExists") throw error;
      // A second start of the same execution (a repeated click, a retry) is a no-op, but only if the
      // one that exists is ours: one started under this name with another input would otherwise
      // stand in for the real cleanup unseen.
      const existing = await call("DescribeExecution", () =>
        this.client.send(new DescribeExecutionCommand({ executionArn: this.executionArn(name) })),
      );
      if (!sameInput(existing.input, input)) {
        throw new Error(
          `execution ${name} exists with another input (${existing.input ?? "none"}); it was not started by this product`,
        );
      }
    }
  }

  private async sendToken(operation: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await call(operation, send);
    } catch (error) {
      const name = errorName(error) ?? "";
      if (!STALE_TOKEN.has(name)) throw error;
      log.warn("approval step already over", { operation, error: name });
    }
  }

  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    return this.sendToken("SendTaskSuccess", () =>
      this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    return this.sendToken("SendTaskFailure", () =>
      this.client.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_000) })),
    );
  }

  async status(requestId: string): Promise<string | undefined> {
    try {
      const result = await call("DescribeExecution", () =>
        this.client.send(new DescribeExecutionCommand({ executionArn: this.executionArn(requestId) })),
      );
      return result.status;
    } catch (error) {
      if (errorName(error) === "ExecutionDoesNotExist") return undefined;
      throw error;
    }
  }
}
