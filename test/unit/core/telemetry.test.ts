/** The log facade's redaction and the metric catalog's guard on dimensions. */
import { afterEach, describe, expect, it } from "vitest";
import { type LogAttributes, type LogLevel, log, redact, setLogSink } from "../../../core/log.ts";
import { DIMENSION_NAMES, dimensionSets, METRICS } from "../../../core/metrics.ts";

afterEach(() => setLogSink(undefined));

/** A sink that keeps what it is handed. */
function keeping() {
  const lines: { level: LogLevel; message: string; attributes: LogAttributes }[] = [];
  setLogSink({
    write: (level, message, attributes) => void lines.push({ level, message, attributes }),
    appendKeys: () => {},
    resetKeys: () => {},
  });
  return lines;
}

describe("log redaction", () => {
  it.each([
    ["a key naming a token", { taskToken: "AAAAKgAAAAMAAAAA" }, { taskToken: "[redacted]" }],
    [
      "a nested secret key",
      { slack: { signingSecret: "s3cr3t-value" } },
      { slack: { signingSecret: "[redacted]" } },
    ],
    [
      "an Authorization header",
      { headers: { Authorization: "Bearer abc" } },
      { headers: { Authorization: "[redacted]" } },
    ],
    [
      "a bot token inside a message",
      { error: "invalid_auth for xoxb-123-456-abcDEF" },
      { error: "invalid_auth for [redacted]" },
    ],
    ["an app token in an array", { seen: ["xapp-1-A0-123-abc"] }, { seen: ["[redacted]"] }],
    [
      "ordinary values",
      { requestId: "20261126-abcdefgh", count: 3 },
      { requestId: "20261126-abcdefgh", count: 3 },
    ],
  ])("masks %s", (_name, input, expected) => {
    expect(redact(input)).toEqual(expected);
  });

  it("masks a registered secret anywhere in a line, and a task token only for its invocation", () => {
    // Prepare
    const lines = keeping();
    log.secret("8f14e45fceea167a5a36dedd4bea2543");
    log.secret("task-token-0123456789", "invocation");
    // Act
    log.error("failed with 8f14e45fceea167a5a36dedd4bea2543", {
      cause: "token task-token-0123456789 refused",
    });
    log.newInvocation();
    log.info("next", { cause: "task-token-0123456789" });
    // Assess: the process secret stays masked; the invocation's is forgotten with its invocation.
    expect(lines[0]).toEqual({
      level: "error",
      message: "failed with [redacted]",
      attributes: { cause: "token [redacted] refused" },
    });
    expect(lines[1]?.attributes).toEqual({ cause: "task-token-0123456789" });
  });

  it("does not register a short value, which would mask ordinary words", () => {
    const lines = keeping();
    log.secret("abc");
    log.info("abc def");
    expect(lines[0]?.message).toBe("abc def");
  });
});

describe("metric dimensions", () => {
  it("are never a person, a principal, a session or a request", () => {
    for (const name of DIMENSION_NAMES)
      expect(name).not.toMatch(/request|person|user|principal|arn|approver|session|actor|email|id$/i);
    expect([...DIMENSION_NAMES].sort()).toEqual(["kind", "outcome", "profile", "reason", "repair"]);
  });

  it("are published under every prefix of the catalog's order, total first", () => {
    expect(dimensionSets("Requests", { outcome: "approved", profile: "prod-web" })).toEqual([
      {},
      { outcome: "approved" },
      { outcome: "approved", profile: "prod-web" },
    ]);
    expect(dimensionSets("GrantsActive", {})).toEqual([{}]);
  });

  it.each([
    ["a wildcard", "prod-*"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the IAM policy variable, as a person could type it
    ["an interpolation", "${aws:username}"],
    ["a space", "prod web"],
    ["an empty value", ""],
    ["a long value", "p".repeat(65)],
  ])("turn %s into 'other', so a value cannot mint metrics", (_name, value) => {
    expect(dimensionSets("RevokeLag", { profile: value }).at(-1)).toEqual({ profile: "other" });
  });

  it("drop a key the catalog does not give the metric, whatever the caller passed", () => {
    const sets = dimensionSets("SessionAlerts", {
      kind: "no-grant",
      requestId: "20261126-abcdefgh",
    } as never);
    expect(sets).toEqual([{}, { kind: "no-grant" }]);
  });

  it("have a unit for every metric", () => {
    for (const m of Object.values(METRICS)) expect(["Count", "Seconds", "Milliseconds"]).toContain(m.unit);
  });
});
