/** The EventBridge rule's pattern lets exactly the session calls through (checked on the fixtures). */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SESSION_EVENT_PATTERN } from "../../../stacks/session-event-pattern.ts";

type Json = Record<string, unknown>;

/** EventBridge's matching for the pattern forms used here: arrays of exact values, nested objects. */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = event[key];
    if (Array.isArray(expected)) return expected.includes(value);
    return typeof value === "object" && value !== null && matches(expected as Json, value as Json);
  });
}

const { detailType, ...rest } = SESSION_EVENT_PATTERN;
const pattern: Json = { ...rest, "detail-type": detailType };
const dir = new URL("../../fixtures/cloudtrail/", import.meta.url);
const fixtures = readdirSync(dir).map(
  (f) => [f, JSON.parse(readFileSync(new URL(f, dir), "utf8"))] as [string, Json],
);

describe("the session events rule", () => {
  it.each(fixtures)("lets %s through", (_name, event) => {
    expect(matches(pattern, event)).toBe(true);
  });

  it("keeps other SSM calls out", () => {
    const [, event] = fixtures[0] as [string, Json];
    const other = structuredClone(event) as { detail: Json };
    other.detail.eventName = "SendCommand";
    expect(matches(pattern, other)).toBe(false);
  });
});
