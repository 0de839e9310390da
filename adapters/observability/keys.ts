/**
 * The request keys of the invocation in progress (`requestId`, `profile`, `principal`) and its
 * secrets (a task token), kept per invocation with AsyncLocalStorage rather than on the logger: the
 * sandbox and the tests run many handlers at once in one process, and Lambda may too
 * (multi-concurrency), so one request's keys never appear on another's lines, and one request
 * starting never unmasks another's task token.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { LogAttributes } from "../../core/log.ts";

const store = new AsyncLocalStorage<{ keys: LogAttributes; secrets: Set<string> }>();
/** Outside any invocation (a use case called directly by a test or the CLI). */
const outside = { keys: {} as LogAttributes, secrets: new Set<string>() };

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
  /** The invocation's own secrets (a task token from its event), masked on its lines only while it runs. */
  secrets: (): Set<string> => current().secrets,
  /** Runs one invocation with keys of its own. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return store.run({ keys: {}, secrets: new Set() }, fn);
  },
};
