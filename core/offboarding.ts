/**
 * Offboarding: a person removed from `principals.map` (or a shared role removed) while they still
 * hold a non-settled request. Their policy and live sessions must stay revocable, so the deploy keeps
 * Get/List/Delete (never Put) on such principals and `jit config check` names them. Pure.
 */
import { accountLabel, accountPrincipalArns, spannedAccountIds } from "./accounts.ts";
import type { AccessConfig } from "./config/load.ts";
import { configuredPrincipalArns, type Principal, parsePrincipalArn } from "./principal.ts";
import type { AccessRequest, Status } from "./request.ts";

/** Statuses that may still hold, or soon hold, a policy on the principal. */
export const OPEN_STATUSES = ["PENDING", "APPROVED", "ACTIVE"] as const satisfies readonly Status[];

/** A principal the config no longer names, and the open requests that still point at it. */
export interface DroppedPrincipal {
  arn: string;
  kind: Principal["kind"];
  /** The account it is in (its ARN's): the hub, or a member whose broker must keep revoke rights. */
  accountId: string;
  requestIds: string[];
}

/**
 * Principals of open records that the config does not name, each once, in the records' order: the
 * principal of every account a record grants in (issue 12), judged against every account's principals.
 */
export function droppedPrincipals(
  config: AccessConfig,
  records: Pick<AccessRequest, "id" | "principal" | "grants" | "status">[],
): DroppedPrincipal[] {
  const named = new Set([
    ...configuredPrincipalArns(config),
    ...spannedAccountIds(config).flatMap((id) => accountPrincipalArns(config, id)),
  ]);
  const open = new Set<Status>(OPEN_STATUSES);
  const byArn = new Map<string, DroppedPrincipal>();
  for (const r of records) {
    if (!open.has(r.status)) continue;
    const principals = r.grants && r.grants.length > 0 ? r.grants.map((g) => g.principal) : [r.principal];
    for (const p of principals) {
      if (named.has(p.arn)) continue;
      const entry = byArn.get(p.arn) ?? {
        arn: p.arn,
        kind: p.kind,
        accountId: parsePrincipalArn(p.arn).accountId,
        requestIds: [],
      };
      if (!entry.requestIds.includes(r.id)) entry.requestIds.push(r.id);
      byArn.set(p.arn, entry);
    }
  }
  return [...byArn.values()];
}

/** One warning line per dropped principal, for the deploy and `jit config check`. */
export function describeDropped(dropped: DroppedPrincipal[], config?: AccessConfig): string[] {
  const unreachable = new Set(config ? stranded(config, dropped) : []);
  return dropped.map((d) => {
    const hub = !config || d.accountId === config.accountId;
    const block = hub ? "principals" : `principals.accounts.${accountLabel(config, d.accountId)}`;
    const where = `${block}.${d.kind === "shared-role" ? "sharedRole" : "map"}`;
    const requests = `open request${d.requestIds.length > 1 ? "s" : ""} ${d.requestIds.join(", ")}`;
    if (config && unreachable.has(d.accountId))
      return `${d.arn} is no longer in ${where} but holds ${requests}, and no profile spans its account ${accountLabel(config, d.accountId)} any more: the hub would hold no way into it (no AssumeRole, no broker rights there) and could not revoke them. Revoke them before removing the account`;
    return `${d.arn} is no longer in ${where} but holds ${requests}: it stays revocable (Delete/List/Get only) until settled`;
  });
}

/** The member accounts of `dropped` that no profile spans (the hub's own is always reachable). */
const stranded = (config: AccessConfig, dropped: Pick<DroppedPrincipal, "accountId">[]): string[] => {
  const spanned = new Set([config.accountId, ...spannedAccountIds(config)]);
  return [...new Set(dropped.map((d) => d.accountId))].filter((id) => !spanned.has(id));
};

/** An account open records grant in that the config no longer spans, and those records. */
export interface StrandedAccount {
  accountId: string;
  requestIds: string[];
}

/**
 * Accounts where open records grant but that no profile spans any more (issue 12). The hub reaches a
 * member only through what the config spans: its functions may assume the brokers of spanned
 * accounts alone (stacks/permissions.ts), a broker's rights there come from that account's principals
 * (stacks/spoke-broker.ts), and the ports refuse any other account. A grant in a dropped account could
 * not be revoked nor its sessions ended, so the deploy refuses such a config until they are settled.
 */
export function strandedAccounts(
  config: AccessConfig,
  records: Pick<AccessRequest, "id" | "principal" | "grants" | "status">[],
): StrandedAccount[] {
  const spanned = new Set([config.accountId, ...spannedAccountIds(config)]);
  const open = new Set<Status>(OPEN_STATUSES);
  const byAccount = new Map<string, StrandedAccount>();
  for (const r of records) {
    if (!open.has(r.status)) continue;
    const accounts =
      r.grants && r.grants.length > 0
        ? r.grants.map((g) => g.accountId)
        : [PRINCIPAL_ACCOUNT.exec(r.principal?.arn ?? "")?.[1]];
    for (const accountId of accounts) {
      if (accountId === undefined || spanned.has(accountId)) continue;
      const entry = byAccount.get(accountId) ?? { accountId, requestIds: [] };
      if (!entry.requestIds.includes(r.id)) entry.requestIds.push(r.id);
      byAccount.set(accountId, entry);
    }
  }
  return [...byAccount.values()];
}

/** The refusal for stranded accounts, one line each. */
export function describeStranded(found: StrandedAccount[], config: AccessConfig): string[] {
  return found.map((a) => {
    const requests = `open request${a.requestIds.length > 1 ? "s" : ""} ${a.requestIds.join(", ")}`;
    return `no profile spans account ${accountLabel(config, a.accountId)} any more, but ${requests} grant there: the hub would lose its way into that account and could not revoke them or end their sessions. Revoke them (or let them end) before removing the account from its profiles`;
  });
}

/** The account of an IAM ARN (`arn:<partition>:iam::<account>:…`). */
const PRINCIPAL_ACCOUNT = /^arn:[^:]+:iam::(\d{12}):/;
