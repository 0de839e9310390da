/**
 * How a Slack user becomes an AWS principal: an explicit map (Slack user ID or email → role or user
 * ARN), else the shared role (an Identity Center permission-set role, say) narrowed to the person by
 * their role session name.
 */

import { PRINCIPAL_ARN, ROLE_SESSION_NAME } from "./config/constants.ts";
import type { AccessConfig } from "./config/load.ts";
import { NotFoundError, ValidationError } from "./errors.ts";

/** The AWS identity a grant is attached to. `name` is the IAM role or user name (no path). */
export type Principal =
  | { kind: "user"; arn: string; name: string }
  | { kind: "role"; arn: string; name: string }
  | { kind: "shared-role"; arn: string; name: string; sessionName: string };

/** Who asks, as Slack knows them. */
export interface Person {
  slackUserId: string;
  email?: string | undefined;
}

/** Splits an IAM role or user ARN; throws ValidationError when it is neither. */
export function parsePrincipalArn(arn: string): { type: "role" | "user"; accountId: string; name: string } {
  const match = PRINCIPAL_ARN.exec(arn);
  if (!match) throw new ValidationError("principal", `${arn} is not an IAM role or IAM user ARN`);
  const [, , accountId = "", type, , name = ""] = match;
  return { type: type === "user" ? "user" : "role", accountId, name };
}

/**
 * Throws ValidationError unless `name` is a role session name IAM allows (2 to 64 of `[\w+=,.@-]`,
 * STS AssumeRole's RoleSessionName). Anything else cannot be a real session, and a `*` or `?` would
 * make the shared role's `aws:userid` StringLike match other people.
 */
export function assertRoleSessionName(name: string): void {
  if (!ROLE_SESSION_NAME.test(name)) {
    throw new ValidationError(
      "principal",
      `the role session name "${name}" is not made of IAM's role session name characters (letters, digits and + = , . @ _ -, 2 to 64 of them); nothing was granted`,
    );
  }
}

/** The one-person principal an IAM role or user ARN names (throws ValidationError for anything else). */
export function principalOfArn(arn: string): Principal {
  const parsed = parsePrincipalArn(arn);
  return { kind: parsed.type, arn, name: parsed.name };
}

/** Finds the principal of a person; throws NotFoundError with the fix when none is configured. */
export function resolvePrincipal(config: AccessConfig, person: Person): Principal {
  const { map, sharedRole } = config.principals;
  const mapped =
    map[person.slackUserId] ??
    (person.email ? (map[person.email.toLowerCase()] ?? map[person.email]) : undefined);
  if (mapped) return principalOfArn(mapped);
  if (sharedRole) {
    // An explicit name first: Identity Center user names are not always the email.
    const named =
      sharedRole.names?.[person.slackUserId] ??
      (person.email
        ? (sharedRole.names?.[person.email.toLowerCase()] ?? sharedRole.names?.[person.email])
        : undefined);
    if (named !== undefined) {
      assertRoleSessionName(named);
      return {
        kind: "shared-role",
        arn: sharedRole.arn,
        name: parsePrincipalArn(sharedRole.arn).name,
        sessionName: named,
      };
    }
    if (sharedRole.sessionName.includes("{email}") && !person.email) {
      throw new NotFoundError(
        `${person.slackUserId} is not a person this configuration knows: no principals.map entry, and no email for the shared role's session name (${sharedRole.sessionName}). Check the Slack user ID, or map it in principals.map or principals.sharedRole.names`,
      );
    }
    const sessionName = sharedRole.sessionName
      .replaceAll("{email}", person.email ?? "")
      .replaceAll("{slackUserId}", person.slackUserId);
    assertRoleSessionName(sessionName);
    return {
      kind: "shared-role",
      arn: sharedRole.arn,
      name: parsePrincipalArn(sharedRole.arn).name,
      sessionName,
    };
  }
  throw new NotFoundError(
    `no AWS principal is configured for ${person.email ?? person.slackUserId}: add them to principals.map or set principals.sharedRole`,
  );
}

/**
 * Resolves `--principal` as the CLI takes it: a Slack user ID, an email, or a configured ARN. A bare
 * shared-role ARN is refused: the grant would not know which person to narrow to.
 */
export function principalFromReference(config: AccessConfig, reference: string): Principal {
  if (reference.startsWith("arn:")) {
    if (Object.values(config.principals.map).includes(reference)) return principalOfArn(reference);
    if (config.principals.sharedRole?.arn === reference) {
      throw new ValidationError(
        "principal",
        "the shared role is used by many people: name the person (Slack user ID or email)",
      );
    }
    throw new NotFoundError(`${reference} is not a principal named in the configuration`);
  }
  const person: Person = reference.includes("@")
    ? { slackUserId: "", email: reference }
    : { slackUserId: reference };
  return resolvePrincipal(config, person);
}

/** All principals the configuration names, deduplicated by ARN (the shared role once). */
export function configuredPrincipalArns(config: AccessConfig): string[] {
  const arns = Object.values(config.principals.map);
  if (config.principals.sharedRole) arns.push(config.principals.sharedRole.arn);
  return [...new Set(arns)];
}

/**
 * Whether a Session Manager session's owner is this principal: an IAM user by its ARN; a role by
 * any of its sessions (the STS assumed-role ARN); a shared role only by this person's session name.
 */
export function sessionOwnedBy(owner: string, principal: Principal): boolean {
  if (principal.kind === "user") return owner === principal.arn;
  const [, partition, , , account] = principal.arn.split(":");
  const prefix = `arn:${partition}:sts::${account}:assumed-role/${principal.name}/`;
  if (principal.kind === "shared-role") return owner === `${prefix}${principal.sessionName}`;
  return owner.startsWith(prefix);
}
