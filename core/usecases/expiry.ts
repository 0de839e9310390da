/** Expiry: the workflow's "Check expiry", extensions, announcements and the revoke alarm. */
import { isApproverOf } from "../approval.ts";
import { formatDuration, parseBoundedDuration } from "../duration.ts";
import { NotAuthorizedError, ValidationError } from "../errors.ts";
import type { Deps, NoticeType } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { audit, loadRequest, notifySafely, profileOf, retryOnConflict } from "./common.ts";
import { type GrantState, warnTime } from "./grant.ts";
import { grantLimit } from "./grantable.ts";

/** Workflow task "Check expiry": reloads the record; a later expiry (extension) sends the workflow back to wait. */
export async function checkExpiry(deps: Deps, input: { requestId: string }): Promise<GrantState> {
  const request = await loadRequest(deps, input.requestId);
  const now = deps.clock.now();
  if (request.status === "REVOKED") {
    // Revoked early: the cleanup ran in its own execution; the revoke path runs it once more here
    // (idempotent), so a cleanup that never started is not left to the sweeper alone.
    return { active: true, due: true, expiresAt: now.toISOString(), warnAt: now.toISOString() };
  }
  if (request.status !== "ACTIVE" || !request.expiresAt) {
    return { active: false, due: false, expiresAt: now.toISOString(), warnAt: now.toISOString() };
  }
  const expiresAt = new Date(request.expiresAt);
  return {
    active: true,
    due: expiresAt <= now,
    expiresAt: request.expiresAt,
    warnAt: warnTime(deps, expiresAt),
  };
}

/**
 * Writes a new expiry: the record first, conditionally on the grant still being ACTIVE at the version
 * read (a revoke that settled first makes this a ConflictError, then a refusal); then the workflow
 * rewrites the policy from the record (`Workflow.sync`). Access never lapses early because the old
 * policy stays until the new one replaces it, and a policy write can never outlive a revoke.
 */
async function applyExtension(
  deps: Deps,
  request: AccessRequest,
  expiresAt: Date,
  actor: string,
): Promise<AccessRequest> {
  const extended = await deps.store.update(request, {
    expiresAt: expiresAt.toISOString(),
    pendingExtension: undefined,
  });
  await deps.workflow.sync(extended.id, extended.version);
  await audit(deps, request.id, actor, "extended", { from: request.expiresAt, to: expiresAt.toISOString() });
  await notifySafely(deps, { type: "extended", request: extended });
  return extended;
}

export type ExtendResult = { outcome: "extended" | "pending"; request: AccessRequest };

/**
 * The requester asks for `by` more time. The new expiry may not pass the profile's maximum counted
 * from the original grant. Applied at once when the profile allows self-extension or an admin asks;
 * otherwise it waits for an approver.
 */
export async function extendGrant(
  deps: Deps,
  input: { requestId: string; actor: string; by: string },
): Promise<ExtendResult> {
  return retryOnConflict(deps, input.requestId, async (request): Promise<ExtendResult> => {
    const isAdmin = deps.config.slack.admins.includes(input.actor);
    if (request.requester.slackUserId !== input.actor && !isAdmin) {
      throw new NotAuthorizedError("only the requester or an admin can extend this grant");
    }
    if (
      request.status !== "ACTIVE" ||
      !request.expiresAt ||
      !request.grantedAt ||
      new Date(request.expiresAt) <= deps.clock.now()
    ) {
      throw new ValidationError(
        "status",
        `request ${request.id} is ${request.status.toLowerCase()}; only active grants can be extended`,
      );
    }
    const profile = profileOf(deps, request);
    const current = new Date(request.expiresAt).getTime();
    // Break-glass and on-call grants are bounded tighter than the profile (see grantLimit).
    const limit = grantLimit(profile, { ...request, grantedAt: request.grantedAt });
    const room = Math.floor((limit.until - current) / 1000);
    if (room < 60) throw new ValidationError("by", `this grant is already at its maximum: ${limit.rule}`);
    const seconds = parseBoundedDuration(input.by, "by", room, {
      overMax: `${input.by.trim()} is more than this grant can still grow: ${limit.rule}, and ${formatDuration(room)} remains`,
    });
    const expiresAt = new Date(current + seconds * 1000);
    if (profile.selfExtension || isAdmin) {
      return { outcome: "extended", request: await applyExtension(deps, request, expiresAt, input.actor) };
    }
    const pending = await deps.store.update(request, {
      pendingExtension: {
        expiresAt: expiresAt.toISOString(),
        requestedBy: input.actor,
        at: deps.clock.now().toISOString(),
      },
    });
    await audit(deps, request.id, input.actor, "extension-requested", { to: expiresAt.toISOString() });
    await notifySafely(deps, { type: "extension-needed", request: pending });
    return { outcome: "pending", request: pending };
  });
}

/** An approver of the profile approves a pending extension. */
export async function approveExtension(
  deps: Deps,
  input: { requestId: string; approver: { slackUserId: string; groups?: readonly string[] } },
): Promise<AccessRequest> {
  return retryOnConflict(deps, input.requestId, async (request) => {
    const profile = profileOf(deps, request);
    if (request.status !== "ACTIVE" || !request.pendingExtension) {
      throw new NotAuthorizedError(`request ${request.id} has no extension waiting; nothing was changed`);
    }
    if (!isApproverOf(profile, input.approver))
      throw new NotAuthorizedError(`you are not an approver of the ${profile.id} profile`);
    if (input.approver.slackUserId === request.requester.slackUserId && !profile.selfApproval) {
      throw new NotAuthorizedError(`the ${profile.id} profile does not allow approving your own request`);
    }
    return applyExtension(
      deps,
      request,
      new Date(request.pendingExtension.expiresAt),
      input.approver.slackUserId,
    );
  });
}

/** States that must see the request still active to be worth announcing. */
const NEEDS_ACTIVE: ReadonlySet<NoticeType> = new Set(["granted", "expiring"]);

/**
 * Workflow tasks "Announce grant", "Warn expiry is near", "Announce revocation": tell people, from
 * the record as it is now (an early revoke makes a late warning pointless).
 */
export async function announce(
  deps: Deps,
  input: { requestId: string; type: NoticeType | "closed"; detail?: Record<string, unknown> },
): Promise<void> {
  const request = await loadRequest(deps, input.requestId);
  if (input.type === "closed") {
    // How the request was closed is on the record: denied or cancelled.
    if (request.status === "DENIED") await deps.notifier.notify({ type: "denied", request });
    if (request.status === "CANCELLED") await deps.notifier.notify({ type: "cancelled", request });
    return;
  }
  if (NEEDS_ACTIVE.has(input.type) && request.status !== "ACTIVE") return;
  if (input.type === "revoked" && input.detail?.alreadyRevoked === true) return;
  await deps.notifier.notify({ type: input.type, request, detail: input.detail });
}

/** Workflow catch "Raise revoke alarm": revocation failed after its retries; the sweeper will finish. */
export async function raiseRevokeAlarm(
  deps: Deps,
  input: { requestId: string; error?: string; cause?: string },
): Promise<void> {
  const request = await loadRequest(deps, input.requestId);
  const detail = {
    problem: "revocation failed; the sweeper will retry",
    error: input.error,
    cause: input.cause,
  };
  await audit(deps, request.id, "workflow", "revoke-failed", detail);
  deps.metrics?.record("RevokeFailures", 1, { profile: request.profileId });
  await deps.notifier.notify({ type: "alarm", request, detail });
}
