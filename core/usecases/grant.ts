/**
 * Granting: record ACTIVE (the claim), then attach the tag-scoped, expiring policy. Safe to run twice:
 * the policy name is fixed per request and a retried grant keeps the expiry it already recorded.
 */

import { autoApprover, grantsWithoutApprovers } from "../approval.ts";
import { describeError } from "../log.ts";
import { assertFitsInlineQuota, policyName } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { chooseSlot } from "../slots.ts";
import { audit, loadRequest, notifySafely, profileOf, retryOnConflict, transition } from "./common.ts";
import { applyRecord, type Removal, removeAccess } from "./enforce.ts";
import { grantPolicyOf } from "./grant-policy.ts";
import { assertGrantable } from "./grantable.ts";
import { eachAccount, grantAccountIds, inAccountRequest } from "./in-account.ts";
import { readSlots, slotGrant } from "./slot-writes.ts";

export { grantPolicyOf };

/** What the workflow needs to schedule its waits. */
export interface GrantState {
  active: boolean;
  expiresAt: string;
  warnAt: string;
  /** Set by "Check expiry": the grant is due for revocation now. */
  due?: boolean;
}

/** The warning time for an expiry: the configured lead before it, never before now. */
export function warnTime(deps: Deps, expiresAt: Date): string {
  const warn = Math.max(
    expiresAt.getTime() - deps.config.expiryWarningSeconds * 1000,
    deps.clock.now().getTime(),
  );
  return new Date(warn).toISOString();
}

/**
 * An on-call grant whose profile caps it to the shift never outlasts the shift, even when the grant
 * lands a little after the lookup that measured the shift.
 */
function shiftCapped(deps: Deps, request: AccessRequest, expiresAt: Date): Date {
  const shiftEnd = request.onCall?.approved ? request.onCall.shiftEnd : undefined;
  if (!shiftEnd || !deps.config.profiles[request.profileId]?.onCall?.capToShift) return expiresAt;
  return new Date(Math.min(expiresAt.getTime(), new Date(shiftEnd).getTime()));
}

/**
 * Workflow task "Grant access". The record is claimed first (APPROVED → ACTIVE, with the expiry), then
 * the policy is written; a revoke that lands in between wins, and `applyRecord` takes the late write
 * back with any session it allowed. A retry after the claim keeps the recorded expiry.
 */
export async function grantAccess(deps: Deps, input: { requestId: string }): Promise<GrantState> {
  let request = await loadRequest(deps, input.requestId);
  if (request.status === "PENDING" && grantsWithoutApprovers(profileOf(deps, request), request)) {
    request = await retryOnConflict(deps, request.id, (current) =>
      current.status === "PENDING"
        ? transition(deps, current, "APPROVED", autoApprover(current))
        : Promise.resolve(current),
    );
  }
  const now = deps.clock.now();
  const inactive = { active: false, expiresAt: now.toISOString(), warnAt: now.toISOString() };
  if (request.status !== "APPROVED" && request.status !== "ACTIVE") return inactive;
  const expiresAt = request.expiresAt
    ? new Date(request.expiresAt)
    : shiftCapped(deps, request, new Date(now.getTime() + request.durationSeconds * 1000));
  // Refuse a record that does not hold up against the config, and a grant that cannot fit, before
  // claiming anything.
  await assertGrantable(deps, {
    ...request,
    grantedAt: request.grantedAt ?? now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  const grant = grantPolicyOf(deps, request, expiresAt);
  // In every account the request spans (an account the hub cannot reach fails here, before the
  // claim, so nothing is written anywhere): the grant must fit the slots or the principal's quota.
  await eachAccount(deps, request, async (scoped, target) => {
    const here = inAccountRequest(request, target);
    if (target.principal.kind === "shared-role") {
      chooseSlot(
        await readSlots(scoped),
        request.id,
        slotGrant(scoped, here, expiresAt),
        target.principal.arn,
      );
      return;
    }
    const others = (await scoped.broker.inlinePolicySizes(target.principal)).filter(
      (p) => p.policyName !== grant.policyName,
    );
    assertFitsInlineQuota(
      target.principal.arn,
      others.map((p) => p.size),
      grantPolicyOf(scoped, here, expiresAt).size,
    );
  });
  let claimedNow = false;
  const claimed = await retryOnConflict(deps, request.id, async (current) => {
    if (current.status === "ACTIVE") return current;
    if (current.status !== "APPROVED") return undefined;
    claimedNow = true;
    return transition(
      deps,
      current,
      "ACTIVE",
      "workflow",
      { grantedAt: now.toISOString(), expiresAt: expiresAt.toISOString() },
      {
        policyName: grant.policyName,
        size: grant.size,
        expiresAt: expiresAt.toISOString(),
        accounts: grantAccountIds(current),
      },
    );
  });
  // Revoked or settled before the claim: nothing was written.
  if (!claimed) return inactive;
  const applied = await applyRecord(deps, request.id, "workflow");
  // Still ACTIVE, even if already past its expiry (a long stall): the workflow goes on to revoke it.
  if (applied.request.status !== "ACTIVE" || !applied.request.expiresAt) return inactive;
  // The policy is in IAM now: measured once, by the attempt that claimed the record.
  const approvedAt = applied.request.history.findLast((h) => h.action === "approved")?.at;
  if (approvedAt && claimedNow) {
    const effectiveMs = deps.clock.now().getTime() - Date.parse(approvedAt);
    deps.metrics?.record("ApproveToEffective", Math.max(0, effectiveMs), { profile: request.profileId });
  }
  const recorded = new Date(applied.request.expiresAt);
  return { active: true, expiresAt: recorded.toISOString(), warnAt: warnTime(deps, recorded) };
}

/**
 * Workflow catch "Undo failed grant": whatever attached must go, then the request is FAILED and
 * people are told why.
 */
export async function failGrant(
  deps: Deps,
  input: { requestId: string; error?: string; cause?: string },
): Promise<void> {
  const failure = [input.error, input.cause].filter(Boolean).join(": ") || "the grant failed";
  // The record first, so no other writer puts the policy back; then whatever attached goes.
  const failed = await retryOnConflict(deps, input.requestId, async (current) =>
    current.status === "APPROVED" || current.status === "ACTIVE" || current.status === "PENDING"
      ? transition(
          deps,
          current,
          "FAILED",
          "workflow",
          { failure, endedAt: deps.clock.now().toISOString() },
          { failure },
        )
      : current,
  );
  // Every account is cleaned, even when one cannot be reached. A request that never became ACTIVE had
  // nothing written anywhere (writes follow the claim), so a removal that cannot reach an account is
  // only recorded; after a claim it is thrown once people are told, and the workflow's failure raises
  // the alarm while the sweeper keeps trying that account.
  let removal: Removal = { policyDeleted: false, terminatedSessions: [] };
  let leftUnchecked: unknown;
  try {
    removal = await removeAccess(deps, failed);
  } catch (error) {
    leftUnchecked = error;
  }
  await audit(deps, failed.id, "workflow", "grant-undone", {
    policyName: policyName(failed.id),
    accounts: grantAccountIds(failed),
    ...removal,
    ...(leftUnchecked !== undefined ? { notUndone: describeError(leftUnchecked) } : {}),
  });
  if (failed.status === "FAILED")
    await notifySafely(deps, { type: "failed", request: failed, detail: { failure } });
  if (leftUnchecked !== undefined && failed.grantedAt !== undefined) throw leftUnchecked;
}
