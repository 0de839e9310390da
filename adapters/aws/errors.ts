/**
 * AWS errors that mean "try again later" (throttling, 5xx, network) become TransientAwsError, the one
 * name the workflow's Retry blocks list besides Lambda's own. Everything else passes through unchanged.
 *
 * A member account's client signs with credentials from AccountCredentials (accounts.ts); when its
 * AssumeRole fails, the SDK hands that provider's error to the caller of `send` as it was thrown, the
 * same object, before any request is sent and without retrying it (held by
 * test/unit/adapters/account-errors.test.ts on real IAM and SSM clients). So an
 * AccountUnreachableError reaches `call()`, which keeps it as it is: its class, its account and its
 * name (AccountThrottledError, retried by the workflow, or AccountUnreachableError, not retried).
 */
import { AccountUnreachableError } from "../../core/accounts.ts";

/** A throttled or failed-on-the-server AWS call that is safe to retry. */
export class TransientAwsError extends Error {
  override name = "TransientAwsError";
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    super(
      `${operation} failed transiently: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`,
      {
        cause,
      },
    );
    this.operation = operation;
  }
}

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ProvisionedThroughputExceededException",
  "RequestThrottled",
  "LimitExceededException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "InternalServerError",
  "InternalError",
  "InternalServerException",
  "ServiceFailure",
  "TimeoutError",
  "RequestTimeout",
  "ECONNRESET",
]);

interface SdkErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** Whether an SDK error is worth retrying. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & SdkErrorShape;
  return THROTTLING.has(e.name) || (e.$metadata?.httpStatusCode ?? 0) >= 500 || e.$retryable !== undefined;
}

/** Runs one AWS call; transient failures are rethrown as TransientAwsError naming the operation. */
export async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Never folded into TransientAwsError, whatever an SDK may one day attach to it: the account it
    // names and its own retry rule must reach the workflow and the sweeper.
    if (error instanceof AccountUnreachableError) throw error;
    if (isTransient(error)) throw new TransientAwsError(operation, error);
    throw error;
  }
}

/** The error's name, for matching SDK exceptions without importing their classes. */
export const errorName = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : undefined;
