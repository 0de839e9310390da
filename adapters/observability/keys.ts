/**
 * The request keys of the invocation in progress (`requestId`, `profile`, `principal`), kept per
 * invocation with AsyncLocalStorage rather than on the logger: the sandbox and the tests run many
 * handlers at once in one process, and Lambda may too (multi-concurrency), so keys set by one request
 * must never appear on another's lines.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { LogAttributes } from "../../core/log.ts";

const store = new AsyncLocalStorage<{ keys: LogAttributes }>();
/** Outside any invocation (a use case called directly by a test or the CLI). */
const outside = { keys: {} as LogAttributes };

const current = () => store.getStore() ?? outside;

export const invocationKeys = {
  get: (): LogAttributes => current().keys,
  append(keys: LogAttributes): void {
    const slot = current();
    slot.keys = { ...slot.keys, ...keys };
  },
  reset(): void {
    current().keys = {};
  },
  /** Runs one invocation with keys of its own. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return store.run({ keys: {} }, fn);
  },
};
