/**
 * What every Lambda entry point shares: building its dependencies once per container (only the AWS
 * clients it uses), validating the event with a schema (zod/mini: a fraction of zod's size in a
 * bundle), and observability: Powertools' JSON log lines with the Lambda context and the request's
 * keys, embedded-format metrics (a cold-start count included), and no secret in either.
 * Tests and the local sandbox install their own dependencies with `useDeps`.
 */
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { en } from "zod/locales";
import * as z from "zod/mini";
import { readNormalizedConfig } from "../adapters/config-json.ts";
import { invocationKeys } from "../adapters/observability/keys.ts";
import { loggerMiddleware, registerSecrets, useLambdaLogging } from "../adapters/observability/logger.ts";
import { lambdaMetrics, metricsMiddleware } from "../adapters/observability/metrics.ts";
import { systemClock } from "../core/clock.ts";
import { ConfigError } from "../core/errors.ts";
import { describeError, log } from "../core/log.ts";
import type { AccountPorts, Deps } from "../core/ports.ts";
import { readOnlyAccounts } from "../core/usecases/in-account.ts";

// Any process that loads the handlers logs as Lambda does; the sandbox's terminal installs its own.
useLambdaLogging();

let override: Deps | undefined;

/** Installs the dependencies every handler uses from now on (tests, sandbox); `undefined` restores AWS. */
export function useDeps(deps: Deps | undefined): void {
  override = deps;
}

/** Reads a required environment variable that the stack sets. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new ConfigError([{ path: name, message: "environment variable is not set (the stack sets it)" }]);
  return value;
}

/** A port this function was not given: using it is a wiring bug, said plainly. */
function unavailable<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: (_t, prop) => {
      throw new Error(`${port}.${String(prop)} is not available in this function; add it to its ports`);
    },
  });
}

type Ports = Omit<Deps, "config" | "clock" | "random" | "metrics">;
const PORTS = [
  "store",
  "broker",
  "sessions",
  "workflow",
  "notifier",
  "sessionLog",
] as const satisfies readonly (keyof Ports)[];

/**
 * Returns a getter for this function's dependencies: the normalized config bundled beside the code
 * (access.config.json, written by the deploy after validating access.config.yaml) and only the
 * ports it names, each built once per container on first use.
 */
export function lambdaDeps(
  ports: { [K in keyof Ports]?: (config: Deps["config"]) => Ports[K] },
  /** `accounts: "read"`: other accounts only to look (session events); see readOnlyAccounts. */
  options: { accounts?: "read" } = {},
): () => Deps {
  let built: Deps | undefined;
  const reach = (accounts: AccountPorts | undefined) =>
    accounts && options.accounts === "read" ? readOnlyAccounts(accounts) : accounts;
  // Installed dependencies (tests, the sandbox) are cut down to the ports this file declares, so a
  // port missing from a function's wiring fails there exactly as it would on AWS.
  const restricted = new WeakMap<Deps, Deps>();
  return () => {
    if (override) {
      let deps = restricted.get(override);
      if (!deps) {
        const missing = new Map(
          PORTS.filter((port) => !ports[port]).map((port) => [port as string | symbol, unavailable(port)]),
        );
        // A view, not a copy: a test that swaps the installed config or a port is seen at once.
        // Other accounts, as on AWS: none for a function that declares no way in, reads only for
        // one that may only look.
        deps = new Proxy(override, {
          get: (target, prop) => {
            if (missing.has(prop)) return missing.get(prop);
            if (prop === "accounts") return ports.accounts ? reach(target.accounts) : undefined;
            return Reflect.get(target, prop);
          },
        });
        restricted.set(override, deps);
      }
      return deps;
    }
    if (!built) {
      const config = readNormalizedConfig(
        process.env.JIT_CONFIG ?? `${process.env.LAMBDA_TASK_ROOT ?? "."}/access.config.json`,
      );
      // Each required port as this file builds it, or one that says plainly it was not given.
      const given = Object.fromEntries(
        PORTS.map((port) => {
          const build = ports[port] as ((c: Deps["config"]) => object) | undefined;
          return [port, build?.(config) ?? unavailable(port)];
        }),
      ) as Pick<Deps, (typeof PORTS)[number]>;
      built = {
        config,
        clock: systemClock,
        ...given,
        // Optional: a function without on-call providers leaves on-call profiles to their approvers.
        onCall: ports.onCall?.(config),
        // Optional: a function that acts in no other account (or a config of one account) has none.
        accounts: reach(ports.accounts?.(config)),
        metrics: lambdaMetrics(),
      };
    }
    return built;
  };
}

/**
 * Wraps an entry point with the observability middlewares: Powertools' Lambda context on every log
 * line (and the previous invocation's keys and secrets forgotten), then the metrics flush with a
 * cold-start count. Every function goes through this, the Slack endpoint included.
 */
export function observed<E, R>(fn: (event: E, context: Context) => Promise<R>) {
  return middy((event: E, context: Context) =>
    // A fresh scope per invocation holds its keys and secrets (nothing of another's to forget). The
    // environment's secrets are registered again: a test or the sandbox may set them after load.
    invocationKeys.run(() => {
      registerSecrets();
      return fn(event, context);
    }),
  )
    .use(loggerMiddleware())
    .use(metricsMiddleware());
}

/** A workflow task or scheduled handler: schema-checked input, one use case, structured error logs. */
export function handler<S extends z.ZodMiniType, R>(
  name: string,
  schema: S,
  deps: () => Deps,
  run: (deps: Deps, input: z.output<S>) => Promise<R>,
  options: { malformed: "throw" | "drop" } = { malformed: "throw" },
) {
  // zod/mini ships without messages; English ones make a rejected event's log line say what was
  // wrong. Set here, not at the top: functions that validate nothing (Slack) then bundle no zod.
  z.config(en());
  const fn = async (event: unknown, _context: Context): Promise<R | { rejected: string }> => {
    const parsed = z.safeParse(schema, event);
    if (!parsed.success) {
      // Paths and messages only: zod's issues never repeat the values (a task token among them).
      const problems = parsed.error.issues
        .map((i) => `${i.path.join(".") || "event"}: ${i.message}`)
        .join("; ");
      log.error("rejected malformed event", { handler: name, problems });
      // An event source that retries (EventBridge) would only deliver the same bad event again.
      if (options.malformed === "drop") return { rejected: problems };
      throw new TypeError(`${name}: malformed event: ${problems}`);
    }
    const input = parsed.data as { requestId?: unknown; taskToken?: unknown };
    if (typeof input.taskToken === "string") log.secret(input.taskToken, "invocation");
    if (typeof input.requestId === "string") log.forRequest({ requestId: input.requestId });
    const started = performance.now();
    try {
      const result = await run(deps(), parsed.data);
      // One line per task, at debug (sampled): a request's lifecycle reads as a story, keyed by its id.
      log.debug("handler finished", { handler: name, ms: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      log.error("handler failed", { handler: name, error: describeError(error) });
      throw error;
    }
  };
  return observed(fn);
}
