/**
 * Every Slack builder against hostile input: markup in the reason, ticket, denial, failure and
 * CloudTrail target must reach Slack as text (never a mention, a link or a forged line), and every
 * message or view stays within Block Kit's documented limits whatever the sizes.
 *
 * Written before the fix; on the code of 2026-11-29 all 11 failed: the approval message
 * carrying a raw `<!channel>`; the session notice's section at 8,139 characters; the granted DM
 * silent about the 390 nodes it did not list; the revoked DM at 3,143 characters; the modal
 * offering 100 of 150 profiles (no way to pick the other 50) and 152 durations; the Home tab cut
 * at 100 blocks without a word; the audit line, the denial and the failure DMs carrying raw
 * `<!channel>` and links.
 */
import { describe, expect, it } from "vitest";
import {
  approvalMessage,
  auditLine,
  homeView,
  outcomeLine,
  requesterMessage,
  requestModal,
  sessionBlocks,
  startSessionCommands,
} from "../../../adapters/slack/blocks.ts";
import type { SessionNotice } from "../../../core/ports.ts";
import { aRequest } from "../../helpers/requests.ts";
import { allText, aProfile, limitProblems, selectValues } from "./block-kit-limits.ts";

const INJECTION = "<!channel> <https://evil.example|Approve here> `rm -rf` & \n*Pre-approved by* <@U0BOSS>\n";
/** 2,000 characters of markup, newlines and forged lines. */
const REASON = INJECTION.repeat(40).slice(0, 2000);
const NOW = new Date("2026-11-26T09:30:00Z");

/** The raw markup no builder may let through. */
function expectNoInjection(blocks: unknown) {
  const seen = allText(blocks);
  expect(seen).not.toContain("<!channel>");
  expect(seen).not.toContain("<https://evil.example");
  expect(seen).not.toContain("<@U0BOSS>");
  expect(seen).not.toContain("`rm -rf`");
  for (const line of seen.split("\n")) expect(line.trimStart()).not.toMatch(/^\*Pre-approved by\*/);
}

const hostile = aRequest({
  reason: REASON,
  ticket: `INC-1 ${REASON}`.slice(0, 2000),
  status: "ACTIVE",
  expiresAt: "2026-11-26T10:00:00.000Z",
  denialReason: REASON,
  failure: REASON,
});

describe("the approvals-channel message", () => {
  it("shows a hostile 2,000-character reason as escaped text on one line, within limits", () => {
    // Act
    const blocks = approvalMessage({ ...hostile, status: "PENDING" }, aProfile(), 400);
    // Assess
    expectNoInjection(blocks);
    expect(allText(blocks)).toContain("&lt;!channel&gt;");
    expect(limitProblems("message", blocks)).toEqual([]);
  });

  it("shows a hostile denial as text in the outcome line", () => {
    const line = outcomeLine({ ...hostile, status: "DENIED", decidedBy: "U03DAVE" });
    expectNoInjection([{ type: "section", text: { type: "mrkdwn", text: line } }]);
    expect(line.length).toBeLessThanOrEqual(3000);
  });
});

describe("session notices", () => {
  it("keep a hostile reason, ticket, target and detail escaped and under 3,000 characters", () => {
    // Prepare
    const notice: SessionNotice = {
      type: "session-alert",
      outcome: "outside-grant",
      actor: `arn:aws:sts::123456789012:assumed-role/x/${REASON}`,
      detail: REASON,
      request: hostile,
      session: {
        sessionId: `alice-${"<!here>".repeat(100)}`,
        owner: "x",
        target: `i-0web1 ${REASON}`,
        region: "eu-west-1",
        startAnnounced: true,
        endAnnounced: false,
        version: 1,
      },
    };
    // Act
    const message = sessionBlocks(notice, NOW);
    // Assess
    expectNoInjection(message.blocks);
    expect(message.text).not.toContain("<!here>");
    expect(limitProblems("message", message.blocks)).toEqual([]);
  });
});

