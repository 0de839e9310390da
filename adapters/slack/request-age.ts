/**
 * Slack's guide to verifying requests refuses a request whose X-Slack-Request-Timestamp is more than
 * five minutes from local time, either way (https://api.slack.com/authentication/verifying-requests-from-slack).
 * Bolt's AwsLambdaReceiver refuses only the old ones, so a request stamped in the future would stay
 * replayable until that future passed; this refuses it first.
 */

/** Five minutes, in seconds. */
export const MAX_SKEW_SECONDS = 300;

/** The header's value, whatever its case; API Gateway and function URLs lower-case names, tests may not. */
function header(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * Whether the request's timestamp is a number within five minutes of `nowMs`, before or after. A
 * missing or malformed one is left to Bolt, which refuses it with the signature check.
 */
export function timestampInWindow(
  headers: Record<string, string | undefined> | undefined,
  nowMs: number,
): boolean {
  const raw = header(headers, "x-slack-request-timestamp");
  if (raw === undefined || !/^\d+$/.test(raw)) return true;
  return Math.abs(Math.floor(nowMs / 1000) - Number(raw)) <= MAX_SKEW_SECONDS;
}
