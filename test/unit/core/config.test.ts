import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkConfig, parseConfig } from "../../../core/config/load.ts";
import { ConfigError } from "../../../core/errors.ts";
import { exampleConfigText } from "../../helpers/config.ts";

/** An IAM policy variable, as a hostile config or email would carry it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
const VARIABLE = "${aws:username}";

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
    expect(Object.keys(config.profiles)).toEqual([
      "prod-web",
      "prod-db",
      "staging",
      "sandbox",
      "web-release",
      "lab",
    ]);
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

/** Every issue of a config text, or the error when parsing threw something other than ConfigError. */
function issuesOfText(text: string): string[] {
  try {
    parseConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    return [`threw ${String(error)}`];
  }
  return [];
}

describe("tag values reach IAM only as the config means them", () => {
  // Failed on main: a plain value with * or ? was accepted and silently became an IAM wildcard, and a
  // value with ${ became an IAM policy variable (no issue reported; observed []).
  it.each<[string, (c: Mutable) => void, string]>([
    [
      "a wildcard in a plain value",
      (c) => {
        c.profiles.staging.nodes.tags.Env = "stag*";
      },
      'profiles.staging.nodes.tags.Env: "stag*" contains * or ?, which IAM reads as wildcards; write { like: "stag*" } if a pattern is meant',
    ],
    [
      "a ? in a plain value of a list",
      (c) => {
        c.profiles["prod-db"].nodes.tags.Role = ["db-primary", "db-?"];
      },
      'profiles.prod-db.nodes.tags.Role.1: "db-?" contains * or ?, which IAM reads as wildcards; write { like: "db-?" } if a pattern is meant',
    ],
    [
      "a policy variable in a plain value",
      (c) => {
        c.profiles.staging.nodes.tags.Env = VARIABLE;
      },
      `profiles.staging.nodes.tags.Env: "${VARIABLE}" contains \${, which IAM reads as a policy variable`,
    ],
    [
      "a policy variable in a like value",
      (c) => {
        c.profiles.sandbox.nodes.tags.Owner = { like: `${VARIABLE}-*` };
      },
      `profiles.sandbox.nodes.tags.Owner.like: "${VARIABLE}-*" contains \${, which IAM reads as a policy variable`,
    ],
    [
      "a wildcard in a tag key",
      (c) => {
        c.profiles.staging.nodes.tags["Env*"] = "staging";
      },
      "profiles.staging.nodes.tags.Env*: tag keys may not contain *, ? or ${ (IAM would read them as wildcards or a policy variable)",
    ],
    [
      "a policy variable in a tag key",
      (c) => {
        c.profiles.staging.nodes.tags[VARIABLE] = "staging";
      },
      `profiles.staging.nodes.tags.${VARIABLE}: tag keys may not contain *, ? or \${ (IAM would read them as wildcards or a policy variable)`,
    ],
  ])("refuses %s", (_name, edit, expected) => {
    expect(issuesAfter(edit)).toContain(expected);
  });

  it("keeps a pattern the config asks for with { like }, in the normalized list shape", () => {
    // Act
    const data = parse(exampleConfigText()) as Mutable;
    data.profiles["prod-db"].nodes.tags.Role = ["db-primary", { like: "db-replica-*" }];
    const config = checkConfig(data);
    // Assess
    expect(config.profiles.sandbox?.tags).toEqual({ Env: ["sandbox"], Owner: ["team-*"] });
    expect(config.profiles["prod-db"]?.tags.Role).toEqual(["db-primary", "db-replica-*"]);
  });
});

