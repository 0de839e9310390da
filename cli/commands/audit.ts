/**
 * `jit audit`: every request made in a window, for an auditor to read (a table), load (JSON Lines)
 * or take away (CSV). Times are UTC throughout: an audit is read in other time zones than it is run.
 */
import { formatDuration } from "../../core/duration.ts";
import type { AuditReport, AuditRow, AuditSession } from "../../core/usecases/audit.ts";
import { auditWindow } from "../../core/usecases/audit-window.ts";
import { toCsv } from "../csv.ts";
import { nowOf, paintStatus, table } from "../format.ts";
import type { Io } from "../io.ts";
import { callSandbox } from "../sandbox-client.ts";

export type AuditFormat = "table" | "json" | "csv";

export interface AuditOptions {
  since?: string;
  from?: string;
  to?: string;
  profile?: string;
  person?: string;
  format?: AuditFormat;
  json?: boolean;
}

/** "2026-11-29 14:05:09Z": an instant anyone can place, whatever their zone. */
const utc = (iso: string | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z` : "-");

// Text people typed reaches the terminal: control characters (escape sequences) are not passed on.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters being removed
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");

/** Who decided, in words: "approved by U03DAVE", "break-glass (not reviewed)". */
const decisionText = (r: AuditRow, none = "-") => {
  const parts = r.decisions.map((d) =>
    d.decision === "approved" || d.decision === "denied" ? `${d.decision} by ${d.by}` : d.decision,
  );
  if (r.breakGlass) parts.push(r.review ? `reviewed ${r.review.outcome} by ${r.review.by}` : "not reviewed");
  return parts.join(", ") || none;
};

const endText = (r: AuditRow) =>
  r.revokedAt
    ? `revoked by ${r.revokedBy} ${utc(r.revokedAt)}`
    : r.expiredAt
      ? `expired ${utc(r.expiredAt)}`
      : "-";

const duration = (s: AuditSession) =>
  s.durationSeconds === undefined ? "open" : formatDuration(s.durationSeconds);

const sessionText = (s: AuditSession) =>
  `${s.sessionId} on ${s.node ?? "?"} ${utc(s.startedAt)} to ${utc(s.endedAt)} (${duration(s)}): ${s.transcript ?? "no transcript yet"}`;

/** The spreadsheet's columns: one row per request, its sessions in one cell. */
const CSV_HEADER = [
  "request_id",
  "created_at",
  "requester",
  "requester_email",
  "profile",
  "account",
  "principal",
  "status",
  "reason",
  "ticket",
  "requested",
  "approvals_required",
  "decisions",
  "break_glass_at",
  "review",
  "granted_at",
  "expires_at",
  "expired_at",
  "revoked_at",
  "revoked_by",
  "failure",
  "session_count",
  "sessions",
];

const csvRow = (r: AuditRow) => [
  r.requestId,
  r.createdAt,
  r.requester,
  r.requesterEmail,
  r.profile,
  r.account,
  r.principal,
  r.status,
  r.reason,
  r.ticket,
  formatDuration(r.requestedSeconds),
  r.approvalsRequired,
  decisionText(r, ""),
  r.breakGlass?.at,
  r.review ? `${r.review.outcome} by ${r.review.by} at ${r.review.at}` : undefined,
  r.grantedAt,
  r.expiresAt,
  r.expiredAt,
  r.revokedAt,
  r.revokedBy,
  r.failure,
  r.sessions.length,
  r.sessions.map(sessionText).join("; "),
];

/** What the window held nothing of, in words. */
function nothing(report: AuditReport): string {
  const filters = [report.profile && `for profile ${report.profile}`, report.person && `by ${report.person}`];
  const which = filters.filter(Boolean).join(" ");
  return `No requests${which ? ` ${which}` : ""} were made between ${utc(report.from)} and ${utc(report.to)}.`;
}

function renderTable(report: AuditReport, io: Io): string[] {
  const rows = report.rows.map((r) => [
    r.requestId,
    utc(r.createdAt),
    r.requesterEmail ?? r.requester,
    r.profile,
    paintStatus(r.status, io),
    decisionText(r),
    utc(r.grantedAt),
    endText(r),
    String(r.sessions.length),
    printable(r.reason || "-"),
  ]);
  const lines = [`${report.rows.length} request(s) made between ${utc(report.from)} and ${utc(report.to)}:`];
  lines.push(
    ...table(
      [
        "ID",
        "CREATED",
        "REQUESTER",
        "PROFILE",
        "STATUS",
        "DECISIONS",
        "GRANTED",
        "ENDED",
        "SESSIONS",
        "REASON",
      ],
      rows,
      io,
    ),
  );
  const sessions = report.rows.flatMap((r) =>
    r.sessions.map((s) => [
      r.requestId,
      s.node ?? "?",
      utc(s.startedAt),
      utc(s.endedAt),
      duration(s),
      printable(s.transcript ?? "-"),
    ]),
  );
  if (sessions.length > 0) {
    lines.push("", "Sessions:");
    lines.push(...table(["REQUEST", "NODE", "STARTED", "ENDED", "DURATION", "TRANSCRIPT"], sessions, io));
  }
  return lines;
}

/** Prints the audit of a window; a window with nothing in it says so (on stderr for machine formats). */
export async function auditCommand(o: AuditOptions, io: Io): Promise<number> {
  if (o.json && o.format && o.format !== "json") {
    io.err(`jit: --json and --format ${o.format} disagree: use one of them`);
    return 2;
  }
  const format: AuditFormat = o.json ? "json" : (o.format ?? "table");
  // Checked here first, so a mistyped flag is answered without a round trip.
  const window = auditWindow(o, nowOf(io));
  const query = new URLSearchParams({
    ...window,
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.person ? { person: o.person } : {}),
  });
  const report = await callSandbox<AuditReport>("GET", `/audit?${query}`);
  if (format === "json") {
    if (report.rows.length === 0) io.err(nothing(report));
    else io.out(report.rows.map((r) => JSON.stringify(r)).join("\n"));
  } else if (format === "csv") {
    // io.out ends the text with LF: the last record's CR comes first, so every record ends CRLF.
    io.out(toCsv(CSV_HEADER, report.rows.map(csvRow)).slice(0, -1));
    if (report.rows.length === 0) io.err(nothing(report));
  } else {
    io.out(report.rows.length === 0 ? nothing(report) : renderTable(report, io).join("\n"));
  }
  return 0;
}
