/** Several accounts in the configuration (issue 12): what is accepted, and every way it is refused. */
import { describe, expect, it } from "vitest";
import {
  accountLabel,
  accountPrincipalArns,
  memberAccountIds,
  profileAccountIds,
  spannedAccountIds,
} from "../../../core/accounts.ts";
import { checkConfig, parseConfig } from "../../../core/config/load.ts";
import { ConfigError } from "../../../core/errors.ts";
import { oneAccountExample, oneAccountExampleData, oneAccountExampleText } from "../../helpers/config.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests edit the parsed YAML freely
type Mutable = Record<string, any>;

const HUB = "123456789012";
const STAGING = "444455556666";
const CAROL_STAGING = `arn:aws:iam::${STAGING}:role/jit-carol`;

/** The one-account example made two: the hub named prod, staging beside it, one profile spanning both. */
function twoAccounts(): Mutable {
  const c = oneAccountExampleData();
  c.accounts = { prod: HUB, staging: STAGING };
  c.organization = { id: "o-a1b2c3d4e5", organizationalUnits: ["ou-ab12-cdef3456"] };
  c.profiles.staging.accounts = ["prod", "staging"];
  c.principals.accounts = { staging: { map: { U01ALICE: CAROL_STAGING } } };
  return c;
}

/** The issues of `twoAccounts()` after `edit`, as "path: message" lines. */
function issuesAfter(edit: (c: Mutable) => void): string[] {
  const data = twoAccounts();
  edit(data);
  try {
    checkConfig(data);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe("one account, as before", () => {
  it("spans the hub's account alone when the config names no accounts", () => {
    // Prepare
    const config = oneAccountExample();
    // Act
    const spanned = spannedAccountIds(config);
    // Assess
    expect(config.accounts).toBeUndefined();
    expect(spanned).toEqual([HUB]);
    expect(memberAccountIds(config)).toEqual([]);
    expect(accountLabel(config, HUB)).toBe(HUB);
  });
});

describe("several accounts", () => {
  it("accepts named accounts, a profile spanning two and principals per account", () => {
    // Act
    const config = checkConfig(twoAccounts());
    // Assess
    expect(profileAccountIds(config, config.profiles.staging ?? {})).toEqual([HUB, STAGING]);
    expect(profileAccountIds(config, config.profiles["prod-web"] ?? {})).toEqual([HUB]);
    expect(memberAccountIds(config)).toEqual([STAGING]);
    expect(accountLabel(config, STAGING)).toBe("staging");
    expect(accountPrincipalArns(config, STAGING)).toEqual([CAROL_STAGING]);
    expect(accountPrincipalArns(config, HUB)).toContain(`arn:aws:iam::${HUB}:user/bob`);
    // An account the config does not name holds nothing of ours.
    expect(accountPrincipalArns(config, "999999999999")).toEqual([]);
  });

  it("takes the partition from another account's principals when the hub holds none (a tooling hub)", () => {
    // Prepare
    const data = twoAccounts();
    data.principals = {
      accounts: { staging: { map: { U01ALICE: `arn:aws-us-gov:iam::${STAGING}:role/jit-alice` } } },
    };
    for (const profile of Object.values(data.profiles) as Mutable[]) profile.accounts = ["staging"];
    // Act
    const config = checkConfig(data);
    // Assess
    expect(config.partition).toBe("aws-us-gov");
    expect(profileAccountIds(config, config.profiles.staging ?? {})).toEqual([STAGING]);
  });

  it("reads an unquoted id as the number it is and says to quote it, leading zero restored", () => {
    // Prepare
    const text = `${oneAccountExampleText()}\naccounts:\n  prod: "${HUB}"\n  staging: 012345678901\n`;
    // Act
    const issues = (() => {
      try {
        parseConfig(text);
        return [];
      } catch (error) {
        return error instanceof ConfigError ? error.issues.map((i) => `${i.path}: ${i.message}`) : [];
      }
    })();
    // Assess
    expect(issues).toContain(
      'accounts.staging: write it in quotes, "012345678901": unquoted, YAML reads it as a number (and drops leading zeros)',
    );
  });

  it.each<[string, (c: Mutable) => void, string]>([
    [
      "an account id that is not 12 digits",
      (c) => (c.accounts.staging = "44445555666"),
      "accounts.staging: must be a 12-digit AWS account ID",
    ],
    [
      "an account name that is not lowercase",
      (c) => (c.accounts.Staging = "777788889999"),
      "accounts.Staging: account names are lowercase letters, digits and -",
    ],
    [
      "one account id under two names",
      (c) => (c.accounts.stage = STAGING),
      `accounts.stage: ${STAGING} is also accounts.staging; name each account once (profiles list one name per account)`,
    ],
    [
      "a profile naming an unknown account (a typo)",
      (c) => (c.profiles.staging.accounts = ["prod", "stagng"]),
      'profiles.staging.accounts.1: "stagng" is no account in accounts; did you mean staging? (the named accounts are prod, staging)',
    ],
    [
      "a profile naming an account listed twice",
      (c) => (c.profiles.staging.accounts = ["staging", "prod", "staging"]),
      "profiles.staging.accounts.2: staging is listed twice",
    ],
    [
      "an empty list of accounts",
      (c) => (c.profiles.staging.accounts = []),
      "profiles.staging.accounts: Too small: expected array to have >=1 items",
    ],
    [
      "principals in an account no profile spans",
      (c) => (c.profiles.staging.accounts = ["prod"]),
      `principals.accounts.staging: staging (${STAGING}) is in no profile's accounts: no grant would ever use these principals. Add staging to a profile's accounts, or remove them`,
    ],
    [
      "principals under an account the config does not name",
      (c) => (c.principals.accounts.qa = { map: { U01ALICE: CAROL_STAGING } }),
      'principals.accounts.qa: "qa" is no account in accounts (the named accounts are prod, staging)',
    ],
    [
      "the hub's account under principals.accounts",
      (c) => (c.principals.accounts.prod = { map: { U09ZED: `arn:aws:iam::${HUB}:role/jit-zed` } }),
      "principals.accounts.prod: prod is this hub's own account: its principals are principals.map and principals.sharedRole",
    ],
    [
      "an account's block with no principal",
      (c) => (c.principals.accounts.staging = { map: {} }),
      "principals.accounts.staging: name at least one principal in map or a sharedRole",
    ],
    [
      "an ARN of another account in an account's block",
      (c) => (c.principals.accounts.staging.map.U01ALICE = "arn:aws:iam::999999999999:role/jit-carol"),
      `principals.accounts.staging.map.U01ALICE: arn:aws:iam::999999999999:role/jit-carol is in account 999999999999, not ${STAGING} (staging)`,
    ],
    [
      "a staging principal written in the hub's map",
      (c) => (c.principals.map.U09ZED = `arn:aws:iam::${STAGING}:role/jit-zed`),
      `principals.map.U09ZED: arn:aws:iam::${STAGING}:role/jit-zed is in account ${STAGING}, not ${HUB}; it belongs under principals.accounts.staging`,
    ],
    [
      "one role for two people across blocks",
      (c) => (c.principals.accounts.staging.map.U02BOB = CAROL_STAGING),
      `principals.accounts.staging.map.U02BOB: ${CAROL_STAGING} is also principals.accounts.staging.map.U01ALICE; a grant on it would reach both people (use principals.accounts.staging.sharedRole for a role many people share)`,
    ],
    [
      "an Identity Center role in an account's map",
      (c) => {
        c.principals.accounts.staging.map.U02BOB = `arn:aws:iam::${STAGING}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_OnCall_0123456789abcdef`;
      },
      `principals.accounts.staging.map.U02BOB: arn:aws:iam::${STAGING}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_OnCall_0123456789abcdef is an Identity Center role (AWS refuses inline policies on it); declare it as principals.accounts.staging.sharedRole, whose grants live in customer-managed policies /jit/jit-grants-N`,
    ],
    [
      "an account's shared role whose trust does not pin the session name",
      (c) => (c.principals.accounts.staging.sharedRole = { arn: `arn:aws:iam::${STAGING}:role/oncall` }),
      `principals.accounts.staging.sharedRole.trustPinsSessionName: arn:aws:iam::${STAGING}:role/oncall is not an Identity Center role`,
    ],
    [
      "an Identity Center permission set on an account's shared role (the hub's names it)",
      (c) => {
        c.principals.accounts.staging.sharedRole = {
          arn: `arn:aws:iam::${STAGING}:role/AWSReservedSSO_OnCall_0123456789abcdef`,
          identityCenter: {},
        };
      },
      "principals.accounts.staging.sharedRole.identityCenter: unknown key",
    ],
    [
      "an Identity Center shared role with other slots than the hub's permission set references",
      (c) => {
        c.principals.sharedRole.identityCenter = {
          instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
          permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
        };
        c.principals.accounts.staging.sharedRole = {
          arn: `arn:aws:iam::${STAGING}:role/AWSReservedSSO_OnCall_0123456789abcdef`,
          slots: 3,
        };
      },
      "principals.accounts.staging.sharedRole.slots: 3, but the permission set of principals.sharedRole.identityCenter references 4 slots in every account it is provisioned to: set slots: 4",
    ],
    [
      "another account without an organization to deploy the spoke to",
      (c) => delete c.organization,
      `organization: accounts.staging (${STAGING}) is not this hub's account (${HUB}): name the organization (id and organizationalUnits) the hub deploys its spoke role to, or the hub cannot act there`,
    ],
    [
      "an organizational unit id that is not one",
      (c) => (c.organization.organizationalUnits = ["ou-prod"]),
      "organization.organizationalUnits.0: must be an organizational unit ID (ou-abcd-12345678) or the root ID (r-abcd)",
    ],
    [
      "an organization id that is not one",
      (c) => (c.organization.id = "org-1"),
      "organization.id: must be an organization ID such as o-a1b2c3d4e5",
    ],
    [
      "no organizational unit",
      (c) => (c.organization.organizationalUnits = []),
      "organization.organizationalUnits: Too small: expected array to have >=1 items",
    ],
  ])("refuses %s", (_, edit, expected) => {
    // Act
    const issues = issuesAfter(edit);
    // Assess
    expect(issues.some((line) => line.startsWith(expected))).toBe(true);
  });

  it("takes an Identity Center shared role with as many slots as the hub's permission set references", () => {
    // Act
    const issues = issuesAfter((c) => {
      c.principals.sharedRole.identityCenter = {
        instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
        permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
      };
      c.principals.accounts.staging.sharedRole = {
        arn: `arn:aws:iam::${STAGING}:role/AWSReservedSSO_OnCall_0123456789abcdef`,
      };
    });
    // Assess
    expect(issues).toEqual([]);
  });

  it("refuses a profile naming an account when the config names none, and says how to name it", () => {
    // Prepare
    const data = oneAccountExampleData();
    data.profiles.staging.accounts = ["staging"];
    // Act
    const act = () => checkConfig(data);
    // Assess
    expect(act).toThrow(
      'profiles.staging.accounts.0: "staging" is no named account, and the config names none: add accounts: { staging: "<12-digit account ID>" } at the top level',
    );
  });

  it("refuses the hub's principals when no profile spans the hub's account", () => {
    // Act
    const issues = issuesAfter((c) => {
      for (const profile of Object.values(c.profiles) as Mutable[]) profile.accounts = ["staging"];
    });
    // Assess
    expect(issues).toContain(
      `principals: principals.map and principals.sharedRole are in this hub's account ${HUB}, which no profile spans: no grant would use them. Add the hub's account to a profile's accounts, or move them under principals.accounts`,
    );
  });
});
