/**
 * The output a test provokes on purpose (a failing call, a dropped event), captured instead of
 * printed into a green run, and readable so the test can say what should have been logged.
 *
 * On Lambda, Powertools writes log lines and embedded-format metrics to stdout and stderr through its
 * own Console, not the global one: both streams are captured here, and the console too (lines written
 * before a sink is installed, or by a library). Each JSON line is parsed; a line with `_aws` is an EMF
 * metric, anything else a log line.
 */
import { vi } from "vitest";

/** Which log lines to return: one Powertools level, or every line. */
export type CapturedLevel = "debug" | "info" | "warn" | "error" | "all";

export interface CapturedLogs {
  /** The log lines at the level asked for, parsed (a line that is not JSON comes back as `{ text }`). */
  lines: () => Record<string, unknown>[];
  /** Every EMF document written meanwhile. */
  metrics: () => Record<string, unknown>[];
  /** Everything written meanwhile, as written (to search for a secret in any form). */
  raw: () => string;
  /** Prints again from here on (the file's afterEach restores it anyway). */
  restore: () => void;
}

const parse = (text: string): Record<string, unknown> => {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : { text };
  } catch {
    return { text };
  }
};

/** Silences stdout, stderr and the console until restored, keeping what was written. */
export function captureLogs(level: CapturedLevel = "all"): CapturedLogs {
  const written: string[] = [];
  const keep = (chunk: unknown) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(keep),
    vi.spyOn(process.stderr, "write").mockImplementation(keep),
    ...(["log", "info", "warn", "error", "debug"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((first: unknown) => void keep(`${String(first)}\n`)),
    ),
  ];
  // Console.log writes one string ending in a newline; a pretty-printed object spans lines, so each
  // write is one document.
  const documents = () => written.map((w) => parse(w.trim())).filter((d) => Object.keys(d).length > 0);
  return {
    lines: () =>
      documents().filter(
        (d) => !("_aws" in d) && (level === "all" || String(d.level ?? "").toLowerCase() === level),
      ),
    metrics: () => documents().filter((d) => "_aws" in d),
    raw: () => written.join(""),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
