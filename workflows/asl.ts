/** The slice of the Amazon States Language this product uses, typed so the definition is checked. */

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface Flow {
  Comment?: string;
  Next?: string;
  End?: true;
}

export interface TaskState extends Flow {
  Type: "Task";
  Resource: string;
  Parameters?: Record<string, unknown>;
  ResultSelector?: Record<string, unknown>;
  ResultPath?: string | null;
  OutputPath?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface WaitState extends Flow {
  Type: "Wait";
  TimestampPath?: string;
  Seconds?: number;
}

/** One comparison of a Choice rule (also the operands of `And`). */
export interface Comparison {
  Variable: string;
  BooleanEquals?: boolean;
  StringEquals?: string;
  IsPresent?: boolean;
}

export type ChoiceRule = (Comparison | { And: Comparison[] }) & { Next: string };

export interface ChoiceState {
  Type: "Choice";
  Comment?: string;
  Choices: ChoiceRule[];
  Default: string;
}

export interface PassState extends Flow {
  Type: "Pass";
  Result?: unknown;
  ResultPath?: string | null;
}

export interface SucceedState {
  Type: "Succeed";
  Comment?: string;
}

export interface FailState {
  Type: "Fail";
  Comment?: string;
  Error: string;
  Cause?: string;
}

export type State = TaskState | WaitState | ChoiceState | PassState | SucceedState | FailState;

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}
