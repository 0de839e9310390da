/**
 * What every Lambda entry point shares: building its dependencies once per container (only the AWS
 * clients it uses), validating the event with a schema (zod/mini: a fraction of zod's size in a
 * bundle), and logging failures without secrets.
 * Tests and the local sandbox install their own dependencies with `useDeps`.
 */
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { en } from "zod/locales";
import * as z from "zod/mini";
import { readNormalizedConfig } from "../adapters/config-json.ts";
import { systemClock } from "../core/clock.ts";
import { ConfigError } from "../core/errors.ts";
import type { Deps } from "../core/ports.ts";

// zod/mini ships without messages; English ones make a rejected event's log line say what was wrong.
z.config(en());

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

type Ports = Omit<Deps, "config" | "clock" | "random">;
const PORTS: readonly (keyof Ports)[] = ["store", "broker", "sessions", "workflow", "notifier", "sessionLog"];

/**
 * Returns a getter for this function's dependencies: the normalized config bundled beside the code
 * (access.config.json, written by the deploy after validating access.config.yaml) and only the
 * ports it names, each built once per container on first use.
 */
export function lambdaDeps(ports: { [K in keyof Ports]?: (config: Deps["config"]) => Ports[K] }): () => Deps {
  let built: Deps | undefined;
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
        deps = new Proxy(override, {
          get: (target, prop) => (missing.has(prop) ? missing.get(prop) : Reflect.get(target, prop)),
        });
        restricted.set(override, deps);
      }
      return deps;
    }
    if (!built) {
      const config = readNormalizedConfig(
        process.env.JIT_CONFIG ?? `${process.env.LAMBDA_TASK_ROOT ?? "."}/access.config.json`,
      );
      built = {
        config,
        clock: systemClock,
        store: ports.store?.(config) ?? unavailable("store"),
        broker: ports.broker?.(config) ?? unavailable("broker"),
        sessions: ports.sessions?.(config) ?? unavailable("sessions"),
        workflow: ports.workflow?.(config) ?? unavailable("workflow"),
        notifier: ports.notifier?.(config) ?? unavailable("notifier"),
        sessionLog: ports.sessionLog?.(config) ?? unavailable("sessionLog"),
      };
    }
    return built;
  };
}

/** A workflow task or scheduled handler: schema-checked input, one use case, structured error logs. */
export function handler<S extends z.ZodMiniType, R>(
  name: string,
  schema: S,
  deps: () => Deps,
  run: (deps: Deps, input: z.output<S>) => Promise<R>,
  options: { malformed: "throw" | "drop" } = { malformed: "throw" },
) {
  const fn = async (event: unknown, _context: Context): Promise<R | { rejected: string }> => {
    const parsed = z.safeParse(schema, event);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join(".") || "event"}: ${i.message}`)
        .join("; ");
      console.error(
        JSON.stringify({ level: "error", handler: name, message: "rejected malformed event", problems }),
      );
      // An event source that retries (EventBridge) would only deliver the same bad event again.
      if (options.malformed === "drop") return { rejected: problems };
      throw new TypeError(`${name}: malformed event: ${problems}`);
    }
    try {
      return await run(deps(), parsed.data);
    } catch (error) {
      const requestId = (parsed.data as { requestId?: string }).requestId;
      console.error(
        JSON.stringify({
          level: "error",
          handler: name,
          requestId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
      );
      throw error;
    }
  };
  return middy(fn);
}
