/**
 * What the sandbox tells a person about themselves, for `jit profiles`, `jit whoami` and an
 * approver's `jit list`, and the accounts of grants and sessions named for `jit show`, `jit sessions`
 * and `jit connect`: the same configuration and rules the use cases apply, read, never changed.
 */
import { accountLabel, profileAccountIds, spannedAccountIds } from "../../core/accounts.ts";
import { checkApprover, isApproverOf } from "../../core/approval.ts";
import type { AccessConfig, Profile } from "../../core/config/load.ts";
import { NotAuthorizedError, NotFoundError, ValidationError } from "../../core/errors.ts";
import type { Deps, SessionInfo } from "../../core/ports.ts";
import { type Person, type Principal, resolvePrincipal } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { slotArns } from "../../core/slots.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { configIn, grantTargets, inAccount, inAccountError, label } from "../../core/usecases/in-account.ts";
import { mayRequest } from "../../core/usecases/request.ts";
import { type Connection, connectionFor } from "./connect.ts";

/** A profile as a requester sees it. */
export interface ProfileView {
  id: string;
  description?: string | undefined;
  tags: Record<string, string[]>;
  documents: string[];
  defaultDurationSeconds: number;
  maxDurationSeconds: number;
  approvers: string[];
  approvalsRequired: number;
  selfApproval: boolean;
  /** The caller is one of its approvers. */
  approver: boolean;
  /** The accounts it grants in, named. */
  accounts: AccountView[];
}

const view = (config: AccessConfig, p: Profile, person: Person, groups: readonly string[]): ProfileView => ({
  id: p.id,
  description: p.description,
  tags: p.tags,
  documents: p.documents,
  defaultDurationSeconds: p.defaultDurationSeconds,
  maxDurationSeconds: p.maxDurationSeconds,
  approvers: p.approvers,
  approvalsRequired: p.approvalsRequired,
  selfApproval: p.selfApproval,
  approver: isApproverOf(p, { ...person, groups }),
  accounts: profileAccountIds(config, p).map((id) => accountView(config, id)),
});

/** The profiles `person` (in `groups`) may request. */
export const profilesFor = (deps: Deps, person: Person, groups: readonly string[] = []): ProfileView[] =>
  Object.values(deps.config.profiles)
    .filter((p) => mayRequest(p, person, groups))
    .map((p) => view(deps.config, p, person, groups));

/** Who `person` is to the sandbox. */
export interface Whoami {
  person: Person;
  /** Their principal in the hub's account. */
  principal: Principal;
  /** Their principal in every account where they have one, the hub's first. */
  principals: { account: AccountView; principal: Principal }[];
  /** The shared role's slot policies, where this person's grants land; empty for their own principal. */
  slots: string[];
  approverOf: string[];
  active: AccessRequest[];
}

export async function whoami(deps: Deps, person: Person, groups: readonly string[] = []): Promise<Whoami> {
  const principal = resolvePrincipal(deps.config, person);
  const mine = await deps.store.listByRequester(person.slackUserId);
  return {
    person,
    principal,
    principals: principalsOf(deps, person).map((p) => ({
      account: accountView(deps.config, p.accountId),
      principal: p.principal,
    })),
    slots: principal.kind === "shared-role" ? slotArns(deps.config) : [],
    approverOf: Object.values(deps.config.profiles)
      .filter((p) => isApproverOf(p, { ...person, groups }))
      .map((p) => p.id),
    active: mine.filter((r) => r.status === "ACTIVE"),
  };
}

