/** A Slack request stamped more than five minutes away from now, in either direction, is refused. */
import { describe, expect, it } from "vitest";
import { timestampInWindow } from "../../../adapters/slack/request-age.ts";

const NOW = Date.parse("2026-11-29T12:00:00Z");
const at = (seconds: number) => ({ "X-Slack-Request-Timestamp": String(Math.floor(NOW / 1000) + seconds) });

describe("the request's timestamp", () => {
  it.each([
    [0, true],
    [-300, true],
    [300, true],
    [-301, false],
    [301, false],
    [86_400, false],
  ])("%i s from now is in the window: %s", (offset, inWindow) => {
    expect(timestampInWindow(at(offset), NOW)).toBe(inWindow);
  });

  it("reads the header whatever its case", () => {
    const future = String(Math.floor(NOW / 1000) + 3600);
    expect(timestampInWindow({ "x-slack-request-timestamp": future }, NOW)).toBe(false);
  });

  it("leaves a missing or malformed timestamp to Bolt's signature check", () => {
    expect(timestampInWindow({}, NOW)).toBe(true);
    expect(timestampInWindow(undefined, NOW)).toBe(true);
    expect(timestampInWindow({ "x-slack-request-timestamp": "1e12" }, NOW)).toBe(true);
  });
});
