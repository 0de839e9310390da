/**
 * The audit trail as sentences ("approved by U03DAVE (1 of 1)") with times people read; the raw
 * events, with ISO times and details, stay in `jit show --json`.
 */
import { formatDuration } from "../core/duration.ts";
import type { AuditEvent } from "../core/ports.ts";
import type { AccessRequest } from "../core/request.ts";
import { when } from "./format.ts";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const plain = (text: unknown) => String(text).replace(/^[A-Z][A-Za-z]*Error: /, "");

/** A detail value in words: times relative, lists joined, nested records as `key value`. */
function value(v: unknown, now: Date): string {
  if (typeof v === "string") return ISO.test(v) ? when(v, now) : v;
  if (Array.isArray(v)) return v.map((x) => value(x, now)).join(", ");
  if (v && typeof v === "object") return details(v as Record<string, unknown>, now);
  return String(v);
}

/** Whatever else an event carries, as "key value, key value". */
function details(detail: Record<string, unknown> | undefined, now: Date): string {
  return Object.entries(detail ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${k} ${value(v, now)}`)
    .join(", ");
}

/** The on-call decision and the break-glass review of a request, one line each, for `jit show`. */
export function withoutApproversLines(r: AccessRequest, now: Date): string[] {
  const lines: string[] = [];
  const d = r.onCall;
  if (d?.approved) {
    const where = [d.schedule && `schedule ${d.schedule}`, d.level && `level ${d.level}`]
      .filter(Boolean)
      .join(" ");
    const until = d.shiftEnd ? ` until ${when(d.shiftEnd, now)}` : "";
    lines.push(
      `on call: approved at once (${d.provider} ${where}${until}${d.cappedToShift ? ", ends with the shift" : ""})`,
    );
  } else if (d) lines.push(`on call: not approved (${d.reason ?? "unknown"})`);
  const bg = r.breakGlass;
  if (bg) {
    const review = r.review
      ? `reviewed ${r.review.outcome === "ok" ? "OK" : "and revoked"} by ${r.review.by} ${when(r.review.at, now)}`
      : `awaiting review, due ${when(bg.reviewDueAt, now)}${bg.escalatedAt ? " (overdue: escalated)" : ""}; ${bg.remindersSent} reminder(s) sent`;
    lines.push(`break-glass: ${review}`);
  }
  return lines;
}

/**
 * A session event: which session, on which node, in which account (recorded by the hub as each
 * account's events reached it), and for an end, why and where its transcript is.
 */
function sessionSentence(e: AuditEvent, now: Date): string {
  const d = e.detail ?? {};
  const { sessionId, target, region, account, accountId, reason, transcript, ...rest } = d;
  const node = target ? ` on ${target}${region ? ` (${region})` : ""}` : "";
  const where = (account ?? accountId) ? ` in ${account ?? accountId}` : "";
  const verb = e.action.replace("session-", "");
  const ending =
    e.action === "session-ended"
      ? `${reason ? `: ${reason}` : ""}${transcript ? `; transcript ${transcript}` : ""}`
      : ` by ${e.actor}`;
  const more = details(rest, now);
  return `session ${sessionId ?? "?"}${node}${where} ${verb}${ending}${more ? ` (${more})` : ""}`;
}

/** One event as a sentence about `request`. */
export function sentence(e: AuditEvent, request: AccessRequest, now: Date): string {
  const d = e.detail ?? {};
  switch (e.action) {
    case "requested":
      return `${e.actor} requested ${request.profileId} for ${formatDuration(request.durationSeconds)}`;
    case "break-glass":
      return `${e.actor} broke the glass: granted without approvers, review due ${value(d.reviewDueAt, now)}`;
    case "break-glass-reviewed":
      return `${e.actor} reviewed the break-glass grant: ${d.outcome === "ok" ? "OK" : "revoked"}`;
    case "break-glass-reminded":
      return `the approvers were reminded to review it (reminder ${d.reminder ?? "?"})`;
    case "break-glass-escalated":
      return "unreviewed past its review window: the alarm was raised and the admins told";
    case "approval-requested":
      return "the approvers were asked";
    case "approval":
      return `approved by ${e.actor} (${d.count ?? "?"} of ${d.required ?? "?"})`;
    case "approved":
      if (e.actor === "on-call") return "approved at once: the requester is on call";
      if (e.actor === "break-glass") return "granted at once: break-glass";
      return e.actor === "workflow"
        ? "approved at once (this profile needs no approval)"
        : "approval complete";
    case "active": {
      // A grant in several accounts names its principal in each (jit show lists them by account).
      const arns = (
        request.grants?.length ? request.grants.map((g) => g.principal.arn) : [request.principal.arn]
      ).filter(Boolean);
      return `access granted${arns.length ? ` to ${arns.join(" and ")}` : ""}`;
    }
    case "session-started":
    case "session-resumed":
    case "session-ended":
      return sessionSentence(e, now);
    case "denied":
      return `${e.actor} denied it: ${d.reason ?? request.denialReason ?? "no reason given"}`;
    case "cancelled":
      return `${e.actor} cancelled it`;
    case "revoked":
      return e.actor === "workflow" ? "access ended at its expiry" : `${e.actor} revoked it`;
    case "expired":
      return "nobody approved it in time";
    case "failed":
      return `not granted: ${plain(d.failure ?? request.failure ?? "the grant failed")}`;
    case "extended":
      return `${e.actor} extended it until ${value(d.to, now)}`;
    case "extension-requested":
      return `${e.actor} asked to extend it until ${value(d.to, now)}`;
    default: {
      const more = details(d, now);
      return `${e.action.replaceAll("-", " ")} by ${e.actor}${more ? ` (${more})` : ""}`;
    }
  }
}
