/**
 * The access request: its statuses, the transitions the lifecycle allows, and the record shape the
 * store keeps. Every status change goes through `assertTransition`, so a request never moves backwards.
 */
import { IllegalTransitionError } from "./errors.ts";
import type { Person, Principal } from "./principal.ts";

export const STATUSES = [
  "PENDING",
  "APPROVED",
  "ACTIVE",
  "REVOKED",
  "DENIED",
  "EXPIRED",
  "CANCELLED",
  "FAILED",
] as const;
export type Status = (typeof STATUSES)[number];

const TRANSITIONS: Record<Status, readonly Status[]> = {
  PENDING: ["APPROVED", "DENIED", "EXPIRED", "CANCELLED", "FAILED"],
  // Revoked before the grant landed (admin revoke while the workflow is between states).
  APPROVED: ["ACTIVE", "FAILED", "REVOKED"],
  ACTIVE: ["REVOKED", "FAILED"],
  REVOKED: [],
  DENIED: [],
  EXPIRED: [],
  CANCELLED: [],
  FAILED: [],
};

/** A status no event can move on from. */
export const isTerminal = (status: Status): boolean => TRANSITIONS[status].length === 0;

/** Whether the lifecycle allows `from` → `to`. */
export const canTransition = (from: Status, to: Status): boolean => TRANSITIONS[from].includes(to);

/** Throws IllegalTransitionError unless the lifecycle allows `from` → `to`. */
export function assertTransition(from: Status, to: Status): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** One approver's decision, counted once per approver. */
export interface Approval {
  approver: string;
  at: string;
}

/** One status change, kept inside the record so it is written atomically with the status. */
export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  detail?: Record<string, unknown> | undefined;
}

/** The on-call providers a profile may consult. */
export type OnCallProvider = "pagerduty" | "opsgenie";

/**
 * What the on-call lookup decided at request time. `approved` true only when the provider answered,
 * the answer parsed, and the requester was on call at a counted level; otherwise `reason` says why
 * the request waits for approvers (an error never approves).
 */
export interface OnCallDecision {
  approved: boolean;
  provider: OnCallProvider;
  /** The requester's email as it was looked up. */
  email: string;
  /** The schedule (or, for PagerDuty, escalation policy) id the requester was found on call in. */
  schedule?: string | undefined;
  escalationPolicy?: string | undefined;
  /** The escalation level (PagerDuty); Opsgenie schedules have none. */
  level?: number | undefined;
  /** When the requester's on-call shift ends, when the provider says. */
  shiftEnd?: string | undefined;
  /** The grant was shortened to end with the shift (profile `capToShift`). */
  cappedToShift?: boolean | undefined;
  /** Why the request was not approved as on call (not on call, provider error, timeout, …). */
  reason?: string | undefined;
  checkedAt: string;
}

/** A break-glass grant: when it was declared and where its after-the-fact review stands. */
export interface BreakGlass {
  at: string;
  /** The end of the review window: unreviewed past it, the alarm goes off. */
  reviewDueAt: string;
  /** The next reminder to the approvers, while the review waits. */
  nextReminderAt: string;
  remindersSent: number;
  /** When the unreviewed-past-window alarm and escalation were raised (once). */
  escalatedAt?: string | undefined;
}

/** Who reviewed a break-glass grant and what they decided. */
export interface BreakGlassReview {
  outcome: "ok" | "revoked";
  by: string;
  at: string;
}

/** An access request as the store keeps it. Times are ISO 8601 strings. */
/**
 * One account a request grants in, with the requester's principal there (issue 12). A profile that
 * spans several accounts grants in each; the account is the one in the principal's ARN.
 */
export interface AccountGrant {
  accountId: string;
  principal: Principal;
}

export interface AccessRequest {
  id: string;
  requester: Person;
  profileId: string;
  /** The principal in the first account the request grants in (the only one before issue 12). */
  principal: Principal;
  /**
   * Every account the request grants in, with the principal there, decided when it was made from the
   * profile's accounts. Absent on records from before issue 12: the one account of `principal`.
   */
  grants?: AccountGrant[] | undefined;
  durationSeconds: number;
  reason: string;
  ticket?: string | undefined;
  status: Status;
  createdAt: string;
  approvals: Approval[];
  approvalsRequired: number;
  decidedBy?: string | undefined;
  denialReason?: string | undefined;
  grantedAt?: string | undefined;
  expiresAt?: string | undefined;
  endedAt?: string | undefined;
  endedBy?: string | undefined;
  failure?: string | undefined;
  /** An extension waiting for an approver: the expiry it asks for. */
  pendingExtension?: { expiresAt: string; requestedBy: string; at: string } | undefined;
  /** Where the approvals-channel message lives, so it can be updated in place. */
  approvalMessage?: { channel: string; ts: string } | undefined;
  /** The approval step's task token; kept only in the record, never in a Slack button. */
  taskToken?: string | undefined;
  /**
   * The on-call lookup made once, when the request was created (profiles with `onCall`): approved,
   * or why not. Absent when the profile has no on-call rule or the request is break-glass.
   */
  onCall?: OnCallDecision | undefined;
  /** Set on a break-glass request: granted without approvers, to be reviewed after the fact. */
  breakGlass?: BreakGlass | undefined;
  /** The after-the-fact review of a break-glass grant; absent while it waits for one. */
  review?: BreakGlassReview | undefined;
  /** Every status change so far, oldest first (the audit log has these and everything else). */
  history: HistoryEntry[];
  /** Bumped by every write; conditional writes compare it. */
  version: number;
}

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A short, readable, sortable request id: the UTC date, then 8 random characters (40 bits), e.g.
 * `20261126-k3x9qa7m`. It names the policy (`jit-<id>`) and the workflow execution.
 */
export function newRequestId(now: Date, random: () => number = Math.random): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "");
  let suffix = "";
  for (let i = 0; i < 8; i++) suffix += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? "0";
  return `${day}-${suffix}`;
}

/** Request ids are what `newRequestId` makes; anything else is refused at the edge. */
export const REQUEST_ID = /^\d{8}-[0-9a-z]{8}$/;
