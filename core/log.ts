/**
 * Log lines from the domain and the adapters. Logging is ambient, like the console it replaces: one
 * sink per process, installed by the entry point (the Lambda runtime: Powertools' JSON lines; the
 * sandbox: one readable line each). The domain names what happened and stays free of Powertools.
 *
 * Nothing secret leaves through here: attribute keys that name a secret are dropped, Slack tokens
 * are masked wherever they appear, and so is every value registered with `log.secret`.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogAttributes = Record<string, unknown>;

/** Where lines go. `keys` are kept and added to every later line of the invocation. */
export interface LogSink {
  write(level: LogLevel, message: string, attributes: LogAttributes): void;
  appendKeys(keys: LogAttributes): void;
  /** Forgets the keys (a new invocation begins). */
  resetKeys(): void;
  /**
   * The secrets of the invocation in progress, kept beside its keys: handlers that run at once (the
   * sandbox, tests, Lambda multi-concurrency) must not clear or share each other's. A sink without
   * it has one set for the process.
   */
  invocationSecrets?(): Set<string>;
}

/** The keys every line about a request carries (Lambda context keys come from the sink). */
export interface RequestKeys {
  requestId: string;
  profile?: string | undefined;
  principal?: string | undefined;
}

/** Attribute names whose values are never logged, whatever they hold. */
const SECRET_KEY = /token|secret|signature|password|authorization|cookie/i;
/** Slack tokens (bot, user, app, refresh, config) wherever they appear inside a string. */
const SLACK_TOKEN = /\bxox[a-z]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+/g;
const MASK = "[redacted]";
/** Registered secrets shorter than this are not masked: they would mask ordinary words. */
const MIN_SECRET = 8;

/** Secrets for the life of the process (from the environment), and for the current invocation. */
const secrets = new Set<string>();
const processWideInvocationSecrets = new Set<string>();
const invocationSecrets = (): Set<string> => sink.invocationSecrets?.() ?? processWideInvocationSecrets;

function scrub(text: string): string {
  let out = text.replace(SLACK_TOKEN, MASK);
  for (const set of [secrets, invocationSecrets()])
    for (const s of set) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** A copy of `value` with secret keys dropped and secret text masked, at any depth. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (value instanceof Error) return scrub(`${value.name}: ${value.message}`);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? MASK : redact(v, depth + 1)]),
  );
}

/** Until an entry point installs its sink: one JSON line on the console, as before Powertools. */
const jsonConsole: LogSink = {
  write(level, message, attributes) {
    const line = JSON.stringify({ level, message, ...attributes });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  },
  appendKeys() {},
  resetKeys() {},
};

let sink: LogSink = jsonConsole;

const write =
  (level: LogLevel) =>
  (message: string, attributes: LogAttributes = {}) =>
    sink.write(level, scrub(message), redact(attributes) as LogAttributes);

/** The process's logger. */
export const log = {
  debug: write("debug"),
  info: write("info"),
  warn: write("warn"),
  error: write("error"),
  /** Adds the request's keys to every later line of this invocation. */
  forRequest(keys: RequestKeys): void {
    sink.appendKeys(redact(Object.fromEntries(Object.entries(keys).filter(([, v]) => v))) as LogAttributes);
  },
  /**
   * Masks `value` in every later line: for the life of the process (a token read from the
   * environment), or until the next invocation starts (a task token from an event).
   */
  secret(value: string | undefined, scope: "process" | "invocation" = "process"): void {
    if (value && value.length >= MIN_SECRET) (scope === "process" ? secrets : invocationSecrets()).add(value);
  },
  /** A new invocation: the previous one's keys and secrets are forgotten (a warm container sees thousands). */
  newInvocation(): void {
    invocationSecrets().clear();
    sink.resetKeys();
  },
};

/** Installs the sink lines go to from now on; `undefined` restores the JSON console lines. */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? jsonConsole;
}

/** How an error reads in a log line: its name and message, never a stack with arguments in it. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