/** Pending requests `person` may vote on now (the same check an approval makes), oldest first. */
export async function awaitingVote(
  deps: Deps,
  person: Person,
  groups: readonly string[] = [],
): Promise<AccessRequest[]> {
  const pending = await deps.store.listByStatus("PENDING");
  return pending
    .filter((r) => {
      const profile = deps.config.profiles[r.profileId];
      return profile !== undefined && checkApprover(profile, r, { ...person, groups }).ok;
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** An account as people read it: its id, and its name when the config names it. */
export interface AccountView {
  accountId: string;
  name?: string | undefined;
}

/** The account `accountId` with its name in the config, if it has one. */
export function accountView(config: AccessConfig, accountId: string): AccountView {
  const name = accountLabel(config, accountId);
  return name === accountId ? { accountId } : { accountId, name };
}

/** The accounts a request grants in, in its recorded order, named. */
export const grantAccounts = (
  config: AccessConfig,
  request: Pick<AccessRequest, "principal" | "grants">,
): AccountView[] => grantTargets(request).map((t) => accountView(config, t.accountId));

/** A session with its account and that account's name (absent for an account the config does not name). */
export type SessionView = SessionInfo & { accountId: string; accountName?: string | undefined };

/** The session, its account (`fallback` when the session does not carry one) named. */
export function sessionView(config: AccessConfig, session: SessionInfo, fallback: string): SessionView {
  const { accountId = fallback } = session;
  const { name } = accountView(config, accountId);
  return { ...session, accountId, ...(name ? { accountName: name } : {}) };
}

/** The person's principal in every account the config spans where they have one. */
function principalsOf(deps: Deps, person: Person): { accountId: string; principal: Principal }[] {
  const accounts = [...new Set([deps.config.accountId, ...spannedAccountIds(deps.config)])];
  const found: { accountId: string; principal: Principal }[] = [];
  let missing: unknown;
  for (const accountId of accounts) {
    try {
      found.push({ accountId, principal: resolvePrincipal(configIn(deps.config, accountId), person) });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      missing ??= error;
    }
  }
  // Nobody anywhere: the resolver's own words say why.
  if (found.length === 0 && missing) throw missing;
  return found;
}

/**
 * Sessions of the person's live grants that the hub recorded as started in `accountId` and not as
 * ended: what a front door that holds no way into a member account knows of its sessions (the
 * session events reach the hub's bus; an ended-by-exit session once the sweeper has found it).
 */
async function recordedLiveSessions(deps: Deps, person: Person, accountId: string): Promise<SessionInfo[]> {
  const mine = await deps.store.listByRequester(person.slackUserId);
  const live = mine.filter(
    (r) => r.status === "ACTIVE" && grantTargets(r).some((t) => t.accountId === accountId),
  );
  const sessions: SessionInfo[] = [];
  for (const request of live) {
    const trail = await auditTrail(deps, request.id);
    const ended = new Set(
      trail.filter((e) => e.action === "session-ended").map((e) => String(e.detail?.sessionId)),
    );
    for (const e of trail) {
      const d = e.detail ?? {};
      if (e.action !== "session-started" || d.accountId !== accountId || ended.has(String(d.sessionId)))
        continue;
      sessions.push({
        sessionId: String(d.sessionId),
        accountId,
        region: typeof d.region === "string" ? d.region : undefined,
        target: String(d.target ?? ""),
        owner: e.actor,
        startDate: e.at,
        status: "Connected",
      });
    }
  }
  return sessions;
}

/**
 * The person's live sessions in every account where they have a principal, each with its account
 * named. An account this function can act in is asked (DescribeSessions); a member account it holds
 * no way into (the signed API's function, by design) is answered from what the hub recorded.
 */
export async function liveSessionsOf(deps: Deps, person: Person): Promise<SessionView[]> {
  const found = await Promise.all(
    principalsOf(deps, person).map(async ({ accountId, principal }) => {
      try {
        const sessions =
          accountId === deps.config.accountId || deps.accounts
            ? await inAccount(deps, accountId).sessions.liveSessions(principal)
            : await recordedLiveSessions(deps, person, accountId);
        return sessions.map((s) => sessionView(deps.config, s, accountId));
      } catch (error) {
        throw inAccountError(deps.config, accountId, error);
      }
    }),
  );
  return found.flat();
}

/** A connection under a grant, with the account that holds the node and whether it is the hub's. */
export type ConnectionView = Connection & {
  accountId: string;
  accountName?: string | undefined;
  hubAccount: boolean;
};

/**
 * Where to connect under `request`: the node looked up in each account of the grant this function
 * can look in (all of them in the sandbox; the hub's alone for the signed API, whose function holds
 * no way into member accounts), or in the one `account` names (a name or an id). Refuses a node found
 * in none of them, and one found in two without `account`.
 */
export async function connectionAcross(
  deps: Deps,
  person: Person,
  request: AccessRequest,
  input: { target: string; document?: string | undefined; account?: string | undefined },
): Promise<ConnectionView> {
  const { config } = deps;
  const all = grantTargets(request).map((t) => t.accountId);
  const wanted =
    input.account === undefined ? undefined : (config.accounts?.[input.account] ?? input.account);
  if (wanted !== undefined && !all.includes(wanted))
    throw new ValidationError(
      "account",
      `${request.id} grants in ${all.map((a) => label(config, a)).join(", ")}, not in ${input.account}`,
    );
  const accounts = all.filter((a) => wanted === undefined || a === wanted);
  const reachable = accounts.filter((a) => a === config.accountId || deps.accounts);
  const found: ConnectionView[] = [];
  let notFound: unknown;
  for (const accountId of reachable) {
    try {
      const c = await connectionFor(
        inAccount(deps, accountId),
        person,
        request,
        input.target,
        input.document,
      );
      const { name } = accountView(config, accountId);
      found.push({
        ...c,
        accountId,
        ...(name ? { accountName: name } : {}),
        hubAccount: accountId === config.accountId,
      });
    } catch (error) {
      // The grant's own refusals (not yours, not active, no such document) are the same everywhere.
      if (error instanceof NotAuthorizedError || error instanceof ValidationError) throw error;
      if (!(error instanceof NotFoundError)) throw inAccountError(config, accountId, error);
      notFound ??= error;
    }
  }
  const [only] = found;
  if (only && found.length === 1) return only;
  if (found.length > 1)
    throw new ValidationError(
      "account",
      `${input.target} is a node of ${request.profileId} in ${found.map((c) => label(config, c.accountId)).join(" and ")}: say which account with --account`,
    );
  const unseen = accounts.filter((a) => !reachable.includes(a));
  if (unseen.length === 0 && accounts.length === 1 && notFound) throw notFound;
  const where = reachable.map((a) => label(config, a)).join(", ");
  const rest = unseen.length
    ? `; this API cannot look in ${unseen.map((a) => label(config, a)).join(", ")}: connect there with aws ssm start-session and that account's credentials`
    : "";
  throw new NotFoundError(
    `${input.target} is not one of ${request.profileId}'s nodes in ${where || "any account it can look in"} (or it is not online in Session Manager)${rest}`,
  );
}
