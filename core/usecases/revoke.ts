/**
 * Revoking: delete the policy, terminate the live sessions it allowed, record REVOKED. Used by the
 * workflow at expiry, by "I'm done" / admin revoke, and by the sweeper; idempotent, so whichever
 * comes second is a no-op.
 */
import { NotAuthorizedError, ValidationError } from "../errors.ts";
import { policyName } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { Principal } from "../principal.ts";
import type { AccessRequest } from "../request.ts";
import { loadRequest, notifySafely, profileOf, retryOnConflict, transition } from "./common.ts";

export interface RevokeResult {
  alreadyRevoked: boolean;
  policyDeleted: boolean;
  terminatedSessions: string[];
}

/** Same person: same principal ARN and, on a shared role, the same role session name. */
const samePerson = (a: Principal, b: Principal): boolean =>
  a.arn === b.arn &&
  (a.kind !== "shared-role" || (b.kind === "shared-role" && a.sessionName === b.sessionName));

/**
 * Ends the live sessions this grant allowed. When the person holds no other active grant, every live
 * session of theirs goes (nothing else can have allowed it); otherwise only those on this profile's nodes.
 */
async function terminateSessions(deps: Deps, request: AccessRequest): Promise<string[]> {
  const live = await deps.sessions.liveSessions(request.principal);
  if (live.length === 0) return [];
  const others = (await deps.store.listByStatus("ACTIVE")).filter(
    (r) => r.id !== request.id && samePerson(r.principal, request.principal),
  );
  let targets = live;
  if (others.length > 0) {
    const profile = profileOf(deps, request);
    const nodes = new Set(await deps.sessions.matchingNodes(profile.tags, profile.regions));
    targets = live.filter((s) => nodes.has(s.target));
  }
  for (const session of targets) await deps.sessions.terminateSession(session);
  return targets.map((s) => s.sessionId);
}

/** Revokes a grant now. `actor` is "workflow", "sweeper" or the Slack user who asked. */
export async function revokeAccess(
  deps: Deps,
  input: { requestId: string; actor: string; reason?: string },
): Promise<RevokeResult> {
  const request = await loadRequest(deps, input.requestId);
  if (request.status !== "ACTIVE" && request.status !== "APPROVED") {
    return { alreadyRevoked: true, policyDeleted: false, terminatedSessions: [] };
  }
  // Policy first: once it is gone no new session can start, so the sessions found next are all of them.
  const policyDeleted = await deps.broker.deleteGrant(request.principal, policyName(request.id));
  const terminatedSessions = await terminateSessions(deps, request);
  const endedAt = deps.clock.now().toISOString();
  const result = await retryOnConflict(deps, request.id, async (current) => {
    if (current.status !== "ACTIVE" && current.status !== "APPROVED") return { alreadyRevoked: true };
    await transition(
      deps,
      current,
      "REVOKED",
      input.actor,
      { endedAt, endedBy: input.actor, pendingExtension: undefined },
      { reason: input.reason ?? "expired", policyDeleted, terminatedSessions },
    );
    return { alreadyRevoked: false };
  });
  return { ...result, policyDeleted, terminatedSessions };
}

/** "I'm done — revoke now" by the requester, or an admin's revoke. Announced at once. */
export async function revokeNow(
  deps: Deps,
  input: { requestId: string; actor: string },
): Promise<RevokeResult> {
  const request = await loadRequest(deps, input.requestId);
  const isAdmin = deps.config.slack.admins.includes(input.actor);
  if (request.requester.slackUserId !== input.actor && !isAdmin) {
    throw new NotAuthorizedError("only the requester or an admin can revoke this grant");
  }
  if (request.status !== "ACTIVE" && request.status !== "APPROVED") {
    throw new ValidationError(
      "status",
      `request ${request.id} is ${request.status.toLowerCase()}; there is nothing to revoke`,
    );
  }
  const reason =
    isAdmin && request.requester.slackUserId !== input.actor
      ? "revoked by an admin"
      : "revoked by the requester";
  const result = await revokeAccess(deps, { requestId: request.id, actor: input.actor, reason });
  if (!result.alreadyRevoked) {
    await notifySafely(deps, {
      type: "revoked",
      request: await loadRequest(deps, request.id),
      detail: { ...result, reason },
    });
  }
  return result;
}
