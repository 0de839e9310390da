/**
 * The weekly access report: who had access to what last week, how it was decided, what was done with
 * it, and what no grant explains. Built from the same read as `jit audit` (one query per creation
 * day) plus the session alerts. Pure over the store and the session log; where it goes is an outlet.
 */
import { type AlertRecord, type Deps, DRIFT_KINDS } from "./ports.ts";
import { type AuditRow, auditReport } from "./usecases/audit.ts";

const WEEK_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;
/** How many entries each list of the report keeps; the rows hold everything. */
export const REPORT_TOP = 10;

/** The alerts that mean access outside this product (standing access drift). */

export interface WeeklyReport {
  kind: "jit-weekly-access-report";
  from: string;
  to: string;
  account: string;
  totals: {
    requests: number;
    granted: number;
    approvedByApprovers: number;
    autoApproved: number;
    onCall: number;
    breakGlass: number;
    denied: number;
    expired: number;
    cancelled: number;
    failed: number;
    sessions: number;
    driftAlerts: number;
    refusedAttempts: number;
  };
  grantsPerProfile: { profile: string; grants: number; people: number }[];
  people: { person: string; requests: number; grants: number; sessions: number; sessionSeconds: number }[];
  breakGlass: {
    requestId: string;
    person: string;
    profile: string;
    at: string;
    reviewed: boolean;
    review?: string;
  }[];
  denied: { requestId: string; person: string; profile: string; by: string; reason?: string | undefined }[];
  expired: { requestId: string; person: string; profile: string; at?: string | undefined }[];
  longestSessions: {
    requestId: string;
    person: string;
    profile: string;
    node?: string | undefined;
    sessionId: string;
    startedAt?: string | undefined;
    durationSeconds: number;
    transcript?: string | undefined;
  }[];
  driftAlerts: AlertRecord[];
  /** Every request of the week, as `jit audit --format json` prints them. */
  requests: AuditRow[];
}

/** The week a report sent at `now` covers: the seven days before the hour it runs in. */
export function reportWeek(now: Date): { from: string; to: string } {
  const to = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return { from: new Date(to - WEEK_MS).toISOString(), to: new Date(to).toISOString() };
}

const personOf = (r: AuditRow) => r.requesterEmail ?? r.requester;
const count = <T>(items: readonly T[], test: (t: T) => boolean) => items.filter(test).length;

/** Builds the report of the week before `deps.clock.now()`. */
export async function buildWeeklyReport(
  deps: Pick<Deps, "config" | "store" | "sessionLog" | "clock">,
): Promise<WeeklyReport> {
  const week = reportWeek(deps.clock.now());
  // The week's alerts only, read by their range: the alert partition grows for as long as the stack runs.
  const [{ rows }, inWeek] = await Promise.all([auditReport(deps, week), deps.sessionLog.listAlerts(week)]);
  const drift = inWeek.filter((a) => DRIFT_KINDS.includes(a.kind)).sort((a, b) => a.at.localeCompare(b.at));
  const granted = rows.filter((r) => r.grantedAt);
  const decided = (kind: string) => count(rows, (r) => r.decisions.some((d) => d.decision === kind));
  const profiles = [...new Set(granted.map((r) => r.profile))].sort();
  const people = [...new Set(rows.map(personOf))].sort();
  const sessions = rows.flatMap((r) => r.sessions.map((s) => ({ r, s })));
  return {
    kind: "jit-weekly-access-report",
    ...week,
    account: deps.config.accountId,
    totals: {
      requests: rows.length,
      granted: granted.length,
      approvedByApprovers: decided("approved"),
      autoApproved: decided("auto-approved"),
      onCall: decided("on-call"),
      breakGlass: count(rows, (r) => r.breakGlass !== undefined),
      denied: count(rows, (r) => r.status === "DENIED"),
      expired: count(rows, (r) => r.status === "EXPIRED"),
      cancelled: count(rows, (r) => r.status === "CANCELLED"),
      failed: count(rows, (r) => r.status === "FAILED"),
      sessions: sessions.length,
      driftAlerts: drift.length,
      refusedAttempts: count(inWeek, (a) => a.kind === "refused"),
    },
    grantsPerProfile: profiles.map((profile) => {
      const of = granted.filter((r) => r.profile === profile);
      return { profile, grants: of.length, people: new Set(of.map(personOf)).size };
    }),
    people: people.map((person) => {
      const of = rows.filter((r) => personOf(r) === person);
      const theirs = of.flatMap((r) => r.sessions);
      return {
        person,
        requests: of.length,
        grants: count(of, (r) => r.grantedAt !== undefined),
        sessions: theirs.length,
        sessionSeconds: theirs.reduce((n, s) => n + (s.durationSeconds ?? 0), 0),
      };
    }),
    breakGlass: rows.flatMap((r) =>
      r.breakGlass
        ? [
            {
              requestId: r.requestId,
              person: personOf(r),
              profile: r.profile,
              at: r.breakGlass.at,
              reviewed: r.review !== undefined,
              ...(r.review ? { review: `${r.review.outcome} by ${r.review.by}` } : {}),
            },
          ]
        : [],
    ),
    denied: rows
      .filter((r) => r.status === "DENIED")
      .map((r) => {
        const d = r.decisions.find((x) => x.decision === "denied");
        return {
          requestId: r.requestId,
          person: personOf(r),
          profile: r.profile,
          by: d?.by ?? "-",
          reason: d?.reason,
        };
      }),
    expired: rows
      .filter((r) => r.status === "EXPIRED")
      .map((r) => ({ requestId: r.requestId, person: personOf(r), profile: r.profile, at: r.expiredAt })),
    longestSessions: sessions
      .filter(({ s }) => s.durationSeconds !== undefined)
      .sort(
        (a, b) =>
          (b.s.durationSeconds ?? 0) - (a.s.durationSeconds ?? 0) ||
          a.s.sessionId.localeCompare(b.s.sessionId),
      )
      .slice(0, REPORT_TOP)
      .map(({ r, s }) => ({
        requestId: r.requestId,
        person: personOf(r),
        profile: r.profile,
        node: s.node,
        sessionId: s.sessionId,
        startedAt: s.startedAt,
        durationSeconds: s.durationSeconds ?? 0,
        transcript: s.transcript,
      })),
    driftAlerts: drift,
    requests: rows,
  };
}

/** Where the report goes: a summary for the audit channel, the whole of it for the topic. */
export interface ReportOutlets {
  postSummary(report: WeeklyReport): Promise<void>;
  publishFull(report: WeeklyReport): Promise<void>;
}

/**
 * Builds the week's report and sends it to both outlets. One outlet failing does not keep the
 * other from its copy; the failure is then thrown, so the run shows as failed (and its retry may
 * post the summary again: a duplicate is better than a week nobody saw).
 */
export async function sendWeeklyReport(
  deps: Pick<Deps, "config" | "store" | "sessionLog" | "clock">,
  outlets: ReportOutlets,
): Promise<WeeklyReport> {
  const report = await buildWeeklyReport(deps);
  const results = await Promise.allSettled([outlets.postSummary(report), outlets.publishFull(report)]);
  const failed = results.flatMap((r, i) =>
    r.status === "rejected" ? [`${i === 0 ? "Slack" : "SNS"}: ${String(r.reason)}`] : [],
  );
  if (failed.length > 0) throw new Error(`weekly report not delivered everywhere: ${failed.join("; ")}`);
  return report;
}
