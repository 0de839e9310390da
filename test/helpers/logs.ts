/**
 * The JSON log lines a test provokes on purpose (a failing call, a dropped event), captured instead
 * of printed into a green run, and readable so the test can say what should have been logged.
 */
import { vi } from "vitest";

export interface CapturedLogs {
  /** Each line logged so far, parsed (a line that is not JSON comes back as `{ text }`). */
  lines: () => Record<string, unknown>[];
  /** Prints again from here on (the file's afterEach restores it anyway). */
  restore: () => void;
}

/** Silences console[method] until the test's mocks are restored, keeping what was logged. */
export function captureLogs(method: "log" | "warn" | "error"): CapturedLogs {
  const spy = vi.spyOn(console, method).mockImplementation(() => {});
  return {
    lines: () =>
      spy.mock.calls.map(([first]) => {
        try {
          return JSON.parse(String(first)) as Record<string, unknown>;
        } catch {
          return { text: String(first) };
        }
      }),
    restore: () => spy.mockRestore(),
  };
}
