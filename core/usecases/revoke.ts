/**
 * Revoking: settle the record (REVOKED), then delete the policy and end the live sessions it allowed.
 * The record goes first so that no extension or grant in flight can put the policy back unseen: a
 * writer that loses takes its own write back (see enforce.ts). Used by the workflow at expiry, by the
 * sweeper, and by "I'm done" / admin revoke; idempotent, so whichever comes second is a no-op.
 */
import { NotAuthorizedError, ValidationError } from "../errors.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { loadRequest, notifySafely, retryOnConflict, transition } from "./common.ts";
import { lateCheckTime, removeAccess } from "./enforce.ts";

export interface RevokeResult {
  alreadyRevoked: boolean;
  /** The grant was extended after its expiry was judged due: nothing was revoked. */
  extended?: boolean;
  policyDeleted: boolean;
  terminatedSessions: string[];
  /** When the late-session pass should run (after IAM propagation). */
  lateCheckAt?: string | undefined;
}

/** A grant that is (or is about to be) in force: what a revoke settles. */
export const isLive = (r: AccessRequest) => r.status === "ACTIVE" || r.status === "APPROVED";

/** What every revoke writes with REVOKED: when, by whom, and no extension left waiting. */
export const revokedChanges = (
  deps: Deps,
  actor: string,
  at: Date = deps.clock.now(),
): Partial<AccessRequest> => ({
  endedAt: at.toISOString(),
  endedBy: actor,
  pendingExtension: undefined,
});

/** The record was extended after the expiry was judged due: the grant goes on. */
const EXTENDED = Symbol("extended");

/**
 * Moves the record to REVOKED; undefined when it was already settled (by someone else, or before).
 * With `ifDue`, only a grant whose recorded expiry has come is settled: an extension that landed after
 * the workflow (or the sweeper) judged it due wins, and EXTENDED says so.
 */
async function settle(
  deps: Deps,
  input: { requestId: string; actor: string; reason?: string | undefined; ifDue?: boolean | undefined },
): Promise<AccessRequest | undefined | typeof EXTENDED> {
  // One instant for the whole settle: the moment the expiry is judged is the moment it ended.
  const now = deps.clock.now();
  return retryOnConflict(deps, input.requestId, async (current) => {
    if (!isLive(current)) return undefined;
    if (input.ifDue && current.status === "ACTIVE" && current.expiresAt && new Date(current.expiresAt) > now)
      return EXTENDED;
    // `atExpiry`: ended because its time came (the workflow or the sweeper), not by a person; the
    // audit reads this fact instead of guessing it from the reason's words.
    return transition(deps, current, "REVOKED", input.actor, revokedChanges(deps, input.actor, now), {
      reason: input.reason ?? "expired",
      ...(input.ifDue ? { atExpiry: true } : {}),
    });
  });
}

/**
 * Revokes a grant now and cleans up. `actor` is "workflow", "sweeper" or the person who asked. On a
 * request already settled the cleanup still runs (a retry after a failed delete finishes the job).
 */
export async function revokeAccess(
  deps: Deps,
  input: { requestId: string; actor: string; reason?: string; ifDue?: boolean },
): Promise<RevokeResult> {
  // The workflow revokes at expiry: only what is due (an extension may have landed since "Check expiry").
  const ifDue = input.ifDue ?? input.actor === "workflow";
  const settled = await settle(deps, { ...input, ifDue });
  if (settled === EXTENDED) {
    return { alreadyRevoked: false, extended: true, policyDeleted: false, terminatedSessions: [] };
  }
  const request = settled ?? (await loadRequest(deps, input.requestId));
  const removal = await removeAccess(deps, request);
  // At expiry (workflow or sweeper), how late the access went: the policy deleted, the sessions ended.
  if (settled && ifDue && request.expiresAt) {
    const lag = (deps.clock.now().getTime() - Date.parse(request.expiresAt)) / 1000;
    deps.metrics?.record("RevokeLag", Math.max(0, lag), { profile: request.profileId });
  }
  // A retry of our own settle (its first attempt wrote REVOKED, then failed) still announces.
  const ours = settled !== undefined || (request.endedBy === input.actor && request.status === "REVOKED");
  return { alreadyRevoked: !ours, ...removal, lateCheckAt: lateCheckTime(deps) };
}

/**
 * "I'm done — revoke now" by the requester, or an admin's revoke, from a front door (Slack, the API).
 * It settles the record and announces at once; the policy delete and the session terminations run in
 * a workflow execution (`Workflow.sync`), so the internet-facing function holds no IAM rights and
 * answers Slack well inside its 3 seconds.
 */
export async function revokeNow(
  deps: Deps,
  input: { requestId: string; actor: string },
): Promise<{ alreadyRevoked: boolean }> {
  const request = await loadRequest(deps, input.requestId);
  const isAdmin = deps.config.slack.admins.includes(input.actor);
  if (request.requester.slackUserId !== input.actor && !isAdmin) {
    throw new NotAuthorizedError("only the requester or an admin can revoke this grant");
  }
  if (request.status === "REVOKED") {
    // Revoked already (a repeated click, or a sync that never started): make sure the cleanup runs.
    await deps.workflow.sync(request.id, request.version);
    return { alreadyRevoked: true };
  }
  if (!isLive(request)) {
    throw new ValidationError(
      "status",
      `request ${request.id} is ${request.status.toLowerCase()}; there is nothing to revoke`,
    );
  }
  const reason =
    isAdmin && request.requester.slackUserId !== input.actor
      ? "revoked by an admin"
      : "revoked by the requester";
  const outcome = await settle(deps, { requestId: request.id, actor: input.actor, reason });
  const settled = outcome === EXTENDED ? undefined : outcome;
  const current = settled ?? (await loadRequest(deps, request.id));
  // Hand the cleanup to the workflow even when someone else settled first: it is idempotent.
  await deps.workflow.sync(current.id, current.version);
  if (settled) await notifySafely(deps, { type: "revoked", request: settled, detail: { reason } });
  return { alreadyRevoked: settled === undefined };
}
