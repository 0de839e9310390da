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
  return dropped.map((d) => {
    const hub = !config || d.accountId === config.accountId;
    const block = hub ? "principals" : `principals.accounts.${accountLabel(config, d.accountId)}`;
    const where = `${block}.${d.kind === "shared-role" ? "sharedRole" : "map"}`;
    const requests = `open request${d.requestIds.length > 1 ? "s" : ""} ${d.requestIds.join(", ")}`;
    return `${d.arn} is no longer in ${where} but holds ${requests}: it stays revocable (Delete/List/Get only) until settled`;
  });
}
