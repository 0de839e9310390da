/**
 * Offboarding: principals the config no longer names while they hold a non-settled request.
 * Written before core/offboarding.ts existed: on main the import failed (no such module), and nothing
 * else named such principals, so their grants were unrevokable.
 */
import { describe, expect, it } from "vitest";
import { describeDropped, droppedPrincipals, OPEN_STATUSES } from "../../../core/offboarding.ts";
import type { Principal } from "../../../core/principal.ts";
import type { AccessRequest, Status } from "../../../core/request.ts";
import { multiAccountConfig, STAGING, STAGING_BOB } from "../../helpers/accounts.ts";
import { exampleConfig } from "../../helpers/config.ts";

const config = exampleConfig();
const ACCOUNT = config.accountId;
const DAN: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/oncall/jit-dan`, name: "jit-dan" };
const ALICE: Principal = {
  kind: "role",
  arn: `arn:aws:iam::${ACCOUNT}:role/oncall/jit-alice`,
  name: "jit-alice",
};

const record = (id: string, principal: Principal, status: Status) =>
  ({ id, principal, status }) as Pick<AccessRequest, "id" | "principal" | "status">;

describe("droppedPrincipals", () => {
  it("names a principal the config dropped, with each of its open requests", () => {
    // Prepare
    const open = [
      record("20261129-aaaaaaaa", DAN, "ACTIVE"),
      record("20261129-bbbbbbbb", DAN, "PENDING"),
      record("20261129-cccccccc", ALICE, "ACTIVE"),
    ];
    // Act
    const dropped = droppedPrincipals(config, open);
    // Assess
    expect(dropped).toEqual([
      {
        arn: DAN.arn,
        kind: "role",
        accountId: ACCOUNT,
        requestIds: ["20261129-aaaaaaaa", "20261129-bbbbbbbb"],
      },
    ]);
  });

  it.each(["REVOKED", "DENIED", "EXPIRED", "CANCELLED", "FAILED"] as Status[])(
    "ignores a %s request (settled: nothing to revoke)",
    (status) => {
      expect(droppedPrincipals(config, [record("20261129-dddddddd", DAN, status)])).toEqual([]);
    },
  );

  it.each(OPEN_STATUSES)("counts a %s request as open", (status) => {
    expect(droppedPrincipals(config, [record("20261129-eeeeeeee", DAN, status)])).toHaveLength(1);
  });

  it("treats a shared-role grant by the role: dropping the shared role strands its people's grants", () => {
    const shared = config.principals.sharedRole?.arn ?? "";
    const person: Principal = {
      kind: "shared-role",
      arn: shared,
      name: "AWSReservedSSO_OnCall",
      sessionName: "x@y",
    };
    const { sharedRole: _, ...principals } = config.principals;
    const withoutShared = { ...config, principals };
    expect(droppedPrincipals(config, [record("20261129-ffffffff", person, "ACTIVE")])).toEqual([]);
    expect(droppedPrincipals(withoutShared, [record("20261129-ffffffff", person, "ACTIVE")])).toEqual([
      { arn: shared, kind: "shared-role", accountId: ACCOUNT, requestIds: ["20261129-ffffffff"] },
    ]);
  });

  it("writes one warning per principal, naming it and its requests", () => {
    const lines = describeDropped([
      { arn: DAN.arn, kind: "role", accountId: ACCOUNT, requestIds: ["20261129-aaaaaaaa"] },
    ]);
    expect(lines).toEqual([
      `${DAN.arn} is no longer in principals.map but holds open request 20261129-aaaaaaaa: it stays revocable (Delete/List/Get only) until settled`,
    ]);
  });

  it("judges every account of a multi-account grant against that account's principals (issue 12)", () => {
    const multi = multiAccountConfig();
    const goneFromStaging: Principal = {
      kind: "role",
      arn: `arn:aws:iam::${STAGING}:role/jit-dan`,
      name: "jit-dan",
    };
    const r = {
      ...record("20261129-gggggggg", ALICE, "ACTIVE"),
      grants: [
        { accountId: ACCOUNT, principal: ALICE },
        { accountId: STAGING, principal: goneFromStaging },
        { accountId: STAGING, principal: { kind: "user" as const, arn: STAGING_BOB, name: "bob" } },
      ],
    };
    const dropped = droppedPrincipals(multi, [r]);
    // Alice's hub role and bob's staging user are configured; dan's staging role is not.
    expect(dropped).toEqual([
      { arn: goneFromStaging.arn, kind: "role", accountId: STAGING, requestIds: ["20261129-gggggggg"] },
    ]);
    expect(describeDropped(dropped, multi)).toEqual([
      `${goneFromStaging.arn} is no longer in principals.accounts.staging.map but holds open request 20261129-gggggggg: it stays revocable (Delete/List/Get only) until settled`,
    ]);
  });
});
