/**
 * Offboarding: a person removed from `principals.map` (or a shared role removed) while they still
 * hold a non-settled request. Their policy and live sessions must stay revocable, so the deploy keeps
 * Get/List/Delete (never Put) on such principals and `jit config check` names them. Pure.
 */
import type { AccessConfig } from "./config/load.ts";
import { configuredPrincipalArns, type Principal } from "./principal.ts";
import type { AccessRequest, Status } from "./request.ts";

/** Statuses that may still hold, or soon hold, a policy on the principal. */
export const OPEN_STATUSES = ["PENDING", "APPROVED", "ACTIVE"] as const satisfies readonly Status[];

/** A principal the config no longer names, and the open requests that still point at it. */
export interface DroppedPrincipal {
  arn: string;
  kind: Principal["kind"];
  requestIds: string[];
}

/** Principals of open records that the config does not name, each once, in the records' order. */
export function droppedPrincipals(
  config: AccessConfig,
  records: Pick<AccessRequest, "id" | "principal" | "status">[],
): DroppedPrincipal[] {
  const named = new Set(configuredPrincipalArns(config));
  const open = new Set<Status>(OPEN_STATUSES);
  const byArn = new Map<string, DroppedPrincipal>();
  for (const r of records) {
    if (!open.has(r.status) || named.has(r.principal.arn)) continue;
    const entry = byArn.get(r.principal.arn) ?? {
      arn: r.principal.arn,
      kind: r.principal.kind,
      requestIds: [],
    };
    entry.requestIds.push(r.id);
    byArn.set(r.principal.arn, entry);
  }
  return [...byArn.values()];
}

/** One warning line per dropped principal, for the deploy and `jit config check`. */
export function describeDropped(dropped: DroppedPrincipal[]): string[] {
  return dropped.map((d) => {
    const where = d.kind === "shared-role" ? "principals.sharedRole" : "principals.map";
    const requests = `open request${d.requestIds.length > 1 ? "s" : ""} ${d.requestIds.join(", ")}`;
    return `${d.arn} is no longer in ${where} but holds ${requests}: it stays revocable (Delete/List/Get only) until settled`;
  });
}
