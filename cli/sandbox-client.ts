/**
 * The `jit` side of the sandbox API: one small function per call, and clear errors. Every call
 * carries the run's token, read from the sandbox's data folder (JIT_DATA, `.jit` by default), and
 * every POST a JSON body: what the sandbox requires so that only `jit` can drive it.
 */
import { readFileSync } from "node:fs";
import { apiTokenPath } from "../local/api-guard.ts";
import { dataDir } from "./config-path.ts";

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

/** Calls the sandbox; a refusal comes back as SandboxRefusalError with the sandbox's message. */
export async function callSandbox<T>(
  method: "GET" | "POST",
  path: string,
  body?: Record<string, unknown>,
): Promise<T> {
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
