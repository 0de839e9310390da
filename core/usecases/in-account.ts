/**
 * Acting in one account of a multi-account grant (issue 12). Everything that writes or reads IAM and
 * Session Manager was written for one account; rather than teach each of those steps about accounts,
 * a step runs once per account with `inAccount`: the same dependencies, but the broker and session
 * control of that account, and the config seen from there (its id in the policy ARNs, its principals
 * and its shared role's slots). The request is narrowed the same way (`inAccountRequest`): its
 * principal becomes the requester's principal in that account.
 *
 * Errors keep their class and name (the workflow's retry rules match names) and gain the account in
 * their message, so a FAILED request and an alarm say where it broke.
 */
import {
  AccountUnreachableError,
  accountDisplay,
  accountPrincipals,
  profileAccountIds,
} from "../accounts.ts";
import type { AccessConfig, Profile } from "../config/load.ts";
import { NotAuthorizedError } from "../errors.ts";
import type { AccessBroker, AccountPorts, Deps } from "../ports.ts";
import { type Person, type Principal, parsePrincipalArn, resolvePrincipal } from "../principal.ts";
import type { AccessRequest, AccountGrant } from "../request.ts";

/** Where a request (or any grantee) grants: its recorded accounts, or its one principal's account. */
export function grantTargets(request: Pick<AccessRequest, "principal" | "grants">): AccountGrant[] {
  if (request.grants && request.grants.length > 0) return request.grants;
  return [{ accountId: parsePrincipalArn(request.principal.arn).accountId, principal: request.principal }];
}

/** The request's principal in `accountId`; undefined when it grants nothing there. */
export function principalIn(
  request: Pick<AccessRequest, "principal" | "grants">,
  accountId: string,
): Principal | undefined {
  return grantTargets(request).find((t) => t.accountId === accountId)?.principal;
}

/** The account ids a request grants in, in its recorded order. */
export const grantAccountIds = (request: Pick<AccessRequest, "principal" | "grants">): string[] =>
  grantTargets(request).map((t) => t.accountId);

/** The configuration as seen from one account: its id, its principals, its shared role's slots. */
export function configIn(config: AccessConfig, accountId: string): AccessConfig {
  if (accountId === config.accountId) return config;
  const { map, sharedRole } = accountPrincipals(config, accountId);
  return {
    ...config,
    accountId,
    principals: { ...config.principals, map, sharedRole },
  };
}

/**
 * The requester's principal in every account the profile spans, in the profile's order. Throws the
 * resolver's NotFoundError, naming the account, when one of them has no principal for the person.
 */
export function resolveGrantTargets(
  config: AccessConfig,
  profile: Pick<Profile, "accounts">,
  person: Person,
): AccountGrant[] {
  return profileAccountIds(config, profile).map((accountId) => {
    try {
      return { accountId, principal: resolvePrincipal(configIn(config, accountId), person) };
    } catch (error) {
      throw inAccountError(config, accountId, error);
    }
  });
}

const scoped = new WeakMap<Deps, Map<string, Deps>>();
/** Scoped dependencies, so a step cannot be scoped twice into different accounts by mistake. */
const scopedTo = new WeakMap<Deps, string>();

/**
 * The dependencies acting in `accountId`: the hub's own deps for the hub; for another account its
 * broker and session control (through its `jit-broker` role) and the config seen from it.
 */
export function inAccount(deps: Deps, accountId: string): Deps {
  const already = scopedTo.get(deps);
  if (already !== undefined) {
    if (already === accountId) return deps;
    throw new Error(`dependencies scoped to ${already} cannot act in ${accountId}`);
  }
  if (accountId === deps.config.accountId) return deps;
  let byAccount = scoped.get(deps);
  if (!byAccount) {
    byAccount = new Map();
    scoped.set(deps, byAccount);
  }
  const kept = byAccount.get(accountId);
  // The config may be swapped under the same deps (a test, a redeploy in the sandbox): rebuild then.
  if (kept && kept.config.accounts === deps.config.accounts && kept.config.profiles === deps.config.profiles)
    return kept;
  const ports = deps.accounts;
  if (!ports) {
    throw new AccountUnreachableError(
      accountId,
      "failed",
      `cannot act in account ${label(deps.config, accountId)}: this function was given no way into other accounts`,
    );
  }
  const next: Deps = {
    ...deps,
    config: configIn(deps.config, accountId),
    broker: ports.broker(accountId),
    sessions: ports.sessions(accountId),
  };
  scopedTo.set(next, accountId);
  byAccount.set(accountId, next);
  return next;
}

