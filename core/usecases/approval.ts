/**
 * The approval step: the workflow parks its task token on the request and asks the approvers; each
 * approval is a conditional write; the quorum (or a denial) resumes the workflow.
 */
import { type Approver, addApproval, checkApprover } from "../approval.ts";
import { NotAuthorizedError, ValidationError } from "../errors.ts";
import type { Deps } from "../ports.ts";
import { type AccessRequest, isTerminal } from "../request.ts";
import { audit, notifySafely, profileOf, retryOnConflict, transition } from "./common.ts";
import { REASON_MIN } from "./request.ts";

/** The request was settled (cancelled, denied, expired) before its approval step began. */
export class RequestClosedError extends Error {
  override name = "RequestClosed";
}

/** Workflow task "Ask approvers": keeps the token on the record, then posts the approval request. */
export async function askApprovers(
  deps: Deps,
  input: { requestId: string; taskToken: string },
): Promise<void> {
  const request = await retryOnConflict(deps, input.requestId, async (current) => {
    if (isTerminal(current.status))
      throw new RequestClosedError(`request ${current.id} is already ${current.status}`);
    return deps.store.update(current, { taskToken: input.taskToken });
  });
  if (request.status === "APPROVED") {
    // The quorum was reached before the token was stored: resume at once.
    await deps.workflow.sendTaskSuccess(input.taskToken, {
      approvedBy: request.approvals.map((a) => a.approver),
    });
    return;
  }
  await audit(deps, request.id, "workflow", "approval-requested", {
    approvers: profileOf(deps, request).approvers,
  });
  await notifySafely(deps, { type: "approval-needed", request });
}

export type ApproveResult = { outcome: "recorded" | "approved"; request: AccessRequest };

/**
 * One approver approves. Authorized here from the stored record and the configuration; throws
 * NotAuthorizedError with the reason for a non-approver, self-approval, a second vote or a stale click.
 */
export async function approve(
  deps: Deps,
  input: { requestId: string; approver: Approver },
): Promise<ApproveResult> {
  const result = await retryOnConflict(deps, input.requestId, async (request): Promise<ApproveResult> => {
    const check = checkApprover(profileOf(deps, request), request, input.approver);
    const retried =
      request.status === "APPROVED" &&
      request.approvals.some((a) => a.approver === input.approver.slackUserId);
    // A retry by an approver whose vote completed the quorum: hand the approval to the workflow again.
    if (retried) return { outcome: "approved", request };
    if (!check.ok) throw new NotAuthorizedError(check.reason);
    const at = deps.clock.now().toISOString();
    const { approvals, quorumReached } = addApproval(request, { approver: input.approver.slackUserId, at });
    if (!quorumReached) {
      const updated = await deps.store.update(request, { approvals });
      await audit(deps, request.id, input.approver.slackUserId, "approval", {
        count: approvals.length,
        required: request.approvalsRequired,
      });
      return { outcome: "recorded", request: updated };
    }
    const updated = await transition(deps, request, "APPROVED", input.approver.slackUserId, {
      approvals,
      decidedBy: approvals.map((a) => a.approver).join(","),
    });
    await audit(deps, request.id, input.approver.slackUserId, "approval", {
      count: approvals.length,
      required: request.approvalsRequired,
    });
    return { outcome: "approved", request: updated };
  });
  if (result.outcome === "approved") {
    if (result.request.taskToken) {
      await deps.workflow.sendTaskSuccess(result.request.taskToken, {
        approvedBy: result.request.approvals.map((a) => a.approver),
      });
    }
  }
  return result;
}

/** One approver denies, with a reason; the workflow ends as DENIED. */
export async function deny(
  deps: Deps,
  input: { requestId: string; approver: Approver; reason: string },
): Promise<AccessRequest> {
  const reason = input.reason.trim();
  if ([...reason].length < REASON_MIN) {
    const needs = `a denial needs a reason of at least ${REASON_MIN} characters`;
    throw new ValidationError("reason", reason ? `${needs}; "${reason}" is too short` : needs);
  }
  const denied = await retryOnConflict(deps, input.requestId, async (request) => {
    const profile = profileOf(deps, request);
    const check = checkApprover(profile, request, input.approver);
    // An approver who already approved may still change their mind and deny; other refusals stand.
    // A retry by the approver who denied: hand the denial to the workflow again.
    if (request.status === "DENIED" && request.decidedBy === input.approver.slackUserId) return request;
    const alreadyApproved = request.approvals.some((a) => a.approver === input.approver.slackUserId);
    if (!check.ok && !(alreadyApproved && request.status === "PENDING"))
      throw new NotAuthorizedError(check.reason);
    return transition(
      deps,
      request,
      "DENIED",
      input.approver.slackUserId,
      {
        decidedBy: input.approver.slackUserId,
        denialReason: reason,
        endedAt: deps.clock.now().toISOString(),
      },
      { reason },
    );
  });
  if (denied.taskToken)
    await deps.workflow.sendTaskFailure(denied.taskToken, "Denied", denied.denialReason ?? reason);
  return denied;
}

/**
 * Workflow task "Expire request": nobody decided within the profile's approval timeout. An approval
 * that landed after the window closed cannot be used any more: that request fails instead.
 */
export async function expireApproval(deps: Deps, input: { requestId: string }): Promise<void> {
  const request = await retryOnConflict(deps, input.requestId, async (current) => {
    const endedAt = deps.clock.now().toISOString();
    if (current.status === "PENDING") return transition(deps, current, "EXPIRED", "workflow", { endedAt });
    if (current.status === "APPROVED") {
      return transition(deps, current, "FAILED", "workflow", {
        endedAt,
        failure: "the approval arrived after the approval window closed",
      });
    }
    return undefined;
  });
  if (request)
    await notifySafely(deps, { type: request.status === "EXPIRED" ? "expired" : "failed", request });
}
