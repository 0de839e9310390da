/**
 * The access audit: every request made in a window, who asked, who decided, what was granted, how
 * it ended, and the sessions it allowed with where their transcripts are. Pure over the store: one
 * read of the window (`RequestStore.listCreated`), the rest is derived from the records and events.
 */

import type { AccessConfig } from "../config/load.ts";
import type { AuditEvent, RequestHistory, RequestStore } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { type AuditWindow, auditWindow, type WindowInput } from "./audit-window.ts";
import { grantTargets } from "./in-account.ts";

/** One approver's (or the rules') decision on a request. */
export interface AuditDecision {
  by: string;
  /** auto-approved: the profile needs no approver; on-call: the requester was on call; break-glass: declared. */
  decision: "approved" | "denied" | "auto-approved" | "on-call" | "break-glass";
  at: string;
  reason?: string | undefined;
}

/** One session a grant allowed, from the request's session events. */
export interface AuditSession {
  sessionId: string;
  node?: string | undefined;
  region?: string | undefined;
  startedAt?: string | undefined;
  endedAt?: string | undefined;
  durationSeconds?: number | undefined;
  endReason?: string | undefined;
  /** Where its transcript is, as the session-ended event recorded it; absent while it is open. */
  transcript?: string | undefined;
}

/** One request, as an auditor reads it. Field names are a contract (JSON Lines, CSV headers). */
export interface AuditRow {
  requestId: string;
  createdAt: string;
  requester: string;
  requesterEmail?: string | undefined;
  profile: string;
  account: string;
  principal: string;
  status: AccessRequest["status"];
  reason: string;
  ticket?: string | undefined;
  requestedSeconds: number;
  approvalsRequired: number;
  decisions: AuditDecision[];
  /** Break-glass (issue 13): when declared, and its after-the-fact review when there is one. */
  breakGlass?: { at: string; reviewDueAt?: string | undefined } | undefined;
  review?: { outcome: string; by: string; at: string } | undefined;
  onCall?: { approved: boolean; provider: string; reason?: string | undefined } | undefined;
  grantedAt?: string | undefined;
  expiresAt?: string | undefined;
  /** When access (or the wait for approval) ran out by itself. */
  expiredAt?: string | undefined;
  /** When someone ended access early, and who. */
  revokedAt?: string | undefined;
  revokedBy?: string | undefined;
  failure?: string | undefined;
  sessions: AuditSession[];
}

/** The rows of a window, with the filters that chose them. */
export interface AuditReport extends AuditWindow {
  profile?: string | undefined;
  person?: string | undefined;
  rows: AuditRow[];
}

/** What an audit may be asked for: the window (see audit-window.ts) and two filters. */
export interface AuditInput extends WindowInput {
  profile?: string | undefined;
  /** A Slack user ID or an email; emails match whatever their case. */
  person?: string | undefined;
}

