/**
 * After the fact: an approver reviews a break-glass grant ("Reviewed: OK" or "Revoke"), or revokes a
 * grant made without them (on call). Every click is authorized here from the stored record: only
 * the profile's approvers, never the requester; a repeated or stale click changes nothing.
 */
import { type Approver, isApproverOf } from "../approval.ts";
import { NotAuthorizedError, ValidationError } from "../errors.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest, BreakGlassReview } from "../request.ts";
import { audit, loadRequest, notifySafely, profileOf, retryOnConflict, transition } from "./common.ts";
import { isLive, revokedChanges } from "./revoke.ts";

/**
 * A request granted without approvers (break-glass, or approved as on call) whose alert or FYI is out
 * before its workflow has claimed it: still PENDING, and a Revoke then must stop the grant, not miss it.
 */
const notYetGranted = (r: AccessRequest) =>
  r.status === "PENDING" && (r.breakGlass !== undefined || r.onCall?.approved === true);

/** Ends a not-yet-granted request: DENIED by the approver (nothing was granted, so not REVOKED). */
async function stopBeforeGrant(
  deps: Deps,
  current: AccessRequest,
  by: string,
  reason: string,
  changes: Partial<AccessRequest> = {},
): Promise<AccessRequest> {
  const denied = await transition(
    deps,
    current,
    "DENIED",
    by,
    { ...changes, decidedBy: by, denialReason: reason },
    { reason },
  );
  // The grant step finds the record DENIED and grants nothing; a waiting token (none on this path
  // today) is released the way a denial releases it.
  if (denied.taskToken) await deps.workflow.sendTaskFailure(denied.taskToken, "Denied", reason);
  return denied;
}

/**
 * Throws NotAuthorizedError unless `who` may judge this grant: an approver of its profile (the
 * admins when the profile names none), and never its requester, whatever `selfApproval` says.
 */
export function assertReviewer(deps: Deps, request: AccessRequest, who: Approver): void {
  const profile = profileOf(deps, request);
  if (who.slackUserId === request.requester.slackUserId) {
    throw new NotAuthorizedError("you cannot review or revoke your own grant; another approver must");
  }
  const allowed =
    profile.approvers.length > 0
      ? isApproverOf(profile, who)
      : deps.config.slack.admins.includes(who.slackUserId);
  if (!allowed) throw new NotAuthorizedError(`you are not an approver of the ${profile.id} profile`);
}

export interface ReviewResult {
  request: AccessRequest;
  /** The grant was already reviewed (a repeated or stale click): nothing changed. */
  alreadyReviewed: boolean;
  /** This review ended the grant. */
  revoked: boolean;
}

/**
 * Records the review of a break-glass grant. "revoke" also ends the grant when it is still live: the
 * record goes first (REVOKED, with the review, in one conditional write), then the workflow removes
 * the policy and the sessions (`Workflow.sync`). A second review of the same grant is a no-op.
 */
export async function reviewBreakGlass(
  deps: Deps,
  input: { requestId: string; reviewer: Approver; outcome: "ok" | "revoke" },
): Promise<ReviewResult> {
  const first = await loadRequest(deps, input.requestId);
  if (!first.breakGlass) {
    throw new ValidationError(
      "request",
      `request ${first.id} is not a break-glass grant; there is nothing to review`,
    );
  }
  assertReviewer(deps, first, input.reviewer);
  const by = input.reviewer.slackUserId;
  const at = deps.clock.now().toISOString();
  const review: BreakGlassReview = { outcome: input.outcome === "ok" ? "ok" : "revoked", by, at };
  const result = await retryOnConflict(deps, first.id, async (current): Promise<ReviewResult> => {
    if (current.review) return { request: current, alreadyReviewed: true, revoked: false };
    if (input.outcome === "revoke" && notYetGranted(current)) {
      const request = await stopBeforeGrant(
        deps,
        current,
        by,
        "revoked at break-glass review before the grant",
        {
          review,
        },
      );
      return { request, alreadyReviewed: false, revoked: true };
    }
    if (input.outcome === "revoke" && isLive(current)) {
      const reason = "revoked at break-glass review";
      const request = await transition(
        deps,
        current,
        "REVOKED",
        by,
        { ...revokedChanges(deps, by), review },
        {
          reason,
          review: review.outcome,
        },
      );
      return { request, alreadyReviewed: false, revoked: true };
    }
    const request = await deps.store.update(current, { review });
    return { request, alreadyReviewed: false, revoked: false };
  });
  if (result.alreadyReviewed) return result;
  await audit(deps, first.id, by, "break-glass-reviewed", { outcome: review.outcome }, at);
  if (result.revoked && result.request.status === "DENIED") {
    await notifySafely(deps, { type: "denied", request: result.request });
  } else if (result.revoked) {
    await deps.workflow.sync(result.request.id, result.request.version);
    await notifySafely(deps, {
      type: "revoked",
      request: result.request,
      detail: { reason: "revoked at break-glass review" },
    });
  }
  await notifySafely(deps, { type: "break-glass-reviewed", request: result.request, detail: { ...review } });
  return result;
}

/**
 * An approver revokes a grant that was made without them (approved as on call): the FYI message's
 * Revoke button. Same rules as a review: an approver of the profile, not the requester.
 */
export async function revokeAsApprover(
  deps: Deps,
  input: { requestId: string; approver: Approver },
): Promise<{ alreadyRevoked: boolean }> {
  const first = await loadRequest(deps, input.requestId);
  assertReviewer(deps, first, input.approver);
  const by = input.approver.slackUserId;
  const reason = "revoked by an approver";
  const settled = await retryOnConflict(deps, first.id, async (current) =>
    notYetGranted(current)
      ? stopBeforeGrant(deps, current, by, `${reason} before the grant`)
      : isLive(current)
        ? transition(deps, current, "REVOKED", by, revokedChanges(deps, by), { reason })
        : undefined,
  );
  if (settled?.status === "DENIED") {
    await notifySafely(deps, { type: "denied", request: settled });
    return { alreadyRevoked: false };
  }
  const current = settled ?? (await loadRequest(deps, first.id));
  if (current.status !== "REVOKED") {
    throw new ValidationError(
      "status",
      `request ${current.id} is ${current.status.toLowerCase()}; there is nothing to revoke`,
    );
  }
  // Revoked already (a repeated click): the cleanup is idempotent, so it runs again.
  await deps.workflow.sync(current.id, current.version);
  if (settled) await notifySafely(deps, { type: "revoked", request: settled, detail: { reason } });
  return { alreadyRevoked: settled === undefined };
}
