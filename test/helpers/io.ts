/** Captures what a CLI command prints. */
import type { Io } from "../../cli/main.ts";

export function captureIo(): Io & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stdout: () => out.join("\n"),
    stderr: () => err.join("\n"),
  };
}
