/**
 * The `jit` side of the API: the sandbox by default, or a deployed stage (cli/stages.ts) with every
 * call signed by the caller's AWS credentials (cli/signed-call.ts). One small function per call, and
 * clear errors. A sandbox call carries the run's token, read from the sandbox's data folder
 * (JIT_DATA, `.jit` by default), and every POST a JSON body: what the sandbox requires so that only
 * `jit` can drive it. Against a stage there is no `--as`: whoever signed acts.
 */
import { readFileSync } from "node:fs";
import { ValidationError } from "../core/errors.ts";
import { apiTokenPath } from "../local/api-guard.ts";
import { dataDir } from "./config-path.ts";
import { type ApiTarget, signedFetch } from "./signed-call.ts";
import { currentTarget } from "./stages.ts";

/** The sandbox is not answering at the address `jit` uses. */
export class SandboxUnreachableError extends Error {
  override name = "SandboxUnreachableError";
}

/** The sandbox refused: an unknown request, a person who may not do this, input it cannot take. */
export class SandboxRefusalError extends Error {
  override name = "SandboxRefusalError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Where the sandbox API is: JIT_URL, else 127.0.0.1 on JIT_PORT (7420). */
export const sandboxUrl = (): string =>
  process.env.JIT_URL ?? `http://127.0.0.1:${process.env.JIT_PORT ?? 7420}`;

/** `?as=<person>` for a sandbox read, nothing when no --as was given (a stage's caller is who signed). */
export const asQuery = (as: string | undefined): string => (as ? `?as=${encodeURIComponent(as)}` : "");

/** What `jit` talks to, in words: "stage production (https://…)" or "the sandbox http://127.0.0.1:7420". */
export const whereLabel = (): string => {
  const target = currentTarget();
  return target ? `stage ${target.stage} (${target.url})` : `the sandbox ${sandboxUrl()}`;
};

/** Where the running sandbox wrote its token: the same folder `npm start` uses for its data. */
export const sandboxTokenPath = (): string => apiTokenPath(dataDir());

/** The run's token, or undefined when no sandbox has written one here. */
function readToken(): string | undefined {
  try {
    return readFileSync(sandboxTokenPath(), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A deployed stage does not answer at its URL. */
export class StageUnreachableError extends Error {
  override name = "StageUnreachableError";
}

/** Removes `as` from a call to a stage, refusing it when it was given: a stage trusts no claim. */
function withoutAs(path: string, body?: Record<string, unknown>) {
  const url = new URL(path, "http://x");
  const claimed = url.searchParams.get("as") || (body?.as as string | undefined);
  if (claimed)
    throw new ValidationError(
      "as",
      "--as is for the sandbox: against a deployed stage you act as the AWS identity your credentials sign with",
    );
  url.searchParams.delete("as");
  const rest = body ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== "as")) : undefined;
  return { path: `${url.pathname}${url.search}`, body: rest };
}

/** Calls the deployed stage, signed; refusals come back as SandboxRefusalError with the API's message. */
async function callStage<T>(
  target: ApiTarget,
  method: "GET" | "POST",
  path: string,
  body?: Record<string, unknown>,
): Promise<T> {
  const call = withoutAs(path, body);
  let response: Response;
  try {
    response = await signedFetch(target, method, call.path, call.body);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // The SDK's credential chain found nothing to sign with (its CredentialsProviderError).
    if (error instanceof Error && error.name === "CredentialsProviderError")
      throw new StageUnreachableError(
        `no AWS credentials to sign with (${why}): log in (aws sso login) or pass --aws-profile`,
      );
    throw new StageUnreachableError(`stage ${target.stage} does not answer at ${target.url}: ${why}`);
  }
  const text = await response.text();
  let data: (T & { error?: string; message?: string; Message?: string }) | undefined;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (response.ok && data !== undefined) return data;
  const message = data?.message ?? data?.Message ?? `${response.status} from ${target.url}`;
  if (response.status === 403 && data?.Message !== undefined)
    // Lambda's own refusal, before the function ran: the signature or the caller's IAM permissions.
    throw new SandboxRefusalError(
      403,
      `AWS refused the call to ${target.stage} (${message}): check that your credentials are current, that --region is ${target.region}, and that your principal has the jit-api-caller policy`,
    );
  if (response.status < 500) throw new SandboxRefusalError(response.status, message);
  throw new Error(`stage ${target.stage} failed: ${message}`);
}

/** Calls the sandbox, or the selected stage; a refusal comes back as SandboxRefusalError with the message. */
export async function callSandbox<T>(
  method: "GET" | "POST",
  path: string,
  body?: Record<string, unknown>,
): Promise<T> {
  const target = currentTarget();
  if (target) return callStage<T>(target, method, path, body);
  const url = `${sandboxUrl()}${path}`;
  const token = readToken();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (method === "POST") headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: method === "POST" ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch {
    throw new SandboxUnreachableError(
      `no sandbox answers at ${sandboxUrl()}: start it with \`npm start\` (or set JIT_URL)`,
    );
  }
  const data = (await response.json()) as T & { error?: string; message?: string };
  if (response.ok) return data;
  const message = data.message ?? `${response.status} from ${url}`;
  if (response.status === 401) {
    const where = sandboxTokenPath();
    const found = token ? `the token in ${where} is from another run` : `there is no token at ${where}`;
    throw new SandboxRefusalError(
      401,
      `the sandbox refused jit's token (${found}): run jit in the folder where \`npm start\` runs, or set JIT_DATA to the sandbox's data folder`,
    );
  }
  if (response.status < 500) throw new SandboxRefusalError(response.status, message);
  throw new Error(`the sandbox failed: ${message}`);
}
