/**
 * A made-up but faithful access history for the sandbox: requests in every status, break-glass
 * grants reviewed and not, on-call approvals, sessions on several nodes with their transcripts, a
 * few alerts. The same seed always makes the same history, so `jit audit` tests, the weekly
 * report's snapshot and the audit benchmark read one known past. Records and events have the
 * shapes the use cases write.
 */
import { BUILT_IN_DOCUMENTS } from "../core/config/constants.ts";
import type { AccessConfig } from "../core/config/load.ts";
import type { AlertRecord, AuditEvent } from "../core/ports.ts";
import { type Person, resolvePrincipal } from "../core/principal.ts";
import type { AccessRequest, HistoryEntry, OnCallDecision, Status } from "../core/request.ts";
import { describeTranscript, transcriptOf } from "../core/transcripts.ts";

/** The people who ask, by Slack user ID (the example config maps alice, bob and carol). */
export const HISTORY_PEOPLE: readonly Person[] = [
  { slackUserId: "U01ALICE", email: "alice@example.com" },
  { slackUserId: "U02BOB", email: "bob@example.com" },
  { slackUserId: "U06CAROL", email: "carol@example.com" },
  { slackUserId: "U09DAN", email: "dan@example.com" },
];

/** Nodes by profile, from the sandbox's example fleet. */
const NODES: Record<string, string[]> = {
  "prod-web": ["i-0web1000000000001", "i-0web2000000000002"],
  "prod-db": ["i-0db10000000000003", "i-0db20000000000004"],
  staging: ["i-0stg1000000000005"],
  sandbox: ["mi-0sbx100000000006"],
};

/** Every status, and twice a grant (ended by a person, and by its expiry). */
const OUTCOMES = [
  "REVOKED",
  "EXPIRED",
  "DENIED",
  "CANCELLED",
  "FAILED",
  "ACTIVE",
  "PENDING",
  "APPROVED",
  "REVOKED-EXPIRY",
];

/** Reasons people wrote, two of them shaped like spreadsheet formulas. */
const REASONS = [
  "disk full on web-3",
  "deploy stuck, see INC-42",
  '=HYPERLINK("http://evil.example","ok")',
  "rotate certs",
  "@SUM(1+1)",
  "db failover drill",
];

