/** `/access … --break-glass …` parsing: where the flag may stand, an optional duration and ticket. */
import { describe, expect, it } from "vitest";
import { parseAccessCommand } from "../../../adapters/slack/command.ts";
import { exampleConfig } from "../../helpers/config.ts";

const config = exampleConfig();
const REASON = "checkout is down and nobody answers";

describe("parseAccessCommand with --break-glass", () => {
  it.each([
    [`prod-web 30m INC-1 --break-glass ${REASON}`, { duration: "30m", ticket: "INC-1" }],
    [`prod-web --break-glass 30m INC-1 ${REASON}`, { duration: "30m", ticket: "INC-1" }],
    [`prod-web --BREAK-GLASS INC-1 ${REASON}`, { duration: "", ticket: "INC-1" }],
    [`prod-web INC-1 ${REASON} --break-glass`, { duration: "", ticket: "INC-1" }],
    [`staging --break-glass ${REASON}`, { duration: "" }],
  ])("%s", (text, expected) => {
    // Act
    const parsed = parseAccessCommand(text, config);
    // Assess
    expect(parsed).toMatchObject({ kind: "request", breakGlass: true, reason: REASON, ...expected });
  });

  it.each([
    ["--break-glass prod-web 30m reason enough to pass twenty", /No profile or command "--break-glass"/],
    ["nope --break-glass reason long enough to pass", /No profile "nope"/],
    ["prod-web 30m --break-glass", /Say why/],
  ])("refuses %s", (text, message) => {
    const parsed = parseAccessCommand(text, config);
    expect(parsed.kind).toBe("invalid");
    expect(parsed.kind === "invalid" && parsed.message).toMatch(message);
  });

  it("a request without the flag is not break-glass", () => {
    expect(parseAccessCommand("prod-web 1h INC-1 disk full", config)).not.toHaveProperty("breakGlass");
  });
});
