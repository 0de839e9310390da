/**
 * Granting: attach the tag-scoped, expiring policy, then record ACTIVE. Safe to run twice: the
 * policy name is fixed per request and a retried grant keeps the expiry it already recorded.
 */
import { isAutoApproved } from "../approval.ts";
import { assertFitsInlineQuota, buildGrantPolicy, policyName } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { audit, loadRequest, notifySafely, profileOf, retryOnConflict, transition } from "./common.ts";

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

/** The grant policy of a request, ending at `expiresAt` (the grant and every extension write it). */
export function grantPolicyOf(deps: Deps, request: AccessRequest, expiresAt: Date) {
  return buildGrantPolicy({
    profile: profileOf(deps, request),
    principal: request.principal,
    accountId: deps.config.accountId,
    partition: deps.config.partition,
    requestId: request.id,
    expiresAt,
  });
}

/** Workflow task "Grant access". */
export async function grantAccess(deps: Deps, input: { requestId: string }): Promise<GrantState> {
  let request = await loadRequest(deps, input.requestId);
  if (request.status === "PENDING" && isAutoApproved(profileOf(deps, request))) {
    request = await retryOnConflict(deps, request.id, (current) =>
      current.status === "PENDING"
        ? transition(deps, current, "APPROVED", "auto-approval")
        : Promise.resolve(current),
    );
  }
  if (request.status !== "APPROVED" && request.status !== "ACTIVE") {
    // Revoked (or otherwise settled) between approval and grant: nothing to attach.
    const now = deps.clock.now().toISOString();
    return { active: false, expiresAt: now, warnAt: now };
  }
  const now = deps.clock.now();
  // A retry after the record was written keeps the recorded expiry.
  const expiresAt = request.expiresAt
    ? new Date(request.expiresAt)
    : new Date(now.getTime() + request.durationSeconds * 1000);
  const grant = grantPolicyOf(deps, request, expiresAt);
  const others = (await deps.broker.inlinePolicySizes(request.principal)).filter(
    (p) => p.policyName !== grant.policyName,
  );
  assertFitsInlineQuota(
    request.principal.arn,
    others.map((p) => p.size),
    grant.size,
  );
  await deps.broker.putGrant(request.principal, grant.policyName, grant.document);
  const active =
    request.status === "ACTIVE"
      ? request
      : await retryOnConflict(deps, request.id, (current) =>
          current.status === "ACTIVE"
            ? Promise.resolve(current)
            : transition(
                deps,
                current,
                "ACTIVE",
                "workflow",
                { grantedAt: now.toISOString(), expiresAt: expiresAt.toISOString() },
                { policyName: grant.policyName, size: grant.size, expiresAt: expiresAt.toISOString() },
              ),
        );
  return {
    active: true,
    expiresAt: active.expiresAt ?? expiresAt.toISOString(),
    warnAt: warnTime(deps, expiresAt),
  };
}

/**
 * Workflow catch "Undo failed grant": whatever attached must go, then the request is FAILED and
 * people are told why.
 */
export async function failGrant(
  deps: Deps,
  input: { requestId: string; error?: string; cause?: string },
): Promise<void> {
  const request = await loadRequest(deps, input.requestId);
  await deps.broker.deleteGrant(request.principal, policyName(request.id));
  const failure = [input.error, input.cause].filter(Boolean).join(": ") || "the grant failed";
  const failed = await retryOnConflict(deps, request.id, async (current) =>
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
  await audit(deps, request.id, "workflow", "grant-undone", { policyName: policyName(request.id) });
  await notifySafely(deps, { type: "failed", request: failed, detail: { failure } });
}