describe("removed and reserved fields", () => {
  // Failed on main: `runAs` was accepted and shown by the preview but enforced by nothing (observed
  // no issue); `__proto__`/`constructor` keys were dropped silently (observed no issue).
  it("refuses runAs with why it went and what to use instead", () => {
    const issues = issuesAfter((c) => {
      c.profiles["prod-web"].runAs = "ec2-user";
    });
    expect(issues).toEqual([
      "profiles.prod-web.runAs: was removed: nothing made sessions run as that user, so it promised what the product did not do; sessionManager.runAsDefaultUser sets the OS user for the whole account, and Session Manager enforces it",
    ]);
  });

  it.each([
    ["__proto__", "profiles:\n", "profiles:\n  __proto__:\n    description: x\n", "profiles.__proto__"],
    ["constructor", "slack:\n", "slack:\n  constructor: x\n", "slack.constructor"],
  ])("refuses a %s key in YAML", (key, anchor, replacement, path) => {
    const text = exampleConfigText().replace(anchor, replacement);
    expect(issuesOfText(text)).toContain(
      `${path}: the key "${key}" is not allowed (it would change how objects behave)`,
    );
  });

  it("refuses a __proto__ key in parsed JSON", () => {
    // Prepare: JSON.parse keeps "__proto__" as an own key, as a JSON config file would.
    const json = JSON.stringify(parse(exampleConfigText())).replace(
      '"slack":{',
      '"slack":{"__proto__":{"x":1},',
    );
    // Act
    let issues: string[] = [];
    try {
      checkConfig(JSON.parse(json));
    } catch (error) {
      if (error instanceof ConfigError) issues = error.issues.map((i) => `${i.path}: ${i.message}`);
    }
    // Assess
    expect(issues).toContain(
      'slack.__proto__: the key "__proto__" is not allowed (it would change how objects behave)',
    );
  });
});

describe("principals name each person once", () => {
  // Failed on main: two map entries with the same role made it a shared role with no per-person
  // narrowing, and nothing was reported (observed []).
  it.each<[string, (c: Mutable) => void, string]>([
    [
      "the same ARN twice",
      (c) => {
        c.principals.map["dan@example.com"] = "arn:aws:iam::123456789012:role/oncall/jit-alice";
      },
      "principals.map.dan@example.com: arn:aws:iam::123456789012:role/oncall/jit-alice is also principals.map.U01ALICE; a grant on it would reach both people (use principals.sharedRole for a role many people share)",
    ],
    [
      "the same role under another path",
      (c) => {
        c.principals.map.U07GRACE = "arn:aws:iam::123456789012:role/JIT-Carol";
      },
      "principals.map.U07GRACE: arn:aws:iam::123456789012:role/JIT-Carol is also principals.map.carol@example.com; a grant on it would reach both people (use principals.sharedRole for a role many people share)",
    ],
    [
      "the shared role in the map",
      (c) => {
        c.principals.map.U07GRACE = c.principals.sharedRole.arn;
      },
      `principals.map.U07GRACE: arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_0123456789abcdef is also principals.sharedRole.arn; a grant on it would reach both people (use principals.sharedRole for a role many people share)`,
    ],
  ])("refuses %s, naming both paths", (_name, edit, expected) => {
    expect(issuesAfter(edit)).toContain(expected);
  });
});

describe("the shared role's session name template", () => {
  // Failed on main: a literal * around the placeholder was accepted (observed no issue), and would have
  // widened every person's aws:userid condition.
  it.each(["jit-*-{email}", "{email}?", "{slackUserId} oncall"])("refuses %j", (sessionName) => {
    const issues = issuesAfter((c) => {
      c.principals.sharedRole.sessionName = sessionName;
    });
    expect(issues).toContain(
      "principals.sharedRole.sessionName: outside {email} and {slackUserId} it may hold only IAM's role session name characters (letters, digits and + = , . @ _ -)",
    );
  });

  it.each(["{email}", "jit-{slackUserId}", "{slackUserId}.oncall"])("accepts %j", (sessionName) => {
    expect(
      issuesAfter((c) => {
        c.principals.sharedRole.sessionName = sessionName;
      }),
    ).toEqual([]);
  });
});

