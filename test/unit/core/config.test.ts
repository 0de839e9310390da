import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkConfig, parseConfig } from "../../../core/config/load.ts";
import { ConfigError } from "../../../core/errors.ts";
import { exampleConfigText } from "../../helpers/config.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests edit the parsed YAML freely
type Mutable = Record<string, any>;

/** The example config as plain data, changed by `edit`, then checked; returns the issues as lines. */
function issuesAfter(edit: (c: Mutable) => void): string[] {
  const data = parse(exampleConfigText()) as Mutable;
  edit(data);
  try {
    checkConfig(data);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe("the example configuration", () => {
  it("is valid and normalized", () => {
    // Act
    const config = parseConfig(exampleConfigText());
    // Assess
    expect(Object.keys(config.profiles)).toEqual(["prod-web", "prod-db", "staging", "sandbox"]);
    expect(config.maxDurationSeconds).toBe(8 * 3600);
    expect(config.expiryWarningSeconds).toBe(600);
    expect(config.partition).toBe("aws");
    expect(config.profiles["prod-db"]).toMatchObject({
      tags: { Env: ["prod"], Role: ["db-primary", "db-replica"] },
      documents: ["AWS-StartPortForwardingSession", "AWS-StartPortForwardingSessionToRemoteHost"],
      maxDurationSeconds: 7200,
      approvalsRequired: 2,
      selfApproval: false,
    });
    expect(config.profiles.sandbox?.documents).toEqual(["SSM-SessionManagerRunShell"]);
  });
});

describe("config validation", () => {
  it.each<[string, (c: Mutable) => void, string]>([
    [
      "profile maximum over the global maximum",
      (c) => {
        c.profiles["prod-web"].maxDuration = "9h";
      },
      "profiles.prod-web.maxDuration: 9h is over the global maximum 8h",
    ],
    [
      "default over the profile maximum",
      (c) => {
        c.profiles["prod-web"].defaultDuration = "5h";
      },
      "profiles.prod-web.defaultDuration: 5h is over this profile's maximum 4h",
    ],
    [
      "an unreadable duration",
      (c) => {
        c.profiles.staging.approvalTimeout = "soon";
      },
      'profiles.staging.approvalTimeout: "soon" is not a duration (use forms like 90m, 1h30m, 2h or PT1H30M)',
    ],
    [
      "a profile shorter than the expiry warning",
      (c) => {
        c.profiles.staging.maxDuration = "5m";
        c.profiles.staging.defaultDuration = "5m";
      },
      "profiles.staging.maxDuration: must be longer than the expiry warning 10m",
    ],
    [
      "no tag in the node selector",
      (c) => {
        c.profiles["prod-web"].nodes.tags = {};
      },
      "profiles.prod-web.nodes.tags: at least one tag is required (a profile never selects all nodes)",
    ],
    [
      "no node selector at all",
      (c) => delete c.profiles["prod-web"].nodes,
      "profiles.prod-web.nodes: Invalid input: expected object, received undefined",
    ],
    [
      "more approvals than approvers",
      (c) => {
        c.profiles["prod-db"].approvalsRequired = 4;
      },
      "profiles.prod-db.approvalsRequired: 4 approvals required but only 3 approvers listed",
    ],
    [
      "approvals without approvers",
      (c) => {
        c.profiles.sandbox.approvalsRequired = 1;
      },
      "profiles.sandbox.approvers: 1 approval(s) required but no approvers listed (set approvalsRequired: 0 to auto-approve)",
    ],
    [
      "an approver that is not a Slack ID",
      (c) => {
        c.profiles.staging.approvers = ["dave"];
      },
      "profiles.staging.approvers.0: must be a Slack user ID (U…/W…) or user-group ID (S…)",
    ],
    [
      "a broken ticket pattern",
      (c) => {
        c.profiles["prod-web"].ticketPattern = "INC-(";
      },
      'profiles.prod-web.ticketPattern: "INC-(" is not a valid regular expression',
    ],
    [
      "an unknown field (a typo)",
      (c) => {
        c.profiles["prod-web"].aprovers = ["U03DAVE"];
      },
      'profiles.prod-web: Unrecognized key: "aprovers"',
    ],
    ["a bad account id", (c) => (c.accountId = "1234"), "accountId: must be a 12-digit AWS account ID"],
    [
      "a principal in another account",
      (c) => {
        c.principals.map.U01ALICE = "arn:aws:iam::999999999999:role/jit-alice";
      },
      "principals.map.U01ALICE: arn:aws:iam::999999999999:role/jit-alice is in account 999999999999, not 123456789012",
    ],
    [
      "a principal that is not a role or user ARN",
      (c) => {
        c.principals.map.U01ALICE = "arn:aws:s3:::bucket";
      },
      "principals.map.U01ALICE: must be an IAM role or IAM user ARN",
    ],
    [
      "a shared principal that is a user",
      (c) => {
        c.principals.sharedRole.arn = "arn:aws:iam::123456789012:user/shared";
      },
      "principals.sharedRole.arn: a shared principal must be an IAM role",
    ],
    [
      "a shared role without a person in its session name",
      (c) => {
        c.principals.sharedRole.sessionName = "oncall";
      },
      "principals.sharedRole.sessionName: must contain {email} or {slackUserId}",
    ],
    [
      "no principal at all",
      (c) => {
        c.principals = { map: {} };
      },
      "principals: name at least one principal in map or a sharedRole",
    ],
    [
      "a bad profile id",
      (c) => {
        c.profiles.Prod_Web = c.profiles["prod-web"];
      },
      "profiles.Prod_Web: profile ids are lowercase letters, digits and -",
    ],
    ["no profiles", (c) => (c.profiles = {}), "profiles: at least one profile is required"],
    [
      "a bad region",
      (c) => {
        c.profiles.staging.regions = ["europe"];
      },
      "profiles.staging.regions.0: must be an AWS region such as eu-west-1",
    ],
    [
      "a bad channel",
      (c) => {
        c.slack.auditChannel = "#audit";
      },
      "slack.auditChannel: must be a Slack channel ID such as C0123ABCD",
    ],
    [
      "an idle timeout Session Manager does not allow",
      (c) => {
        c.sessionManager.idleTimeout = "2h";
      },
      "sessionManager.idleTimeout: 2h must be between 1m and 60m",
    ],
    [
      "a maximum session duration over a day",
      (c) => {
        c.sessionManager.maxSessionDuration = "2d";
      },
      "sessionManager.maxSessionDuration: 2d must be between 1m and 24h",
    ],
    [
      "a bad session document",
      (c) => {
        c.profiles.staging.documents = ["shell", "rm -rf"];
      },
      "profiles.staging.documents.1: must be shell, port-forwarding, port-forwarding-remote, ssh or a document name",
    ],
  ])("reports %s", (_name, edit, expected) => {
    // Act
    const issues = issuesAfter(edit);
    // Assess
    expect(issues).toContain(expected);
  });

  it("reports every problem at once, each with its path", () => {
    // Act
    const issues = issuesAfter((c) => {
      c.accountId = "x";
      c.profiles["prod-web"].maxDuration = "9h";
      c.profiles.staging.regions = [];
    });
    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([
        "accountId: must be a 12-digit AWS account ID",
        "profiles.prod-web.maxDuration: 9h is over the global maximum 8h",
        "profiles.staging.regions: Too small: expected array to have >=1 items",
      ]),
    );
    expect(issues).toHaveLength(3);
  });

  it("refuses text that is not YAML with a clear message", () => {
    expect(() => parseConfig("profiles: [unclosed")).toThrow(/^not valid YAML: /);
  });
});
