/**
 * The workflow, run in-process by aws-local-stepfunctions from the same definition that is deployed.
 * Task states call local handlers (the real Lambda handlers, in tests and the sandbox). The engine has
 * no waitForTaskToken, so "Ask approvers" parks a promise under the execution's task token, and
 * SendTaskSuccess / SendTaskFailure settle it.
 */
import { randomUUID } from "node:crypto";
import { StateMachine } from "aws-local-stepfunctions";
import type { Workflow, WorkflowInput } from "../../core/ports.ts";
import type { StateMachineDefinition } from "../../workflows/asl.ts";

type Json = Parameters<StateMachine["run"]>[0];
/** A local stand-in for one task state: receives the state's effective input, returns its result. */
export type LocalTask = (input: Record<string, unknown>) => Promise<unknown>;

export interface LocalWorkflowOptions {
  definition: StateMachineDefinition;
  /** Handlers by state name; the waitForTaskToken state gets its Payload. */
  tasks: Record<string, LocalTask>;
  /** The state that waits for a task token. */
  tokenState: string;
  /** Milliseconds to wait instead of the definition's Wait (tests: 0). */
  waitTimeOverrides?: Record<string, number>;
  /** Milliseconds between retries instead of the definition's backoff (tests: 0). */
  retryIntervalMs?: number;
}

interface Execution {
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED";
  /** Waiting for SendTaskSuccess / SendTaskFailure. */
  parked?: boolean;
  error?: string;
  done: Promise<void>;
  abort: () => void;
}

/** An error a local handler throws so Catch rules match it by name, as Step Functions would. */
export class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * aws-local-stepfunctions 3 reads `TimeoutSecondsPath` from a task's effective input (after
 * Parameters); Step Functions reads it from the state's raw input. The local copy therefore also
 * passes that field through Parameters, so both find the same value. Nothing else changes.
 */
export function adaptForLocalEngine(definition: StateMachineDefinition): StateMachineDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (state.Type !== "Task" || !state.TimeoutSecondsPath || !state.Parameters) return [name, state];
      const field = state.TimeoutSecondsPath.replace(/^\$\./, "");
      return [
        name,
        { ...state, Parameters: { ...state.Parameters, [`${field}.$`]: state.TimeoutSecondsPath } },
      ];
    }),
  );
  return { ...definition, States: states };
}

export class LocalWorkflow implements Workflow {
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, Execution>();
  private readonly waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly options: LocalWorkflowOptions;
  /** Handler calls still running, so a stop can wait for them instead of pulling the store away. */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(options: LocalWorkflowOptions) {
    this.options = options;
    this.machine = new StateMachine(
      adaptForLocalEngine(options.definition) as unknown as ConstructorParameters<typeof StateMachine>[0],
    );
  }

  async start(requestId: string, input: WorkflowInput): Promise<void> {
    return this.run(requestId, input);
  }

  async sync(requestId: string, version: number): Promise<void> {
    return this.run(`${requestId}-sync-${version}`, {
      requestId,
      action: "sync",
      autoApprove: false,
      approvalTimeoutSeconds: 0,
    });
  }

  /** Starts an execution named `name`; a second start under the same name is a no-op. */
  private async run(name: string, input: WorkflowInput): Promise<void> {
    if (this.executions.has(name)) return;
    const token = `${name}:${randomUUID()}`;
    const tasks: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [state, run] of Object.entries(this.options.tasks)) {
      tasks[state] = async (stateInput) => {
        const value = stateInput as Record<string, unknown>;
        if (state !== this.options.tokenState) return (await this.track(run(value))) as Json;
        // Park first, then ask: an approval that lands while the handler runs still finds the waiter.
        const parked = new Promise((resolve, reject) => this.waiting.set(token, { resolve, reject }));
        // A failure sent while the handler itself fails (and is retried with a fresh waiter) lands on a
        // waiter nobody awaits any more; on AWS it is simply an invalid token. Not an unhandled error.
        parked.catch(() => {});
        await this.track(run(value.Payload as Record<string, unknown>));
        const execution = this.executions.get(name);
        if (execution) execution.parked = true;
        try {
          return (await parked) as Json;
        } finally {
          if (execution) execution.parked = false;
        }
      };
    }
    const { retryIntervalMs } = this.options;
    const retryIntervalOverrides =
      retryIntervalMs === undefined
        ? undefined
        : Object.fromEntries(Object.keys(this.options.definition.States).map((s) => [s, retryIntervalMs]));
    const run = this.machine.run(
      input as unknown as Json,
      {
        overrides: {
          taskResourceLocalHandlers: tasks,
          waitTimeOverrides: this.options.waitTimeOverrides,
          retryIntervalOverrides,
        },
        context: {
          Execution: {
            Id: name,
            Name: name,
            Input: input as unknown as Json,
            StartTime: new Date().toISOString(),
          },
          Task: { Token: token },
        },
        noThrowOnAbort: true,
      } as Parameters<StateMachine["run"]>[1],
    );
    const execution: Execution = { status: "RUNNING", abort: run.abort, done: Promise.resolve() };
    execution.done = run.result.then(
      () => {
        if (execution.status === "RUNNING") execution.status = "SUCCEEDED";
      },
      (error: unknown) => {
        execution.status = "FAILED";
        execution.error = error instanceof Error ? error.message : String(error);
      },
    );
    this.executions.set(name, execution);
  }

  private track<T>(call: Promise<T>): Promise<T> {
    this.inflight.add(call);
    call.then(
      () => this.inflight.delete(call),
      () => this.inflight.delete(call),
    );
    return call;
  }

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    this.waiting.get(taskToken)?.resolve(output);
    this.waiting.delete(taskToken);
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    this.waiting.get(taskToken)?.reject(new TaskFailure(error, cause));
    this.waiting.delete(taskToken);
  }

  async status(requestId: string): Promise<string | undefined> {
    return this.executions.get(requestId)?.status;
  }

  /** Names of every execution started so far (requests and their syncs). */
  names(): string[] {
    return [...this.executions.keys()];
  }

  /** Whether any execution is moving (not ended, not parked for an approval) or a handler runs. */
  busy(): boolean {
    const moving = [...this.executions.values()].some((e) => e.status === "RUNNING" && !e.parked);
    return moving || this.inflight.size > 0;
  }

  /**
   * Resolves when nothing moves any more: every execution has ended or is parked waiting for an
   * approval, and no handler call is running (tests check invariants at that point).
   */
  async quiescent(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.busy()) return;
      if (Date.now() > deadline) throw new Error("the local workflow never came to rest");
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Resolves when the execution has ended (tests and the sandbox wait on it). */
  async settled(requestId: string): Promise<{ status: string; error?: string | undefined }> {
    const execution = this.executions.get(requestId);
    if (!execution) throw new Error(`no execution for ${requestId}`);
    await execution.done;
    return { status: execution.status, error: execution.error };
  }

  /** Stops an execution as if Step Functions had lost it (fault tests, sandbox shutdown). */
  abort(requestId: string): void {
    const execution = this.executions.get(requestId);
    if (execution?.status !== "RUNNING") return;
    execution.status = "ABORTED";
    execution.abort();
  }

  /** Aborts everything still running and waits for handler calls already under way to finish. */
  async stopAll(): Promise<void> {
    for (const id of this.executions.keys()) this.abort(id);
    await Promise.allSettled([...this.inflight]);
  }
}
