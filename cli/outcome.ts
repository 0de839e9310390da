/**
 * What a request's state means to the person who asked: one progress phrase while it moves, and one
 * final line, true to how it ended, with the reason when access was not given.
 */
import type { AccessRequest } from "../core/request.ts";
import { until, when } from "./format.ts";

/** States after which a request no longer changes by itself (ACTIVE moves only at its expiry). */
export const SETTLED = ["ACTIVE", "REVOKED", "DENIED", "EXPIRED", "CANCELLED", "FAILED"];

/** A reason as a person reads it: the error's type name is for logs. */
const plain = (text: string) => text.replace(/^[A-Z][A-Za-z]*Error: /, "");

/** The state in a few words: "waiting for approval: 0 of 1", "active until in 59m (14:05)". */
export function progress(r: AccessRequest, now: Date): string {
  switch (r.status) {
    case "PENDING":
      if (r.breakGlass) return "granting (break-glass: the approvers are told and will review it)";
      if (r.onCall?.approved) return "granting (you are on call)";
      return r.approvalsRequired === 0
        ? "granting (this profile needs no approval)"
        : `waiting for approval: ${r.approvals.length} of ${r.approvalsRequired}`;
    case "APPROVED":
      if (r.breakGlass) return "break-glass; granting";
      if (r.onCall?.approved) return "approved as on call; granting";
      return `approved by ${r.approvals.map((a) => a.approver).join(", ") || "the profile"}; granting`;
    case "ACTIVE":
      return `active ${until(r.expiresAt, now)}`;
    case "DENIED":
      return `denied by ${r.decidedBy ?? "an approver"}: ${r.denialReason ?? "no reason given"}`;
    case "FAILED":
      return `not granted: ${plain(r.failure ?? "the grant failed")}`;
    case "EXPIRED":
      return `expired: nobody approved it within the profile's approval window${r.failure ? ` (${plain(r.failure)})` : ""}`;
    case "CANCELLED":
      return `cancelled by ${r.endedBy ?? r.requester.slackUserId}`;
    case "REVOKED":
      return `revoked by ${r.endedBy ?? "jit"} ${when(r.endedAt, now)}`;
  }
}

/** Access was refused or never arrived: these end a `--wait` or `--follow` with exit code 1. */
export const endedBadly = (r: AccessRequest): boolean => ["FAILED", "DENIED", "EXPIRED"].includes(r.status);

/**
 * The last word on a request someone waited for, printed once: on stdout when `ok` holds, else as
 * a `jit:` error line on stderr, and the command exits 1.
 */
export function finalLine(
  r: AccessRequest,
  now: Date,
  ok: (r: AccessRequest) => boolean,
): { ok: boolean; line: string } {
  return ok(r)
    ? { ok: true, line: `${r.id}: ${progress(r, now)}` }
    : { ok: false, line: `jit: ${r.id} ${progress(r, now)}` };
}