/**
 * Other accounts' ports that only look: every broker call and every TerminateSession is refused, and
 * the session reads pass through. What the session-events function holds: on AWS its member sessions
 * are the spoke's `jit-session-reader` (two reads, core/accounts.ts), and the sandbox, which hands
 * every function the same organization, must refuse it as much (lambdaDeps' `accounts: "read"`).
 */
export function readOnlyAccounts(ports: AccountPorts): AccountPorts {
  const refuse = (what: string) => () =>
    Promise.reject(new NotAuthorizedError(`${what}: this function only reads in other accounts`));
  return {
    broker: (accountId) =>
      new Proxy({} as AccessBroker, {
        get: (_t, prop) => (prop === "then" ? undefined : refuse(`${String(prop)} in ${accountId}`)),
      }),
    sessions: (accountId) => {
      const inner = ports.sessions(accountId);
      return {
        liveSessions: (principal) => inner.liveSessions(principal),
        endedSessions: (since) => inner.endedSessions(since),
        matchingNodes: (tags, regions) => inner.matchingNodes(tags, regions),
        terminateSession: refuse(`TerminateSession in ${accountId}`),
      };
    },
  };
}

/** The account a scoped deps acts in (the hub's for unscoped ones). */
export const accountOf = (deps: Deps): string => scopedTo.get(deps) ?? deps.config.accountId;

/** The request narrowed to one account: its principal there. */
export function inAccountRequest<R extends Pick<AccessRequest, "principal" | "grants">>(
  request: R,
  target: AccountGrant,
): R {
  return { ...request, principal: target.principal, grants: [target] };
}

/** `prod (111122223333)`, or the bare id of an account the config does not name. */
export const label = accountDisplay;

/**
 * The error, its account named in its message (once). Class and name are kept: the workflow retries
 * by name, and AccountUnreachableError already names its account.
 */
export function inAccountError(config: AccessConfig, accountId: string, error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof AccountUnreachableError) return error;
  const prefix = `in account ${label(config, accountId)}: `;
  if (!error.message.startsWith("in account ")) error.message = `${prefix}${error.message}`;
  return error;
}

/**
 * How many accounts a grant's steps act in at once. A profile may span dozens of accounts; one after
 * another, 50 accounts at a few 50 ms calls each would take most of the grant function's 30 s. Each
 * account is its own IAM and Session Manager (their quotas are per account), so ten at once costs
 * AWS nothing and keeps the function's sockets few (`npm run bench -- --only sweep-accounts`).
 */
export const ACCOUNTS_AT_ONCE = 10;

/**
 * Runs `work` in every account of the request, up to ACCOUNTS_AT_ONCE at a time. Without `keepGoing`,
 * the first failure stops any account not yet begun (the caller undoes what landed) and is thrown once
 * those under way end; with it, every account runs (removal: every reachable account is cleaned even
 * when one is not) and the first failure, in the recorded order, is thrown at the end. Returns the
 * results of the accounts that succeeded, in the recorded order.
 */
export async function eachAccount<T>(
  deps: Deps,
  request: Pick<AccessRequest, "principal" | "grants">,
  work: (scopedDeps: Deps, target: AccountGrant) => Promise<T>,
  options: { keepGoing?: boolean } = {},
): Promise<{ target: AccountGrant; result: T }[]> {
  const targets = grantTargets(request);
  // A grant in the hub alone reads as it always did; any other account is named.
  const naming = targets.length > 1 || targets.some((t) => t.accountId !== accountOf(deps));
  const outcomes: ({ ok: true; result: T } | { ok: false; error: unknown } | undefined)[] = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < targets.length) {
      const index = next++;
      const target = targets[index] as AccountGrant;
      try {
        outcomes[index] = { ok: true, result: await work(inAccount(deps, target.accountId), target) };
      } catch (error) {
        outcomes[index] = {
          ok: false,
          error: naming ? inAccountError(deps.config, target.accountId, error) : error,
        };
        if (!options.keepGoing) stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ACCOUNTS_AT_ONCE, targets.length) }, worker));
  const failed = outcomes.find((o) => o !== undefined && !o.ok);
  if (failed && !failed.ok) throw failed.error;
  return outcomes.flatMap((o, i) =>
    o?.ok ? [{ target: targets[i] as AccountGrant, result: o.result }] : [],
  );
}
