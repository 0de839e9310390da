/**
 * Which accounts the configuration spans, and whose principals live in each (issue 12). Pure, on the
 * checked configuration: core/config/accounts.ts has already refused unknown names, duplicate ids
 * and principals in accounts no profile spans, so these answers need no second guess.
 *
 * The hub is the account the stack is deployed to (`accountId`); its principals are `principals.map`
 * and `principals.sharedRole`, as before there were several accounts. Every other account's are
 * `principals.accounts.<name>`, in the same shape.
 */
import type { AccessConfig, Profile } from "./config/load.ts";

/** One account's principals, in the shape the hub's own have always had. */
export interface AccountPrincipals {
  map: Record<string, string>;
  sharedRole?: AccessConfig["principals"]["sharedRole"] | undefined;
}

/** The account ids a profile spans: its named accounts, or the hub's own when it names none. */
export function profileAccountIds(config: AccessConfig, profile: Pick<Profile, "accounts">): string[] {
  if (!profile.accounts) return [config.accountId];
  return profile.accounts.map((name) => {
    const id = config.accounts?.[name];
    // Unreachable after checkConfig; a hand-built config that skipped it fails loudly here.
    if (id === undefined) throw new Error(`account ${name} is not named in accounts`);
    return id;
  });
}

/** Every account any profile spans, each once, sorted. */
export function spannedAccountIds(config: AccessConfig): string[] {
  return [...new Set(Object.values(config.profiles).flatMap((p) => profileAccountIds(config, p)))].sort();
}

/** The accounts that need a spoke: spanned by a profile and not the hub's own. */
export function memberAccountIds(config: AccessConfig): string[] {
  return spannedAccountIds(config).filter((id) => id !== config.accountId);
}

/** The account's name in the config, or its id when it has none (the hub of a single-account config). */
export function accountLabel(config: AccessConfig, accountId: string): string {
  return Object.entries(config.accounts ?? {}).find(([, id]) => id === accountId)?.[0] ?? accountId;
}

/** How messages name an account: `staging (444455556666)`, or the bare id of one the config does not name. */
export function accountDisplay(config: AccessConfig, accountId: string): string {
  const name = accountLabel(config, accountId);
  return name === accountId ? accountId : `${name} (${accountId})`;
}

/** The principals configured in an account; none for an account the config does not name. */
export function accountPrincipals(config: AccessConfig, accountId: string): AccountPrincipals {
  if (accountId === config.accountId) {
    return { map: config.principals.map, sharedRole: config.principals.sharedRole };
  }
  const name = Object.entries(config.accounts ?? {}).find(([, id]) => id === accountId)?.[0];
  const block = name === undefined ? undefined : config.principals.accounts?.[name];
  return { map: block?.map ?? {}, sharedRole: block?.sharedRole };
}

/** Every configured role and user ARN of an account (the map's and the shared role), each once. */
export function accountPrincipalArns(config: AccessConfig, accountId: string): string[] {
  const { map, sharedRole } = accountPrincipals(config, accountId);
  return [...new Set([...Object.values(map), ...(sharedRole ? [sharedRole.arn] : [])])];
}

/**
 * The role the hub assumes in every other account (the spoke, stacks/spoke-template.ts): one name in
 * every account, so the hub knows its ARN from the account id alone.
 */
export const BROKER_ROLE_NAME = "jit-broker";

/** The broker role's ARN in an account. */
export const brokerRoleArn = (partition: string, accountId: string): string =>
  `arn:${partition}:iam::${accountId}:role/${BROKER_ROLE_NAME}`;

/**
 * The role the hub's session-events function assumes in a member account, to find which nodes carry a
 * profile's tags there: Session Manager reads and nothing else. A role of its own rather than the
 * broker, so the one hub function that judges events from every account holds no write anywhere.
 */
export const READER_ROLE_NAME = "jit-session-reader";

/** The reader role's ARN in an account. */
export const readerRoleArn = (partition: string, accountId: string): string =>
  `arn:${partition}:iam::${accountId}:role/${READER_ROLE_NAME}`;

/** Why an account could not be reached: its role refused us, or STS throttled, or anything else. */
export type UnreachableReason = "denied" | "throttled" | "failed";

/**
 * The hub could not act in a member account (AssumeRole on its `jit-broker` failed). Names the account
 * so the alarm, the notice and the request's record can say which one.
 *
 * One class, two names: a throttled AssumeRole is named `AccountThrottledError`, which the workflow's
 * Retry lists, while a refused or failed one keeps `AccountUnreachableError`, which no Retry lists:
 * asking again at once would be refused again. The name is what the workflow sees: Lambda reports a
 * Node.js error's `name` as its errorType
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html), and a Retry or Catch matches
 * that error name (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 * `catch` narrows by the class either way.
 */
export class AccountUnreachableError extends Error {
  override name: "AccountUnreachableError" | "AccountThrottledError";
  readonly accountId: string;
  readonly reason: UnreachableReason;
  constructor(accountId: string, reason: UnreachableReason, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = reason === "throttled" ? "AccountThrottledError" : "AccountUnreachableError";
    this.accountId = accountId;
    this.reason = reason;
  }
}
