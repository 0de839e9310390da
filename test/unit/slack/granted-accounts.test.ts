/**
 * Issue 12: a grant in several accounts, or in a member account, tells the requester where it was
 * granted, and never passes the hub's nodes off as the member account's. The SNS body and the audit
 * row name every account with the principal there.
 */
import { describe, expect, it } from "vitest";
import { noticeMessage } from "../../../adapters/aws/sns.ts";
import { requesterMessage } from "../../../adapters/slack/requester-messages.ts";
import { auditRow } from "../../../core/usecases/audit.ts";
import { HUB, STAGING, STAGING_ALICE, TEAM_A, TEAM_A_ALICE } from "../../helpers/accounts.ts";
import { aRequest } from "../../helpers/requests.ts";
import { allText } from "./block-kit-limits.ts";

const HUB_ALICE = {
  kind: "role" as const,
  arn: `arn:aws:iam::${HUB}:role/oncall/jit-alice`,
  name: "jit-alice",
};
const twoAccounts = aRequest({
  status: "ACTIVE",
  expiresAt: "2026-11-26T10:00:00.000Z",
  principal: HUB_ALICE,
  grants: [
    { accountId: HUB, principal: HUB_ALICE },
    { accountId: STAGING, principal: { kind: "role", arn: STAGING_ALICE, name: "jit-alice" } },
  ],
});
const command = "aws ssm start-session --target i-0web1000000000001 --region eu-west-1";

describe("the granted message", () => {
  it("names both accounts and says the listed nodes are the hub's", () => {
    const text = allText(
      requesterMessage("granted", twoAccounts, {
        commands: [command],
        matching: 1,
        accounts: {
          labels: [`prod (${HUB})`, `staging (${STAGING})`],
          hubLabel: `prod (${HUB})`,
          hubIncluded: true,
        },
      })?.blocks,
    );
    expect(text).toContain(`Granted in prod (${HUB}), staging (${STAGING})`);
    expect(text).toContain(`The nodes below are in prod (${HUB})`);
    expect(text).toContain(command);
  });

  it("for a member account alone, lists no hub node and does not claim none is online", () => {
    const memberOnly = aRequest({
      ...twoAccounts,
      grants: [{ accountId: TEAM_A, principal: { kind: "role", arn: TEAM_A_ALICE, name: "jit-alice" } }],
    });
    const text = allText(
      requesterMessage("granted", memberOnly, {
        commands: [],
        accounts: { labels: [`team-a (${TEAM_A})`], hubLabel: `prod (${HUB})`, hubIncluded: false },
      })?.blocks,
    );
    expect(text).toContain(`Granted in team-a (${TEAM_A})`);
    expect(text).not.toContain("No matching node is online");
    expect(text).not.toContain("The nodes below");
  });

  it("reads as before for a grant in the hub alone", () => {
    const text = allText(
      requesterMessage("granted", aRequest({ status: "ACTIVE" }), { commands: [] })?.blocks,
    );
    expect(text).not.toContain("Granted in");
    expect(text).toContain("No matching node is online");
  });
});

describe("SNS and the audit row", () => {
  it("the SNS body lists every account with its principal", () => {
    expect(noticeMessage({ type: "granted", request: twoAccounts }).accounts).toEqual([
      { accountId: HUB, principal: HUB_ALICE.arn },
      { accountId: STAGING, principal: STAGING_ALICE },
    ]);
  });

  it("the audit row names both accounts and both principals", () => {
    const row = auditRow({ accountId: HUB }, { request: twoAccounts, sessionEvents: [] });
    expect(row.account).toBe(`${HUB} ${STAGING}`);
    expect(row.principal).toBe(`${HUB_ALICE.arn} ${STAGING_ALICE}`);
  });
});
