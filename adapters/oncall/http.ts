/**
 * One GET to an on-call provider, read defensively: bounded in time (an AbortSignal timeout), in
 * size, and in shape (a schema of the documented response, shape.ts). Every failure becomes an
 * OnCallLookupError whose message names the provider and the problem but never the token, so the
 * reason recorded on a request is safe to show.
 */
import { OnCallLookupError } from "../../core/oncall.ts";
import { type Shape, ShapeError } from "./shape.ts";

/** Bodies above this are not what these endpoints send for one schedule or one email. */
const MAX_BODY_BYTES = 1_000_000;

/** GETs `url` and returns its body parsed by `schema`; OnCallLookupError on anything unexpected. */
export async function getJson<T>(
  provider: string,
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
  schema: Shape<T>,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Accept: "application/json", ...headers },
      // A redirect would carry the token to another host: refused, not followed.
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError")
      throw new OnCallLookupError(`${provider} gave no answer within ${timeoutMs} ms`);
    throw new OnCallLookupError(`${provider} could not be reached (${name || "network error"})`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new OnCallLookupError(`${provider}'s answer was cut off or too slow (over ${timeoutMs} ms)`);
  }
  if (!response.ok) throw new OnCallLookupError(`${provider} answered HTTP ${response.status}`);
  if (text.length > MAX_BODY_BYTES) throw new OnCallLookupError(`${provider}'s answer is too large`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OnCallLookupError(`${provider}'s answer is not JSON`);
  }
  try {
    return schema(body, "");
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new OnCallLookupError(`${provider}'s answer is not shaped as documented: ${error.message}`);
  }
}

/** The lower-cased email, compared exactly: a provider's search is by substring. */
export const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
