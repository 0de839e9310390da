/** The on-call lookup runs inside Slack's 3-second answer to /access: its timeout is capped at 2s. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../core/config/load.ts";
import { exampleConfigText } from "../../helpers/config.ts";

const withTimeout = (timeout: string) =>
  parseConfig(exampleConfigText().replace(/^ {2}timeout: 2s$/m, `  timeout: ${timeout}`));

describe("onCall.timeout", () => {
  it.each(["1s", "2s"])("takes %s", (timeout) => {
    expect(withTimeout(timeout).onCall?.timeout).toBe(timeout);
  });

  it.each(["3s", "1m", "PT5S"])("refuses %s, which would outlast Slack's 3 s", (timeout) => {
    expect(() => withTimeout(timeout)).toThrow(/onCall\.timeout: must be at most 2s/);
  });

  it("reports a malformed one once, as a duration", () => {
    expect(() => withTimeout("soon")).toThrow(/"soon" is not a duration/);
    expect(() => withTimeout("soon")).not.toThrow(/at most 2s/);
  });
});
