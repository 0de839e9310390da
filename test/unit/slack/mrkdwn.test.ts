/**
 * The one gate for outside text (mrkdwn.ts) and the two replies that quote what a person typed.
 * Newlines: collapsed, not quoted. A reason stays on its "Reason:" line, so it can never start a
 * line that reads like ours; quoting would keep the breaks but make every reader learn the quote bar.
 * The command and reply cases were run first against the code of 2026-11-29: the unknown-profile
 * reply echoed `<!channel>` raw and listed all 150 profile names; the error
 * reply for `/access revoke <!channel>` echoed "no request <!channel>".
 */
import { describe, expect, it } from "vitest";
import { parseAccessCommand } from "../../../adapters/slack/command.ts";
import { clip, escapeMarkup, shown, who } from "../../../adapters/slack/mrkdwn.ts";
import { errorMessage } from "../../../adapters/slack/replies.ts";
import type { AccessConfig } from "../../../core/config/load.ts";
import { NotFoundError } from "../../../core/errors.ts";

describe("shown: outside text for mrkdwn", () => {
  it.each([
    [
      "escapes Slack's control characters",
      "a & b <!channel> c > d",
      100,
      "a &amp; b &lt;!channel&gt; c &gt; d",
    ],
    ["turns backticks into a look-alike", "`rm -rf /`", 100, "ˋrm -rf /ˋ"],
    [
      "collapses a forged line",
      "disk full\n*Pre-approved by* <@U0BOSS>",
      100,
      "disk full *Pre-approved by* &lt;@U0BOSS&gt;",
    ],
    ["collapses CR, tabs and Unicode line separators", "a\r\n\tb\u2028c\u2029d\u0085e", 100, "a b c d e"],
    ["caps with an ellipsis inside the limit", "abcdefghij", 5, "abcd…"],
    ["never splits an entity to fit", "abc&def", 6, "abc…"],
    ["never splits an emoji (sizes in UTF-16 units, the stricter count)", "ab😀😀😀", 5, "ab😀…"],
    ["keeps text exactly at the limit", "abcde", 5, "abcde"],
    ["shows nothing for nothing", undefined, 5, ""],
  ])("%s", (_, input, max, expected) => {
    const out = shown(input, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });
});

describe("clip: our own mrkdwn held to a size", () => {
  it("cuts before an entity or a <…> token rather than through it", () => {
    expect(clip(`${"x".repeat(8)}&amp;`, 10)).toBe("xxxxxxxx…");
    expect(clip(`${"x".repeat(5)}<@U01ALICE>`, 10)).toBe("xxxxx…");
    expect(clip("short", 10)).toBe("short");
  });
});

describe("who: mentions only for things that look like Slack ids", () => {
  it.each([
    ["U01ALICE", "<@U01ALICE>"],
    ["S0GROUP1", "<@S0GROUP1>"],
    ["U1> <!channel", "`U1&gt; &lt;!channel`"],
    ["alice@example.com", "`alice@example.com`"],
  ])("%s → %s", (id, expected) => {
    expect(who(id)).toBe(expected);
  });

  it("escapeMarkup leaves everything but &, < and > alone", () => {
    expect(escapeMarkup("`/access help` <x> & *y*")).toBe("`/access help` &lt;x&gt; &amp; *y*");
  });
});

describe("replies that quote a person's words", () => {
  const config = {
    profiles: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`team-${i}`, {}])),
  } as unknown as AccessConfig;

  it("the unknown-profile reply escapes the word and names at most 20 profiles", () => {
    // Act
    const parsed = parseAccessCommand("<!channel> 1h hello", config);
    // Assess
    expect(parsed.kind).toBe("invalid");
    const message = parsed.kind === "invalid" ? parsed.message : "";
    expect(message).toContain('No profile or command "&lt;!channel&gt;"');
    expect(message).toContain("and 130 others");
    expect(message.length).toBeLessThan(600);
  });

  it("an error reply escapes what it quotes", () => {
    expect(errorMessage(new NotFoundError("no request <!channel>"))).toBe(
      ":mag: no request &lt;!channel&gt;",
    );
  });
});
