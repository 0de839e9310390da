/**
 * The rules one account's principals follow, whichever account: the hub's own (`principals.map` and
 * `principals.sharedRole`) and each named account's (`principals.accounts.<name>`). They read raw data
 * leniently, so they still report when other parts of the file are broken.
 */
import { isIdentityCenterRole } from "../slots.ts";
import { PRINCIPAL_ARN } from "./constants.ts";

/** One problem, at its dotted path (core/errors.ts's ConfigIssue, restated to keep this file small). */
interface Issue {
  path: string;
  message: string;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** One account's principal block and where it sits in the file. */
export interface PrincipalBlock {
  /** `{ map, sharedRole }` as written. */
  block: unknown;
  /** "principals" for the hub's own, "principals.accounts.<name>" for another account's. */
  at: string;
  /** The account its ARNs must be in; undefined when that account's id is itself broken. */
  accountId: string | undefined;
  /** How the message names that account: its id, with its name when it has one. */
  accountLabel?: string | undefined;
  /** The config's named accounts (`accounts`), so an ARN in the wrong block says where it belongs. */
  named?: Record<string, unknown>;
}

/** "; it belongs under principals.accounts.<name>" when the ARN's account has a name. */
function belongs(named: Record<string, unknown> | undefined, accountId: string): string {
  const name = Object.entries(named ?? {}).find(([, id]) => id === accountId)?.[0];
  return name ? `; it belongs under principals.accounts.${name}` : "";
}

/**
 * Issues of one account's principals. `firstPathOf` is shared across accounts: an identity is one
 * account, kind and name, so the same role written twice is found wherever the second one is.
 */
export function principalIssues(input: PrincipalBlock, firstPathOf: Map<string, string>): Issue[] {
  const { at, accountId } = input;
  const issues: Issue[] = [];
  const principals = asRecord(input.block);
  const map = asRecord(principals.map);
  const shared = asRecord(principals.sharedRole);
  const arns: [string, unknown][] = [];
  if (shared.arn !== undefined) arns.push([`${at}.sharedRole.arn`, shared.arn]);
  arns.push(...Object.entries(map).map(([k, v]) => [`${at}.map.${k}`, v] as [string, unknown]));
  // A role or user is one identity per account and name (IAM names are unique regardless of path
  // and case): two entries on it would make it a shared principal with no per-person narrowing.
  for (const [path, arn] of arns) {
    const match = typeof arn === "string" ? PRINCIPAL_ARN.exec(arn) : null;
    if (match && accountId && match[2] !== accountId) {
      const where = `${input.accountLabel ?? accountId}${belongs(input.named, match[2] ?? "")}`;
      issues.push({ path, message: `${arn} is in account ${match[2]}, not ${where}` });
    }
    if (!match) continue;
    const identity = `${match[1]}:${match[2]}:${match[3]}:${(match[5] ?? "").toLowerCase()}`;
    const first = firstPathOf.get(identity);
    if (first === undefined) firstPathOf.set(identity, path);
    else {
      issues.push({
        path,
        message: `${arn} is also ${first}; a grant on it would reach both people (use ${at}.sharedRole for a role many people share)`,
      });
    }
  }
  // Identity Center's roles are protected: AWS refuses PutRolePolicy on them ("this role is only
  // modifiable by AWS"), so a one-person inline grant can never land there. Grants on them go through
  // the shared role's slots (customer-managed policies the permission set references).
  for (const [key, arn] of Object.entries(map)) {
    if (typeof arn === "string" && isIdentityCenterRole(arn)) {
      issues.push({
        path: `${at}.map.${key}`,
        message: `${arn} is an Identity Center role (AWS refuses inline policies on it); declare it as ${at}.sharedRole, whose grants live in customer-managed policies /jit/jit-grants-N`,
      });
    }
  }
  // Slot statements tell people apart by role session name. Identity Center sets it to the user;
  // on any other role whoever may call AssumeRole picks it (`--role-session-name dan@example.com`),
  // unless the role's trust policy pins sts:RoleSessionName to the caller.
  if (
    typeof shared.arn === "string" &&
    !isIdentityCenterRole(shared.arn) &&
    shared.trustPinsSessionName !== true
  ) {
    issues.push({
      path: `${at}.sharedRole.trustPinsSessionName`,
      message: `${shared.arn} is not an Identity Center role: whoever may assume it chooses their role session name and would get another person's grants. Make its trust policy require sts:RoleSessionName to be the caller's own name (for example \${aws:username}), then set trustPinsSessionName: true`,
    });
  }
  // The role session name is who a shared-role caller is (slot statements, the signed API): two
  // people given one name would each reach the other's grants and act as each other.
  const byName = new Map<string, string>();
  for (const [key, name] of Object.entries(asRecord(shared.names))) {
    if (typeof name !== "string") continue;
    const lower = name.toLowerCase();
    const first = byName.get(lower);
    if (first === undefined) byName.set(lower, key);
    else
      issues.push({
        path: `${at}.sharedRole.names.${key}`,
        message: `the session name ${name} is also ${first}'s: each person needs their own (a grant for one would reach the other)`,
      });
  }
  const sharedMatch = typeof shared.arn === "string" ? PRINCIPAL_ARN.exec(shared.arn) : null;
  if (sharedMatch && sharedMatch[3] !== "role") {
    issues.push({ path: `${at}.sharedRole.arn`, message: "a shared principal must be an IAM role" });
  }
  return issues;
}