// Revokes record `atExpiry` when the grant's time came (revoke.ts); records written before that are
// read by their actor and reason, as they were then.
const EXPIRY_ACTORS = new Set(["workflow", "sweeper"]);
const EXPIRY_REASONS = new Set(["expired", "overdue at sweep"]);

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The sessions a request's events tell of, in the order they started. */
export function sessionsOf(events: readonly AuditEvent[]): AuditSession[] {
  const byId = new Map<string, AuditSession>();
  for (const e of events) {
    const sessionId = text(e.detail?.sessionId);
    if (!sessionId || !e.action.startsWith("session-")) continue;
    const s = byId.get(sessionId) ?? { sessionId };
    byId.set(sessionId, s);
    if (e.action === "session-started") {
      s.startedAt ??= e.at;
      s.node ??= text(e.detail?.target);
      s.region ??= text(e.detail?.region);
    } else if (e.action === "session-ended") {
      s.endedAt ??= e.at;
      s.endReason ??= text(e.detail?.reason);
      s.transcript ??= text(e.detail?.transcript);
    }
  }
  for (const s of byId.values()) {
    if (s.startedAt && s.endedAt)
      s.durationSeconds = Math.max(0, Math.round((Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000));
  }
  return [...byId.values()];
}

/** Who decided, from the record's approvals and the status changes it keeps. */
function decisionsOf(r: AccessRequest): AuditDecision[] {
  const out: AuditDecision[] = r.approvals.map((a) => ({ by: a.approver, decision: "approved", at: a.at }));
  for (const h of r.history) {
    if (h.action === "approved" && !r.approvals.some((a) => a.approver === h.actor)) {
      const decision = r.breakGlass ? "break-glass" : r.onCall?.approved ? "on-call" : "auto-approved";
      out.push({ by: h.actor, decision, at: h.at });
    }
    if (h.action === "denied")
      out.push({ by: r.decidedBy ?? h.actor, decision: "denied", at: h.at, reason: r.denialReason });
  }
  return out;
}

/** How access ended: by itself (expired) or by someone (revoked). */
function endOf(r: AccessRequest): Pick<AuditRow, "expiredAt" | "revokedAt" | "revokedBy"> {
  if (r.status === "EXPIRED") return { expiredAt: r.endedAt ?? r.history.at(-1)?.at };
  if (r.status !== "REVOKED") return {};
  const entry = r.history.findLast((h) => h.action === "revoked");
  const by = r.endedBy ?? entry?.actor ?? "";
  const reason = text(entry?.detail?.reason) ?? "";
  const atExpiry = entry?.detail?.atExpiry === true || (EXPIRY_ACTORS.has(by) && EXPIRY_REASONS.has(reason));
  return atExpiry ? { expiredAt: r.endedAt } : { revokedAt: r.endedAt, revokedBy: by };
}

/** The account a grant lives in: the principal's, else the configured hub's. */
const accountOf = (arn: string, fallback: string) => /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1] ?? fallback;

/** One row from a request and its events. Break-glass and on-call fields are read defensively. */
export function auditRow(config: Pick<AccessConfig, "accountId">, h: RequestHistory): AuditRow {
  const r = h.request;
  const glass = r.breakGlass && typeof r.breakGlass.at === "string" ? r.breakGlass : undefined;
  const review = r.review && typeof r.review.by === "string" ? r.review : undefined;
  const onCall = r.onCall && typeof r.onCall.approved === "boolean" ? r.onCall : undefined;
  return {
    requestId: r.id,
    createdAt: r.createdAt,
    requester: r.requester.slackUserId,
    requesterEmail: r.requester.email,
    profile: r.profileId,
    // A grant in several accounts (issue 12) lists each, with its principal there, in one cell.
    account: grantTargets(r)
      .map((g) => accountOf(g.principal.arn, config.accountId))
      .join(" "),
    principal: grantTargets(r)
      .map((g) => g.principal.arn)
      .join(" "),
    status: r.status,
    reason: r.reason,
    ticket: r.ticket,
    requestedSeconds: r.durationSeconds,
    approvalsRequired: r.approvalsRequired,
    decisions: decisionsOf(r),
    breakGlass: glass ? { at: glass.at, reviewDueAt: glass.reviewDueAt } : undefined,
    review: review ? { outcome: review.outcome, by: review.by, at: review.at } : undefined,
    onCall: onCall
      ? { approved: onCall.approved, provider: onCall.provider, reason: onCall.reason }
      : undefined,
    grantedAt: r.grantedAt,
    expiresAt: r.expiresAt,
    ...endOf(r),
    failure: r.failure,
    sessions: sessionsOf(h.sessionEvents),
  };
}

/** Whether `person` (a Slack user ID or an email) asked for `r`. */
const askedBy = (r: AccessRequest, person: string) =>
  r.requester.slackUserId === person || r.requester.email?.toLowerCase() === person.toLowerCase();

/**
 * The audit of a window: ValidationError when the window is not one; an empty `rows` when nothing
 * was asked for in it (the caller says so).
 */
export async function auditReport(
  deps: {
    config: Pick<AccessConfig, "accountId">;
    store: Pick<RequestStore, "listCreated">;
    clock: { now(): Date };
  },
  input: AuditInput,
): Promise<AuditReport> {
  const window = auditWindow(input, deps.clock.now());
  const profile = input.profile?.trim() || undefined;
  const person = input.person?.trim() || undefined;
  const histories = await deps.store.listCreated(window.from, window.to);
  const rows = histories
    .filter((h) => (!profile || h.request.profileId === profile) && (!person || askedBy(h.request, person)))
    .map((h) => auditRow(deps.config, h));
  return { ...window, profile, person, rows };
}
