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

/** An access request as the store keeps it. Times are ISO 8601 strings. */
export interface AccessRequest {
  id: string;
  requester: Person;
  profileId: string;
  principal: Principal;
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
