import { describe, expect, it } from "vitest";
import { addApproval, checkApprover, isApproverOf, isAutoApproved } from "../../../core/approval.ts";
import type { Status } from "../../../core/request.ts";
import { exampleProfile } from "../../helpers/config.ts";
import { aRequest } from "../../helpers/requests.ts";

const prodWeb = exampleProfile("prod-web");
const staging = exampleProfile("staging");
const withGroup = { ...prodWeb, approvers: ["S0SRE"] };

describe("checkApprover", () => {
  it.each([
    ["a listed approver", prodWeb, "U03DAVE", [], {}, null],
    ["a member of a listed user group", withGroup, "U07GINA", ["S0SRE"], {}, null],
    ["someone not listed", prodWeb, "U07GINA", [], {}, "you are not an approver of the prod-web profile"],
    [
      "the requester without self-approval",
      { ...prodWeb, approvers: ["U01ALICE"] },
      "U01ALICE",
      [],
      {},
      "the prod-web profile does not allow approving your own request",
    ],
    [
      "the requester with self-approval",
      { ...staging, approvers: ["U01ALICE"] },
      "U01ALICE",
      [],
      { profileId: "staging" },
      null,
    ],
    [
      "an approver clicking twice",
      prodWeb,
      "U03DAVE",
      [],
      { approvals: [{ approver: "U03DAVE", at: "t" }] },
      "you have already approved this request; another approver is needed",
    ],
    [
      "a click after a denial",
      prodWeb,
      "U03DAVE",
      [],
      { status: "DENIED" as Status },
      "this request is already denied; nothing was changed",
    ],
    [
      "a click after cancel",
      prodWeb,
      "U03DAVE",
      [],
      { status: "CANCELLED" as Status },
      "this request is already cancelled; nothing was changed",
    ],
    [
      "a click after expiry",
      prodWeb,
      "U03DAVE",
      [],
      { status: "EXPIRED" as Status },
      "this request is already expired; nothing was changed",
    ],
  ])("%s", (_name, profile, approver, groups, overrides, reason) => {
    // Act
    const result = checkApprover(profile, aRequest(overrides), { slackUserId: approver, groups });
    // Assess
    expect(result).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});

describe("quorum", () => {
  it("is reached at N distinct approvals", () => {
    // Prepare
    let request = aRequest({ approvalsRequired: 2 });
    // Act
    const first = addApproval(request, { approver: "U03DAVE", at: "t1" });
    request = { ...request, approvals: first.approvals };
    const second = addApproval(request, { approver: "U04ERIN", at: "t2" });
    // Assess
    expect(first.quorumReached).toBe(false);
    expect(second.quorumReached).toBe(true);
    expect(second.approvals.map((a) => a.approver)).toEqual(["U03DAVE", "U04ERIN"]);
  });

  it("counts an approver once", () => {
    const request = aRequest({ approvalsRequired: 2, approvals: [{ approver: "U03DAVE", at: "t1" }] });
    const again = addApproval(request, { approver: "U03DAVE", at: "t2" });
    expect(again.approvals).toHaveLength(1);
    expect(again.quorumReached).toBe(false);
  });
});

describe("profile rules", () => {
  it("auto-approves only profiles that need no approval", () => {
    expect(isAutoApproved(exampleProfile("sandbox"))).toBe(true);
    expect(isAutoApproved(prodWeb)).toBe(false);
  });
  it("matches approvers directly or through groups", () => {
    expect(isApproverOf(withGroup, { slackUserId: "U1", groups: ["S0SRE"] })).toBe(true);
    expect(isApproverOf(withGroup, { slackUserId: "S0SRE" })).toBe(true);
    expect(isApproverOf(withGroup, { slackUserId: "U1", groups: ["S0OTHER"] })).toBe(false);
  });
});