export interface SeedOptions {
  config: AccessConfig;
  /** How many requests (at least one per outcome when nine or more). */
  count: number;
  /** The first request's creation time; the others follow `everyMinutes` apart. */
  start: Date;
  everyMinutes?: number;
  /** The sandbox's transcript file of a session, as `Deps.transcriptFile`. */
  transcriptFile?: (sessionId: string) => string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

/** A request of the history with every audit event the use cases would have appended. */
export interface SeededRequest {
  request: AccessRequest;
  events: AuditEvent[];
}

/** One request of the history and its events; `i` picks its person, profile and outcome. */
function oneRequest(o: SeedOptions, i: number): SeededRequest {
  const outcome = OUTCOMES[i % OUTCOMES.length] as string;
  // The sandbox profile needs no approver: nobody denies it, and it never waits.
  const picked = Object.keys(NODES)[i % 4] ?? "staging";
  const waits = ["DENIED", "EXPIRED", "PENDING"].includes(outcome);
  const profileId = picked === "sandbox" && waits ? "staging" : picked;
  const profile = o.config.profiles[profileId];
  const requester = HISTORY_PEOPLE[Math.floor(i / 3) % HISTORY_PEOPLE.length] as Person;
  const created = o.start.getTime() + i * (o.everyMinutes ?? 60) * MIN;
  const id = `${iso(created).slice(0, 10).replaceAll("-", "")}-${i.toString(32).padStart(8, "0")}`;
  const approver = profile?.approvers[i % (profile?.approvers.length || 1)] ?? "U03DAVE";
  const auto = (profile?.approvalsRequired ?? 1) === 0;
  const breakGlass = i % 11 === 5 && ["ACTIVE", "REVOKED", "REVOKED-EXPIRY"].includes(outcome);
  // Every other prod-web request (i % 8 === 0) that got past approval came from someone on call at
  // level 1 of its PagerDuty schedule: approved at once, recorded as `createRequest` records it.
  const onCall: OnCallDecision | undefined =
    profileId === "prod-web" &&
    i % 8 === 0 &&
    !breakGlass &&
    !["DENIED", "CANCELLED", "EXPIRED", "PENDING"].includes(outcome)
      ? {
          approved: true,
          provider: "pagerduty",
          email: requester.email ?? "",
          schedule: "PWEBPRI",
          escalationPolicy: "PWEBPOL",
          level: 1,
          shiftEnd: iso(created + 6 * 60 * MIN),
          cappedToShift: false,
          checkedAt: iso(created),
        }
      : undefined;
  const history: HistoryEntry[] = [
    {
      at: iso(created),
      actor: requester.slackUserId,
      action: "requested",
      ...(onCall ? { detail: { onCall } } : {}),
    },
  ];
  const events: AuditEvent[] = [];
  const step = (minutes: number, actor: string, action: string, detail?: Record<string, unknown>) => {
    const entry = { at: iso(created + minutes * MIN), actor, action, detail };
    history.push(entry);
    return entry.at;
  };
  const r: AccessRequest = {
    id,
    requester,
    profileId,
    principal: resolvePrincipal(o.config, requester),
    durationSeconds: 3600,
    reason: REASONS[i % REASONS.length] ?? "",
    status: (outcome === "REVOKED-EXPIRY" ? "REVOKED" : outcome) as Status,
    createdAt: iso(created),
    approvals: [],
    approvalsRequired: onCall ? 0 : (profile?.approvalsRequired ?? 1),
    ...(onCall ? { onCall } : {}),
    history,
    version: 1,
  };
  if (outcome === "DENIED") {
    step(4, approver, "denied");
    Object.assign(r, {
      decidedBy: approver,
      denialReason: "use the runbook instead",
      endedAt: iso(created + 4 * MIN),
    });
  } else if (outcome === "CANCELLED") {
    Object.assign(r, {
      endedAt: step(3, requester.slackUserId, "cancelled"),
      endedBy: requester.slackUserId,
    });
  } else if (outcome === "EXPIRED") {
    r.endedAt = step(60, "workflow", "expired");
  } else if (outcome !== "PENDING") {
    if (breakGlass) {
      r.breakGlass = {
        at: iso(created),
        reviewDueAt: iso(created + 1440 * MIN),
        nextReminderAt: iso(created + 60 * MIN),
        remindersSent: 1,
      };
      if (i % 4 === 1) r.review = { outcome: "ok", by: approver, at: iso(created + 90 * MIN) };
      step(0, requester.slackUserId, "approved", { breakGlass: true });
    } else if (onCall) step(0, "on-call", "approved");
    else if (auto) step(0, "auto-approval", "approved");
    else {
      r.approvals = [{ approver, at: step(5, approver, "approved") }];
      r.decidedBy = approver;
    }
    if (outcome === "FAILED") {
      Object.assign(r, {
        failure: "QuotaExceededError: the grant would not fit",
        endedAt: step(6, "workflow", "failed"),
      });
    } else if (outcome !== "APPROVED") {
      r.grantedAt = step(6, "workflow", "active");
      r.expiresAt = iso(created + 66 * MIN);
      events.push(...sessions(o, r, i, created));
      if (outcome === "REVOKED") {
        Object.assign(r, {
          endedAt: step(50, requester.slackUserId, "revoked", { reason: "done early" }),
          endedBy: requester.slackUserId,
        });
      } else if (outcome === "REVOKED-EXPIRY") {
        Object.assign(r, {
          endedAt: step(66, "workflow", "revoked", { reason: "expired" }),
          endedBy: "workflow",
        });
      }
    }
  }
  // The audit log holds every status change, as `transition` writes it, plus the sessions.
  events.push(...history.map((h) => ({ requestId: id, ...h })));
  return { request: r, events: events.sort((a, b) => a.at.localeCompare(b.at)) };
}

/** One to three sessions inside the grant, on the profile's nodes; one in twelve still open. */
function sessions(o: SeedOptions, r: AccessRequest, i: number, created: number): AuditEvent[] {
  const nodes = NODES[r.profileId] ?? [];
  const documents = o.config.profiles[r.profileId]?.documents ?? [BUILT_IN_DOCUMENTS.shell];
  const out: AuditEvent[] = [];
  const actor = r.principal.arn;
  for (let k = 0; k < 1 + (i % 3); k++) {
    const sessionId = `${(r.requester.email ?? r.requester.slackUserId).split("@")[0]}-${(i * 7 + k).toString(16).padStart(17, "0")}`;
    const start = created + (8 + k * 12) * MIN;
    const target = nodes[(i + k) % nodes.length];
    out.push({
      requestId: r.id,
      at: iso(start),
      actor,
      action: "session-started",
      detail: { sessionId, target, region: "eu-west-1" },
    });
    if (r.status === "ACTIVE" && k === 0 && i % 12 === 5) continue;
    const document = documents[k % documents.length];
    const transcript = describeTranscript(
      transcriptOf(o.config, { sessionId, document, region: "eu-west-1" }, o.transcriptFile),
    );
    const end = start + (3 + ((i * 5 + k * 11) % 40)) * MIN;
    out.push({
      requestId: r.id,
      at: iso(end),
      actor,
      action: "session-ended",
      detail: { sessionId, reason: "exit or idle timeout", transcript },
    });
  }
  return out;
}

/** The history: `count` requests, oldest first. */
export const seededHistory = (o: SeedOptions): SeededRequest[] =>
  Array.from({ length: o.count }, (_, i) => oneRequest(o, i));

/** Sessions no grant explained, for the weekly report's drift section: one a day for `days` days. */
export const seededAlerts = (start: Date, days: number): AlertRecord[] =>
  Array.from({ length: days }, (_, d) => ({
    eventId: `seed-alert-${d}`,
    kind: d % 2 ? "outside-grant" : "no-grant",
    at: iso(start.getTime() + d * 1440 * MIN + 30 * MIN),
    actor: "arn:aws:sts::123456789012:assumed-role/ops-admin/mallory",
    target: "i-0ops1000000000007",
    detail: "a session while holding no grant: standing access outside this product",
  }));

/** Writes a history through the store, as the use cases would have (records, then their events). */
export async function writeHistory(
  store: { create(r: AccessRequest): Promise<void>; appendAudit(e: AuditEvent): Promise<void> },
  histories: readonly SeededRequest[],
): Promise<void> {
  for (const h of histories) {
    await store.create(h.request);
    for (const e of h.events) await store.appendAudit(e);
  }
}
