/**
 * Approval rules: who may approve a profile's requests, self-approval, one vote per approver, and the
 * quorum. Decisions are made here, on the server, from the stored record and the configuration, never
 * from what a Slack button carries.
 */
import type { Profile } from "./config/load.ts";
import type { AccessRequest, Approval } from "./request.ts";

/** The person clicking, with the Slack user groups they belong to (resolved by the Slack adapter). */
export interface Approver {
  slackUserId: string;
  groups?: readonly string[];
}

export type ApprovalCheck = { ok: true } | { ok: false; reason: string };

/**
 * Every Slack user group (IDs starting with S) the profiles name as approvers or requesters: what a
 * front door asks Slack about a person once, so every rule sees the same groups.
 */
export function configuredGroups(
  profiles: Record<string, Pick<Profile, "approvers" | "requesters">>,
): string[] {
  const ids = Object.values(profiles).flatMap((p) => [...p.approvers, ...(p.requesters ?? [])]);
  return [...new Set(ids.filter((id) => id.startsWith("S")))];
}

/** Whether `approver` is named for `profile`, directly or through a user group. */
export function isApproverOf(profile: Profile, approver: Approver): boolean {
  return profile.approvers.some((id) => id === approver.slackUserId || (approver.groups ?? []).includes(id));
}

/** Decides whether `approver` may approve (or deny) `request` now, with the reason when not. */
export function checkApprover(profile: Profile, request: AccessRequest, approver: Approver): ApprovalCheck {
  if (request.status !== "PENDING") {
    return {
      ok: false,
      reason: `this request is already ${request.status.toLowerCase()}; nothing was changed`,
    };
  }
  if (!isApproverOf(profile, approver)) {
    return { ok: false, reason: `you are not an approver of the ${profile.id} profile` };
  }
  if (approver.slackUserId === request.requester.slackUserId && !profile.selfApproval) {
    return { ok: false, reason: `the ${profile.id} profile does not allow approving your own request` };
  }
  if (request.approvals.some((a) => a.approver === approver.slackUserId)) {
    return { ok: false, reason: "you have already approved this request; another approver is needed" };
  }
  return { ok: true };
}

/** Adds one approval (the caller has checked it) and tells whether the quorum is now reached. */
export function addApproval(
  request: AccessRequest,
  approval: Approval,
): { approvals: Approval[]; quorumReached: boolean } {
  const approvals = [...request.approvals.filter((a) => a.approver !== approval.approver), approval];
  return { approvals, quorumReached: approvals.length >= request.approvalsRequired };
}

/** A profile that needs no approval is granted at once. */
export const isAutoApproved = (profile: Profile): boolean => profile.approvalsRequired === 0;

/**
 * Whether this request is granted without approvers: its profile needs none, or it was decided at
 * creation (break-glass, or approved as on call) and the profile still allows that. Only
 * `createRequest` writes those fields; a record claiming them on a profile without the rule waits.
 */
export const grantsWithoutApprovers = (profile: Profile, request: AccessRequest): boolean =>
  isAutoApproved(profile) ||
  (request.breakGlass !== undefined && profile.breakGlass !== undefined) ||
  (request.onCall?.approved === true && profile.onCall?.provider === request.onCall.provider);

/** Who the lifecycle names as having approved a request granted without approvers. */
export const autoApprover = (request: AccessRequest): string =>
  request.breakGlass ? "break-glass" : request.onCall?.approved ? "on-call" : "auto-approval";
