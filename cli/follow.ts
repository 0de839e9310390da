/**
 * Following a request until it settles: one live line on a terminal, a line per change when piped,
 * and Ctrl-C stops the following (never the request) with a sentence saying where things stand.
 */
import type { AccessRequest } from "../core/request.ts";
import { nowOf } from "./format.ts";
import type { Io } from "./io.ts";
import { progress } from "./outcome.ts";
import { callSandbox } from "./sandbox-client.ts";

/** How following ended: the request as last seen, and whether the person pressed Ctrl-C. */
export interface Followed {
  request: AccessRequest;
  interrupted: boolean;
}

/** Polls `id` until `done`; progress goes to `io` unless `quiet` (--json). */
export async function follow(
  id: string,
  io: Io,
  done: (r: AccessRequest) => boolean,
  options: { quiet?: boolean; intervalMs?: number } = {},
): Promise<Followed> {
  let interrupted = false;
  let wake = () => {};
  const release = io.onInterrupt?.(() => {
    interrupted = true;
    wake();
  });
  const started = Date.now();
  let last = "";
  try {
    for (;;) {
      const { request } = await callSandbox<{ request: AccessRequest }>("GET", `/requests/${id}`);
      if (done(request) || interrupted) {
        if (io.tty && last && !options.quiet) io.live?.("");
        return { request, interrupted: interrupted && !done(request) };
      }
      const text = `${id}: ${progress(request, nowOf(io))}`;
      if (!options.quiet) {
        if (io.tty && io.live) io.live(`${text} · ${Math.round((Date.now() - started) / 1000)}s`);
        else if (text !== last) io.out(text);
      }
      last = text;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs ?? 250);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    release?.();
  }
}