describe("every YAML failure is a ConfigError with its line", () => {
  // Failed on main: an alias bomb and an unknown alias threw a bare ReferenceError (observed
  // "threw ReferenceError: Excessive alias count indicates a resource exhaustion attack").
  const bomb = [
    "accountId: &a [x, x, x, x, x, x, x, x, x, x]",
    "slack: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "notices: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "profiles: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
  ].join("\n");

  it.each([
    ["an alias bomb", bomb, /^not valid YAML at line 2: Excessive alias count/],
    [
      "an alias with no anchor",
      "accountId: '1'\nslack: *nowhere\n",
      /^not valid YAML at line 2: Unresolved alias/,
    ],
    ["a broken flow sequence", "profiles: [unclosed", /^not valid YAML at line 1: /],
    [
      "a repeated key",
      "accountId: '1'\naccountId: '2'\n",
      /^not valid YAML at line 2: Map keys must be unique/,
    ],
  ])("reports %s", (_name, text, expected) => {
    const issues = issuesOfText(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^: ${expected.source.slice(1)}`));
  });
});

describe("the session key", () => {
  // Failed on main: no profile carried the key of encrypted sessions (observed undefined), so the grant
  // could not allow kms:GenerateDataKey on it.
  it("gives every profile the session key's alias when sessions are encrypted", () => {
    const config = parseConfig(exampleConfigText());
    for (const profile of Object.values(config.profiles)) {
      expect(profile.sessionKeyAlias).toBe("alias/ssm-jit-access-sessions");
    }
  });

  it("uses the alias the config names, and none when sessions are not encrypted", () => {
    const named = parse(exampleConfigText()) as Mutable;
    named.sessionManager.sessionKeyAlias = "alias/team/sessions";
    expect(checkConfig(named).profiles.staging?.sessionKeyAlias).toBe("alias/team/sessions");
    const off = parse(exampleConfigText()) as Mutable;
    off.sessionManager.encryptSessions = false;
    expect(checkConfig(off).profiles.staging?.sessionKeyAlias).toBeUndefined();
  });

  it.each(["sessions", "alias/aws/ssm", `alias/${VARIABLE}`])("refuses the alias %j", (alias) => {
    const issues = issuesAfter((c) => {
      c.sessionManager.sessionKeyAlias = alias;
    });
    expect(issues).toContain(
      "sessionManager.sessionKeyAlias: must be a KMS alias such as alias/ssm-jit-access-sessions (not alias/aws/…, which AWS reserves)",
    );
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
      "profiles.prod-web.aprovers: unknown key; did you mean approvers?",
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
    expect(() => parseConfig("profiles: [unclosed")).toThrow(/^not valid YAML at line 1: /);
  });
});

describe("mistakes a person makes in the file name what to do", () => {
  it.each<[string, (c: Mutable) => void, string]>([
    [
      "a document name one edit from a built-in one",
      (c) => {
        c.profiles.staging.documents = ["shel"];
      },
      'profiles.staging.documents.0: "shel" is no known document; did you mean shell? (list it under customDocuments if it is a document of your own)',
    ],
    [
      "a built-in name with a capital",
      (c) => {
        c.profiles.staging.documents = ["shell", "Ssh"];
      },
      'profiles.staging.documents.1: "Ssh" is no known document; did you mean ssh? (list it under customDocuments if it is a document of your own)',
    ],
    [
      "an unknown top-level key close to a known one",
      (c) => {
        c.profile = c.profiles;
      },
      "profile: unknown key; did you mean profiles?",
    ],
    [
      "an unknown top-level key like no other",
      (c) => {
        c.colour = "blue";
      },
      "colour: unknown key; the top-level keys are accountId, accounts, organization, slack, notices, sessionManager, maxDuration, expiryWarning, observability, principals, onCall, customDocuments, report, profiles",
    ],
    [
      "an unknown key in a nested section",
      (c) => {
        c.slack.admin = ["U0ADMIN01"];
      },
      "slack.admin: unknown key; did you mean admins?",
    ],
  ])("reports %s", (_name, edit, expected) => {
    // Act
    const issues = issuesAfter(edit);
    // Assess
    expect(issues).toEqual([expected]);
  });

  it.each([
    ["shel", ["shel"]],
    ["My-Runbook", ["My-Runbook"]],
  ])("accepts %j as a custom document when it is declared (or far from a built-in)", (name, declared) => {
    // Act
    const issues = issuesAfter((c) => {
      c.profiles.staging.documents = ["shell", name];
      if (name === "shel") c.customDocuments = declared;
    });
    // Assess
    expect(issues).toEqual([]);
  });

  it.each([
    ["123456789012", '"123456789012"'],
    ["012345678901", '"012345678901"'],
  ])("says to quote an unquoted account id (%s)", (written, quoted) => {
    // Prepare
    const text = exampleConfigText().replace(/^accountId: .*$/m, `accountId: ${written}`);
    // Act
    const issues = issuesOfText(text);
    // Assess
    expect(issues).toEqual([
      `accountId: write it in quotes, accountId: ${quoted}: unquoted, YAML reads it as a number (and drops leading zeros)`,
    ]);
  });
});
