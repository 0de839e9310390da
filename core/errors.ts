/**
 * Typed errors of the domain. Each carries a stable `name` so callers (handlers, the CLI, Slack
 * listeners) can narrow with `instanceof` and turn them into a clear message without string matching.
 */

/** One problem found in a configuration file, with the dotted path it is about. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The access configuration is invalid; `issues` lists every problem at once. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n"));
    this.issues = issues;
  }
}

/** One thing wrong with a person's input, and the field it is about. */
export interface InputProblem {
  field: string;
  message: string;
}

/**
 * Input from a person (a duration, a reason, a ticket) that cannot be accepted. `problems` holds every
 * problem found, so one answer lists them all; `field` and `message` are the first and all of them.
 */
export class ValidationError extends Error {
  override name = "ValidationError";
  readonly field: string;
  readonly problems: readonly InputProblem[];
  constructor(field: string, message: string, more: readonly InputProblem[] = []) {
    const problems = [{ field, message }, ...more];
    super(problems.map((p) => p.message).join("; "));
    this.field = field;
    this.problems = problems;
  }

  /** One error for all the problems given (at least one). */
  static of(problems: readonly [InputProblem, ...InputProblem[]]): ValidationError {
    const [first, ...more] = problems;
    return new ValidationError(first.field, first.message, more);
  }
}

/** A request would move between statuses in a way the lifecycle forbids. */
export class IllegalTransitionError extends Error {
  override name = "IllegalTransitionError";
  readonly from: string;
  readonly to: string;
  constructor(from: string, to: string) {
    super(`a request cannot go from ${from} to ${to}`);
    this.from = from;
    this.to = to;
  }
}

/** The actor is not allowed to do this (approve, deny, revoke, cancel). */
export class NotAuthorizedError extends Error {
  override name = "NotAuthorizedError";
}

/** A profile, request or principal that does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A grant would not fit the principal's inline-policy size quota. */
export class QuotaExceededError extends Error {
  override name = "QuotaExceededError";
  readonly used: number;
  readonly needed: number;
  readonly limit: number;
  constructor(message: string, used: number, needed: number, limit: number) {
    super(message);
    this.used = used;
    this.needed = needed;
    this.limit = limit;
  }
}

/** A conditional write lost a race: the record changed since it was read. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/**
 * A grant slot stayed busy (another writer held its lease) or a write did not read back: safe to
 * retry, and the workflow's Retry blocks do.
 */
export class SlotBusyError extends Error {
  override name = "SlotBusyError";
}

/** A record kept changing while IAM was being made to follow it: safe to retry (the workflow does). */
export class StillChangingError extends Error {
  override name = "StillChangingError";
}
