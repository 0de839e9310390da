/**
 * On-call rules, pure: which email a requester is known by (never another person's), how long an
 * on-call grant may last, and the decision (an error, a hang, a short shift never approve).
 */
import { describe, expect, it } from "vitest";
import { type OnCall, type OnCallRule, onCallDuration, requesterEmail } from "../../../core/oncall.ts";
import { decideOnCall } from "../../../core/usecases/oncall.ts";
import { exampleProfile } from "../../helpers/config.ts";

const ALICE_ROLE = "arn:aws:iam::123456789012:role/jit-alice";
const NOW = new Date("2026-11-26T09:00:00Z");
const rule = (extra: Partial<OnCallRule> = {}): OnCallRule => ({
  provider: "pagerduty",
  schedules: ["PWEBPRI"],
  escalationPolicies: [],
  levels: [1],
  capToShift: false,
  ...extra,
});

describe("requesterEmail", () => {
  it.each([
    [
      "Slack's email, lower-cased",
      { slackUserId: "U1", email: "Alice@Example.com" },
      {},
      "alice@example.com",
    ],
    [
      "the map's one email for the same ARN",
      { slackUserId: "U1" },
      { U1: ALICE_ROLE, "alice@example.com": ALICE_ROLE },
      "alice@example.com",
    ],
    ["none when the map names no email for the ARN", { slackUserId: "U1" }, { U1: ALICE_ROLE }, undefined],
    [
      "none when the ARN is shared by two Slack IDs (it could be the other person's email)",
      { slackUserId: "U1" },
      { U1: ALICE_ROLE, U2: ALICE_ROLE, "bob@example.com": ALICE_ROLE },
      undefined,
    ],
    [
      "none when two emails map to the ARN",
      { slackUserId: "U1" },
      { U1: ALICE_ROLE, "alice@example.com": ALICE_ROLE, "oncall@example.com": ALICE_ROLE },
      undefined,
    ],
    ["not a malformed Slack email", { slackUserId: "U1", email: "not an email" }, {}, undefined],
    ["none for someone unmapped", { slackUserId: "U9" }, { U1: ALICE_ROLE }, undefined],
  ])("%s", (_name, person, map, expected) => {
    expect(requesterEmail(person, map as Record<string, string>)).toBe(expected);
  });
});

describe("onCallDuration", () => {
  it.each([
    { asked: 7200, extra: {}, shiftEnd: undefined, seconds: 7200, capped: false },
    { asked: 7200, extra: { maxDuration: "1h" }, shiftEnd: undefined, seconds: 3600, capped: false },
    {
      asked: 7200,
      extra: { capToShift: true },
      shiftEnd: "2026-11-26T09:20:00Z",
      seconds: 1200,
      capped: true,
    },
    { asked: 7200, extra: {}, shiftEnd: "2026-11-26T09:20:00Z", seconds: 7200, capped: false },
    {
      asked: 600,
      extra: { capToShift: true },
      shiftEnd: "2026-11-26T09:20:00Z",
      seconds: 600,
      capped: false,
    },
  ])(
    "asked $asked with $extra and shift end $shiftEnd → $seconds",
    ({ asked, extra, shiftEnd, seconds, capped }) => {
      expect(onCallDuration(asked, rule(extra), NOW, shiftEnd)).toEqual({ seconds, cappedToShift: capped });
    },
  );
});

describe("decideOnCall", () => {
  const profile = { ...exampleProfile("prod-web"), onCall: rule({ capToShift: true }) };
  const alice = { slackUserId: "U01ALICE", email: "alice@example.com" };
  const decide = (provider: OnCall, timeoutMs = 200) =>
    decideOnCall({ pagerduty: provider }, profile, {}, alice, 3600, NOW, timeoutMs);

  it.each([
    [
      "a provider that throws",
      { isOnCall: async () => Promise.reject(new Error("boom")) },
      /lookup failed.*boom/,
    ],
    [
      "a provider that never answers",
      { isOnCall: () => new Promise<never>(() => {}) },
      /no answer within 200 ms/,
    ],
    ["not on call", { isOnCall: async () => ({ onCall: false as const, reason: "nope" }) }, /^nope$/],
    [
      "a shift ending in 30 seconds",
      { isOnCall: async () => ({ onCall: true as const, level: 1, shiftEnd: "2026-11-26T09:00:30Z" }) },
      /too soon for a grant/,
    ],
  ])("%s waits for approvers", async (_name, provider, reason) => {
    const outcome = await decide(provider);
    expect(outcome?.decision.approved).toBe(false);
    expect(outcome?.decision.reason).toMatch(reason);
    expect(outcome?.durationSeconds).toBe(3600);
  });

  it("on call with a shift ending in 20 minutes: approved for 20 minutes", async () => {
    const outcome = await decide({
      isOnCall: async () => ({
        onCall: true,
        schedule: "PWEBPRI",
        level: 1,
        shiftEnd: "2026-11-26T09:20:00.000Z",
      }),
    });
    expect(outcome).toMatchObject({
      durationSeconds: 1200,
      decision: { approved: true, cappedToShift: true, email: "alice@example.com", schedule: "PWEBPRI" },
    });
  });

  it("a profile without an on-call rule asks nobody", async () => {
    const asked: string[] = [];
    const provider: OnCall = {
      isOnCall: async (email) => {
        asked.push(email);
        return { onCall: true };
      },
    };
    const plain = exampleProfile("prod-db");
    expect(await decideOnCall({ pagerduty: provider }, plain, {}, alice, 3600, NOW)).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
