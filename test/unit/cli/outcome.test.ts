import { describe, expect, it } from "vitest";
import { when } from "../../../cli/format.ts";
import { finalLine, progress } from "../../../cli/outcome.ts";
import type { AccessRequest } from "../../../core/request.ts";

const NOW = new Date(2026, 10, 29, 13, 6, 0);
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
const record = (changes: Partial<AccessRequest>): AccessRequest =>
  ({
    id: "20261129-abcdefgh",
    requester: { slackUserId: "U01ALICE" },
    profileId: "prod-web",
    status: "PENDING",
    approvals: [],
    approvalsRequired: 1,
    ...changes,
  }) as AccessRequest;

describe("when", () => {
  it.each([
    [59, "in 59m (14:05)"],
    [-3, "3m ago (13:03)"],
    [0, "just now (13:06)"],
    [119, "in 1h59m (15:05)"],
    [-24 * 60, "1d ago (Nov 28 13:06)"],
  ])("%i minutes from now reads %s", (minutes, text) => {
    expect(when(at(minutes), NOW)).toBe(text);
  });
});

describe("the state of a request in words", () => {
  it.each<[Partial<AccessRequest>, string]>([
    [{ approvalsRequired: 0 }, "granting (this profile needs no approval)"],
    [
      { approvalsRequired: 2, approvals: [{ approver: "U03DAVE", at: at(0) }] },
      "waiting for approval: 1 of 2",
    ],
    [{ status: "ACTIVE", expiresAt: at(59) }, "active until 14:05 (in 59m)"],
    [{ status: "DENIED", decidedBy: "U03DAVE", denialReason: "freeze" }, "denied by U03DAVE: freeze"],
    [
      { status: "FAILED", failure: "QuotaExceededError: granting would put arn:x over the quota" },
      "not granted: granting would put arn:x over the quota",
    ],
    [{ status: "EXPIRED" }, "expired: nobody approved it within the profile's approval window"],
    [{ status: "CANCELLED", endedBy: "U01ALICE" }, "cancelled by U01ALICE"],
  ])("%j reads %s", (changes, text) => {
    expect(progress(record(changes), NOW)).toBe(text);
  });

  it.each(["FAILED", "DENIED", "EXPIRED", "CANCELLED"] as const)(
    "--wait ending %s is an error line",
    (status) => {
      const { ok, line } = finalLine(record({ status }), NOW, (r) => r.status === "ACTIVE");
      expect(ok).toBe(false);
      expect(line).toMatch(/^jit: 20261129-abcdefgh /);
    },
  );
});