describe("direct messages to the requester", () => {
  const profile = aProfile();
  const nodes = Array.from({ length: 400 }, (_, i) => ({
    id: `i-0${String(i).padStart(16, "0")}`,
    region: "eu-west-1",
  }));

  it("granted: 400 matching nodes list a few commands and say how many more match", () => {
    // Act
    const message = requesterMessage("granted", hostile, {
      commands: startSessionCommands(profile, nodes),
      matching: nodes.length,
    });
    // Assess
    expect(allText(message?.blocks)).toMatch(/390 more nodes match/);
    expect(limitProblems("message", message?.blocks ?? [])).toEqual([]);
  });

  it("granted: a node id with backticks cannot close the code block", () => {
    const commands = startSessionCommands(profile, [{ id: "i-1```\n<!channel>", region: "eu-west-1" }]);
    const message = requesterMessage("granted", hostile, { commands, matching: 1 });
    expect(allText(message?.blocks).match(/```/g)).toHaveLength(2);
    expectNoInjection(message?.blocks);
  });

  it("revoked: 40 closed sessions and a hostile reason stay within limits", () => {
    const terminated = Array.from({ length: 40 }, (_, i) => `alice-${String(i).padStart(17, "0")}`);
    const message = requesterMessage("revoked", hostile, { terminated, reason: REASON });
    expectNoInjection(message?.blocks);
    expect(limitProblems("message", message?.blocks ?? [])).toEqual([]);
  });

  it.each(["denied", "failed"])("%s: the reason given is escaped and capped", (type) => {
    const message = requesterMessage(type, { ...hostile, decidedBy: "U03DAVE" }, { reason: REASON });
    expectNoInjection(message?.blocks);
    expect(limitProblems("message", message?.blocks ?? [])).toEqual([]);
  });
});

describe("the request modal", () => {
  it("offers every one of 150 profiles and at most 100 durations, each select within limits", () => {
    // Prepare: 150 profiles, each with its own maximum.
    const base = aProfile({ id: "staging", maxDurationSeconds: 28_800 });
    const profiles = Array.from({ length: 150 }, (_, i) => ({
      ...base,
      id: `team-${String(i).padStart(3, "0")}`,
      description: `<!channel> ${"very long description ".repeat(10)}`,
      maxDurationSeconds: 3600 + 60 * i,
    }));
    // Act
    const view = requestModal(profiles);
    // Assess
    const [profileBlock, durationBlock] = view.blocks as { element: unknown }[];
    expect(selectValues(profileBlock?.element).sort()).toEqual(profiles.map((p) => p.id));
    expect(selectValues(durationBlock?.element).length).toBeLessThanOrEqual(100);
    expect(limitProblems("modal", view.blocks)).toEqual([]);
  });
});

describe("App Home", () => {
  it("with 150 grants, 150 pending and 40 waiting stays within 100 blocks and says what it left out", () => {
    // Prepare
    const many = (status: "ACTIVE" | "PENDING", n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...hostile, id: `20261126-${status}${i}`, status }));
    // Act
    const view = homeView([...many("ACTIVE", 150), ...many("PENDING", 150)], many("PENDING", 40), NOW);
    // Assess
    expect(limitProblems("home", view.blocks)).toEqual([]);
    expect(allText(view.blocks)).toMatch(/more active grant/);
    expect(allText(view.blocks)).toMatch(/more pending request/);
    expectNoInjection(view.blocks);
  });
});

describe("the audit channel line", () => {
  it("escapes and caps a hostile failure", () => {
    const line = auditLine("failed", hostile, { failure: REASON });
    expectNoInjection([{ type: "section", text: { type: "mrkdwn", text: line } }]);
    expect(line.length).toBeLessThanOrEqual(3000);
  });
});

describe("bare URLs and names in outside text", () => {
  // Failed before (review, 2026-11-29): no text object set `verbatim`, so Slack auto-linked a bare
  // "https://evil.example/sso" in a reason.
  it("are never auto-linked: every mrkdwn text object is verbatim", () => {
    const blocks = approvalMessage(
      { ...hostile, status: "PENDING", reason: "see https://evil.example/sso and #general" },
      aProfile(),
      3,
    );
    const mrkdwn: { verbatim?: boolean }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        if ((v as { type?: string }).type === "mrkdwn") mrkdwn.push(v as { verbatim?: boolean });
        Object.values(v).forEach(walk);
      }
    };
    walk(blocks);
    expect(mrkdwn.length).toBeGreaterThan(0);
    expect(mrkdwn.filter((t) => t.verbatim !== true)).toEqual([]);
  });
});
