/**
 * The sweeper's check of live grants against what the accounts hold: a live grant's policy (or slot
 * statements) must be exactly what its record calls for in every account it grants in. Missing,
 * stale (an extension whose write was lost) or changed by someone else in any of them, the record is
 * applied again (applyRecord writes every account). Accounts the sweep could not reach this run are
 * left out of the comparison: what they hold is unknown, and the next run looks again.
 */
import { embeddedExpiry, type PolicyDocument, policyName, type Statement } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { loadRequest, notifySafely } from "./common.ts";
import { applyRecord } from "./enforce.ts";
import { grantPolicyOf } from "./grant-policy.ts";
import { grantProblems } from "./grantable.ts";
import { grantTargets, inAccount, inAccountRequest } from "./in-account.ts";
import { revokeAccess } from "./revoke.ts";
import { slotGrant } from "./slot-writes.ts";
import type { SweepReport } from "./sweep.ts";

type Attempt = (step: string, subject: string, work: () => Promise<void>) => Promise<void>;

/** What the per-account passes saw, for the live grants' check. */
export interface Held {
  /** Inline policies found, keyed `<principal ARN> <policy name>`. */
  policies: Map<string, PolicyDocument>;
  /** Slot statements found, keyed `<account id> <request id>`. */
  slots: Map<string, Statement[]>;
  /** Accounts that could not be reached this run. */
  unreachable: Set<string>;
}

/** Writes again the live grants whose policy is not what their record calls for. */
export async function reapplyLiveGrants(
  deps: Deps,
  live: AccessRequest[],
  held: Held,
  now: Date,
  report: SweepReport,
  attempt: Attempt,
): Promise<void> {
  for (const request of live) {
    if (!request.expiresAt || new Date(request.expiresAt) <= now) continue;
    const expiresAt = new Date(request.expiresAt);
    const differing = heldDiffering(deps, request, expiresAt, held);
    if (differing.length === 0) continue;
    // It needs writing, but the record does not hold up against the config (forged, say): it is
    // revoked instead, with an alarm. A grant whose policy is in place is left to its expiry even
    // when the rules changed since it was approved.
    const problems = grantProblems(deps, request);
    if (problems.length > 0) {
      await attempt("revoke ungrantable", request.id, async () => {
        const reason = `not grantable: ${problems.join("; ")}`;
        const result = await revokeAccess(deps, { requestId: request.id, actor: "sweeper", reason });
        report.revokedOverdue.push(request.id);
        await notifySafely(deps, {
          type: "alarm",
          request: await loadRequest(deps, request.id),
          detail: { problem: reason, ...result },
        });
      });
      continue;
    }
    await attempt("reapply grant", request.id, async () => {
      const applied = await applyRecord(deps, request.id, "sweeper");
      if (applied.outcome === "granted") report.reappliedGrants.push(request.id);
      // A policy that names the right expiry but says something else was edited by someone.
      const second = Math.floor(expiresAt.getTime() / 1000) * 1000;
      const changed = differing.some(
        (actual) => actual !== undefined && embeddedExpiry(asDocument(actual))?.getTime() === second,
      );
      if (changed) {
        await notifySafely(deps, {
          type: "alarm",
          request: applied.request,
          detail: {
            problem: "the grant's policy differed from what its record calls for; it was written again",
          },
        });
      }
    });
  }
}

/**
 * What the reachable accounts of the grant hold where it differs from the record (undefined where
 * nothing is held); empty when every one holds exactly what the record calls for.
 */
function heldDiffering(
  deps: Deps,
  request: AccessRequest,
  expiresAt: Date,
  held: Held,
): (PolicyDocument | Statement[] | undefined)[] {
  const differing: (PolicyDocument | Statement[] | undefined)[] = [];
  for (const target of grantTargets(request)) {
    if (held.unreachable.has(target.accountId)) continue;
    const shared = target.principal.kind === "shared-role";
    const actual = shared
      ? held.slots.get(`${target.accountId} ${request.id}`)
      : held.policies.get(`${target.principal.arn} ${policyName(request.id)}`);
    let expected: PolicyDocument | Statement[];
    try {
      const scoped = inAccount(deps, target.accountId);
      const here = inAccountRequest(request, target);
      expected = shared
        ? slotGrant(scoped, here, expiresAt)
        : grantPolicyOf(scoped, here, expiresAt).document;
    } catch {
      // What the record calls for cannot be built (its profile is gone, say): grantProblems names why
      // and the grant is revoked; otherwise applyRecord meets the same error and reports it.
      differing.push(actual);
      continue;
    }
    if (actual === undefined || canonical(actual) !== canonical(expected)) differing.push(actual);
  }
  return differing;
}

const asDocument = (p: PolicyDocument | Statement[]): PolicyDocument =>
  Array.isArray(p) ? { Version: "2012-10-17", Statement: p } : p;

/** JSON with sorted keys: IAM may hand a document back with its keys in another order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
