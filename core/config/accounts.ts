/**
 * Rules across the configuration's accounts (issue 12): every account named once, profiles span only
 * named accounts, principals sit in accounts some profile spans, and an organization to deploy spokes
 * to once any account is not the hub's own. Lenient on raw data, like the other cross-field checks.
 */
import type { ConfigIssue } from "../errors.ts";
import { isIdentityCenterRole } from "../slots.ts";
import { type PrincipalBlock, principalIssues } from "./principal-checks.ts";
import { closest } from "./suggest.ts";

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

const ACCOUNT_ID = /^\d{12}$/;

/** Names to valid ids (a broken id is the schema's to report), and issues for ids named twice. */
function namedAccounts(root: Record<string, unknown>): { ids: Map<string, string>; issues: ConfigIssue[] } {
  const ids = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const nameOf = new Map<string, string>();
  for (const [name, id] of Object.entries(asRecord(root.accounts))) {
    if (typeof id !== "string" || !ACCOUNT_ID.test(id)) continue;
    ids.set(name, id);
    const first = nameOf.get(id);
    if (first === undefined) nameOf.set(id, name);
    else {
      issues.push({
        path: `accounts.${name}`,
        message: `${id} is also accounts.${first}; name each account once (profiles list one name per account)`,
      });
    }
  }
  return { ids, issues };
}

/** The message for a profile's account name that `accounts` does not hold. */
function unknownAccount(name: string, known: string[]): string {
  if (known.length === 0) {
    return `"${name}" is no named account, and the config names none: add accounts: { ${name}: "<12-digit account ID>" } at the top level`;
  }
  const meant = closest(name, known, 2);
  return `"${name}" is no account in accounts${meant ? `; did you mean ${meant}?` : ""} (the named accounts are ${known.join(", ")})`;
}

/** Issues of each profile's `accounts`; returns the account ids the profiles span (the hub's by default). */
function profileAccounts(root: Record<string, unknown>, ids: Map<string, string>, hub: string | undefined) {
  const issues: ConfigIssue[] = [];
  const spanned = new Set<string>();
  for (const [id, value] of Object.entries(asRecord(root.profiles))) {
    const listed = asRecord(value).accounts;
    if (!Array.isArray(listed)) {
      if (hub) spanned.add(hub);
      continue;
    }
    listed.forEach((name, i) => {
      const path = `profiles.${id}.accounts.${i}`;
      if (typeof name !== "string") return;
      if (listed.indexOf(name) !== i) issues.push({ path, message: `${name} is listed twice` });
      const accountId = ids.get(name);
      if (accountId) spanned.add(accountId);
      else if (asRecord(root.accounts)[name] === undefined) {
        issues.push({ path, message: unknownAccount(name, [...ids.keys()]) });
      }
    });
  }
  return { issues, spanned };
}

/**
 * The hub's permission set (principals.sharedRole.identityCenter) references the same slot names in
 * every account it is provisioned to, and provisioning fails in an account that lacks one
 * (slot-policies.ts): an Identity Center shared role of another account must have as many slots.
 */
function permissionSetSlots(
  principals: Record<string, unknown>,
  shared: Record<string, unknown>,
  at: string,
) {
  const hub = asRecord(principals.sharedRole);
  if (hub.identityCenter === undefined || typeof shared.arn !== "string" || !isIdentityCenterRole(shared.arn))
    return [];
  const slotsOf = (role: Record<string, unknown>) => (typeof role.slots === "number" ? role.slots : 4);
  if (slotsOf(shared) === slotsOf(hub)) return [];
  return [
    {
      path: `${at}.sharedRole.slots`,
      message: `${slotsOf(shared)}, but the permission set of principals.sharedRole.identityCenter references ${slotsOf(hub)} slots in every account it is provisioned to: set slots: ${slotsOf(hub)}`,
    },
  ];
}

/**
 * Every account rule. `firstPathOf` carries the identities the hub's own principals already claimed,
 * so a role written under two accounts' blocks is found too.
 */
export function accountIssues(
  root: Record<string, unknown>,
  firstPathOf: Map<string, string>,
): ConfigIssue[] {
  const hub =
    typeof root.accountId === "string" && ACCOUNT_ID.test(root.accountId) ? root.accountId : undefined;
  const { ids, issues } = namedAccounts(root);
  const profiles = profileAccounts(root, ids, hub);
  issues.push(...profiles.issues);
  const members = [...ids].filter(([, id]) => id !== hub);
  if (members.length > 0 && root.organization === undefined) {
    const [name, id] = members[0] ?? [];
    issues.push({
      path: "organization",
      message: `accounts.${name} (${id}) is not this hub's account (${hub ?? "accountId"}): name the organization (id and organizationalUnits) the hub deploys its spoke role to, or the hub cannot act there`,
    });
  }
  const principals = asRecord(root.principals);
  const hubHasPrincipals =
    Object.keys(asRecord(principals.map)).length > 0 || principals.sharedRole !== undefined;
  if (hub && hubHasPrincipals && !profiles.spanned.has(hub)) {
    issues.push({
      path: "principals",
      message: `principals.map and principals.sharedRole are in this hub's account ${hub}, which no profile spans: no grant would use them. Add the hub's account to a profile's accounts, or move them under principals.accounts`,
    });
  }
  const named = Object.fromEntries([...ids].filter(([, id]) => id !== hub));
  for (const [name, block] of Object.entries(asRecord(principals.accounts))) {
    const at = `principals.accounts.${name}`;
    const accountId = ids.get(name);
    if (accountId === undefined) {
      if (asRecord(root.accounts)[name] === undefined)
        issues.push({ path: at, message: unknownAccount(name, [...ids.keys()]) });
      continue;
    }
    if (accountId === hub) {
      issues.push({
        path: at,
        message: `${name} is this hub's own account: its principals are principals.map and principals.sharedRole`,
      });
      continue;
    }
    const entries = asRecord(block);
    if (Object.keys(asRecord(entries.map)).length === 0 && entries.sharedRole === undefined) {
      issues.push({ path: at, message: "name at least one principal in map or a sharedRole" });
    }
    if (!profiles.spanned.has(accountId)) {
      issues.push({
        path: at,
        message: `${name} (${accountId}) is in no profile's accounts: no grant would ever use these principals. Add ${name} to a profile's accounts, or remove them`,
      });
    }
    const input: PrincipalBlock = { block, at, accountId, accountLabel: `${accountId} (${name})`, named };
    issues.push(...principalIssues(input, firstPathOf));
    issues.push(...permissionSetSlots(principals, asRecord(entries.sharedRole), at));
  }
  return issues;
}
