/**
 * A multi-account variant of the one-account example (issue 12), apart from the example's own
 * accounts: the hub is `prod`; `staging` has one-person principals and an Identity Center shared role
 * with three slots; `team-a` has one role and a shared role of its own (trust pinned) with five slots.
 * The staging profile spans prod and staging (two regions), the sandbox profile team-a.
 */
import { type AccessConfig, checkConfig } from "../../core/config/load.ts";
import { oneAccountExampleData } from "./config.ts";

export const HUB = "123456789012";
export const STAGING = "444455556666";
export const TEAM_A = "777788889999";
export const STAGING_ALICE = `arn:aws:iam::${STAGING}:role/oncall/jit-alice`;
export const STAGING_BOB = `arn:aws:iam::${STAGING}:user/bob`;
export const STAGING_SHARED = `arn:aws:iam::${STAGING}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_0123456789abcdef`;
export const TEAM_A_ALICE = `arn:aws:iam::${TEAM_A}:role/jit-alice`;
export const TEAM_A_SHARED = `arn:aws:iam::${TEAM_A}:role/oncall-shared`;

/** The multi-account variant of the example, checked like any config. */
export const multiAccountConfig = (): AccessConfig => checkConfig(multiAccountData());

/** The same as data, unchecked, for a test to change before checking it. */
// biome-ignore lint/suspicious/noExplicitAny: the parsed YAML is edited freely before it is checked
export function multiAccountData(): Record<string, any> {
  // The example's own accounts are left out: this variant names its own.
  const data = oneAccountExampleData();
  data.accounts = { prod: HUB, staging: STAGING, "team-a": TEAM_A };
  data.organization = { id: "o-a1b2c3d4e5", organizationalUnits: ["ou-ab12-cdef3456", "r-ab12"] };
  data.profiles.staging.accounts = ["prod", "staging"];
  data.profiles.staging.regions = ["eu-west-1", "us-east-1"];
  data.profiles.sandbox.accounts = ["team-a"];
  data.principals.accounts = {
    staging: {
      map: { U01ALICE: STAGING_ALICE, U02BOB: STAGING_BOB },
      sharedRole: { arn: STAGING_SHARED, slots: 3 },
    },
    "team-a": {
      map: { U01ALICE: TEAM_A_ALICE },
      sharedRole: { arn: TEAM_A_SHARED, trustPinsSessionName: true, slots: 5 },
    },
  };
  return data;
}
