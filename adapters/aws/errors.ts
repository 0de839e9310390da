/**
 * AWS errors that mean "try again later" (throttling, 5xx, network) become TransientAwsError, the one
 * name the workflow's Retry blocks list besides Lambda's own. Everything else passes through unchanged.
 */

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
    if (isTransient(error)) throw new TransientAwsError(operation, error);
    throw error;
  }
}

/** The error's name, for matching SDK exceptions without importing their classes. */
export const errorName = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : undefined;
