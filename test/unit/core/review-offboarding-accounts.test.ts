/**
 * Security review of issue 12: an account taken out of every profile while grants there are open.
 * The hub reaches a member only through what the config spans (its AssumeRole permission lists the
 * spanned members' brokers, the spoke's broker rights come from that account's principals, the ports
 * refuse any other account), so such a grant could no longer be revoked nor its sessions ended. Before
 * the fix the deploy and `jit config check` said the opposite: "it stays revocable".
 */
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../../core/config/load.ts";
import { describeDropped, droppedPrincipals, strandedAccounts } from "../../../core/offboarding.ts";
import type { AccessRequest } from "../../../core/request.ts";
import { functionPermissions, type ResourceArns } from "../../../stacks/permissions.ts";
import { brokerPolicy } from "../../../stacks/spoke-broker.ts";
import {
  HUB,
  multiAccountData,
  STAGING,
  STAGING_ALICE,
  TEAM_A,
  TEAM_A_ALICE,
} from "../../helpers/accounts.ts";

/** The multi-account config after team-a was taken out of the sandbox profile (and its principals). */
function withoutTeamA() {
  const data = multiAccountData();
  data.profiles.sandbox.accounts = ["staging"];
  delete data.principals.accounts["team-a"];
  return checkConfig(data);
}

const open = (id: string, grants: { accountId: string; arn: string }[]) =>
  ({
    id,
    status: "ACTIVE",
    principal: { kind: "role", arn: grants[0]?.arn ?? "", name: "jit-alice" },
    grants: grants.map((g) => ({
      accountId: g.accountId,
      principal: { kind: "role", arn: g.arn, name: "jit-alice" },
    })),
  }) as Pick<AccessRequest, "id" | "principal" | "grants" | "status">;

describe("an account no profile spans any more, with open grants there", () => {
  const config = withoutTeamA();
  const record = open("20261129-aaaaaaaa", [{ accountId: TEAM_A, arn: TEAM_A_ALICE }]);

  it("really is out of the hub's reach: no AssumeRole on its broker, no broker rights on its principal", () => {
    // What makes the stranding real (holds before and after the fix).
    const arns = {
      table: `arn:aws:dynamodb:eu-west-1:${HUB}:table/jit`,
      topic: `arn:aws:sns:eu-west-1:${HUB}:jit`,
      topicKey: `arn:aws:kms:eu-west-1:${HUB}:key/x`,
      stateMachine: `arn:aws:states:eu-west-1:${HUB}:stateMachine:jit`,
    } satisfies ResourceArns;
    const revoke = functionPermissions(config, arns, [TEAM_A_ALICE]).revokeAccess;
    const assumable = revoke.filter((p) => p.actions.includes("sts:AssumeRole")).flatMap((p) => p.resources);
    expect(assumable.some((arn) => arn.includes(TEAM_A))).toBe(false);
    // The spoke template's broker rights are mapped by the spanned members' ids only.
    const { mappings } = brokerPolicy(config, [TEAM_A_ALICE]);
    expect(JSON.stringify(mappings)).not.toContain(TEAM_A);
  });

  it("is named as stranded, with its open requests (the deploy refuses on it)", () => {
    expect(strandedAccounts(config, [record])).toEqual([
      { accountId: TEAM_A, requestIds: ["20261129-aaaaaaaa"] },
    ]);
  });

  it("is not told to stay revocable (the old warning said so, and it was false)", () => {
    const lines = describeDropped(droppedPrincipals(config, [record]), config);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("stays revocable");
    expect(lines[0]).toContain("could not revoke");
  });

  it("does not name spanned accounts, the hub, or settled records", () => {
    const spanned = open("20261129-bbbbbbbb", [
      { accountId: HUB, arn: `arn:aws:iam::${HUB}:role/oncall/jit-alice` },
      { accountId: STAGING, arn: STAGING_ALICE },
    ]);
    const settled = { ...record, status: "REVOKED" as const };
    expect(strandedAccounts(config, [spanned, settled])).toEqual([]);
  });
});
