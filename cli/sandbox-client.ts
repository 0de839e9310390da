/** The `jit` side of the sandbox API: one small function per call, and clear errors. */

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

/** Calls the sandbox; a refusal comes back as SandboxRefusalError with the sandbox's message. */
export async function callSandbox<T>(
  method: "GET" | "POST",
  path: string,
  body?: Record<string, unknown>,
): Promise<T> {
  const url = `${sandboxUrl()}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body ? { "content-type": "application/json" } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new SandboxUnreachableError(
      `no sandbox answers at ${sandboxUrl()}: start it with \`npm start\` (or set JIT_URL)`,
    );
  }
  const data = (await response.json()) as T & { error?: string; message?: string };
  if (response.ok) return data;
  const message = data.message ?? `${response.status} from ${url}`;
  if (response.status < 500) throw new SandboxRefusalError(response.status, message);
  throw new Error(`the sandbox failed: ${message}`);
}
