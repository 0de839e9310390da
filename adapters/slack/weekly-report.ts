/**
 * The weekly access report in the audit channel: the week's numbers first, then the lists an
 * auditor asks about (grants per profile, people, break-glass and its review, denials, expiries,
 * the longest sessions, sessions no grant explains). Every list is capped; the full report is on
 * the SNS topic and `jit audit` prints every request. Outside strings are escaped and capped.
 */
import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { formatDuration } from "../../core/duration.ts";
import { REPORT_TOP, type ReportOutlets, type WeeklyReport } from "../../core/report.ts";
import { context, more, plain, SHOWN, section, shown, slackTime } from "./mrkdwn.ts";

const day = (iso: string) => iso.slice(0, 10);

/** A capped bullet list, with "…and N more" when it was cut. */
function list<T>(items: readonly T[], line: (t: T) => string, what: string, none: string): string {
  if (items.length === 0) return `_${none}_`;
  const lines = items.slice(0, REPORT_TOP).map((t) => `• ${line(t)}`);
  if (items.length > REPORT_TOP) lines.push(`…and ${more(items.length - REPORT_TOP, what)}`);
  return lines.join("\n");
}

const id = (requestId: string) => `\`${shown(requestId, SHOWN.word)}\``;
const person = (p: string) => shown(p, SHOWN.word);

/** The summary message: fallback text and blocks (well under Slack's 50). */
export function weeklyReportMessage(r: WeeklyReport): { text: string; blocks: KnownBlock[] } {
  const t = r.totals;
  const title = `Weekly access report, ${day(r.from)} to ${day(r.to)}`;
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(title, 150) },
    section(
      [
        `*${t.requests}* requests, *${t.granted}* granted in account \`${shown(r.account, SHOWN.word)}\``,
        `Decided by approvers *${t.approvedByApprovers}* · auto-approved *${t.autoApproved}* · on call *${t.onCall}* · break-glass *${t.breakGlass}*`,
        `Denied *${t.denied}* · expired unapproved *${t.expired}* · cancelled *${t.cancelled}* · failed *${t.failed}*`,
        `Sessions *${t.sessions}* · sessions no grant explains *${t.driftAlerts}* · refused attempts *${t.refusedAttempts}*`,
      ].join("\n"),
    ),
    section(
      `*Grants per profile*\n${list(r.grantsPerProfile, (g) => `*${shown(g.profile, SHOWN.word)}*: ${g.grants} grant${g.grants === 1 ? "" : "s"} to ${g.people} ${g.people === 1 ? "person" : "people"}`, "profile", "no grants this week")}`,
    ),
    section(
      `*People*\n${list(r.people, (p) => `${person(p.person)}: ${p.requests} requested, ${p.grants} granted, ${p.sessions} sessions (${formatDuration(p.sessionSeconds)})`, "person", "nobody asked for access")}`,
    ),
    section(
      `*Break-glass*\n${list(r.breakGlass, (b) => `${id(b.requestId)} ${person(b.person)} · ${shown(b.profile, SHOWN.word)} · ${b.reviewed ? `reviewed: ${shown(b.review, SHOWN.detail)}` : ":warning: *not reviewed*"}`, "break-glass grant", "none")}`,
    ),
    section(
      `*Denied*\n${list(r.denied, (d) => `${id(d.requestId)} ${person(d.person)} · ${shown(d.profile, SHOWN.word)} · by ${person(d.by)}${d.reason ? `: ${shown(d.reason, 200)}` : ""}`, "denial", "none")}`,
    ),
    section(
      `*Expired before anyone decided*\n${list(r.expired, (e) => `${id(e.requestId)} ${person(e.person)} · ${shown(e.profile, SHOWN.word)}`, "request", "none")}`,
    ),
    section(
      `*Longest sessions*\n${list(r.longestSessions, (s) => `${formatDuration(s.durationSeconds)} · ${person(s.person)} on \`${shown(s.node ?? "?", SHOWN.target)}\` · ${id(s.requestId)}${s.startedAt ? ` · ${slackTime(s.startedAt)}` : ""}`, "session", "no sessions")}`,
    ),
    section(
      `*Standing-access drift* (sessions no grant explains)\n${list(r.driftAlerts, (a) => `${slackTime(a.at)} · ${shown(a.kind, SHOWN.word)} · \`${shown(a.actor, SHOWN.actor)}\`${a.target ? ` on \`${shown(a.target, SHOWN.target)}\`` : ""}`, "alert", "none: every session had a grant")}`,
    ),
    context(
      `Every request: \`jit audit --from ${r.from} --to ${r.to}\`. The full report is on the SNS topic as JSON.`,
    ),
  ];
  return { text: title, blocks };
}

/** Posts the summary to the audit channel. */
export class SlackReportPoster implements Pick<ReportOutlets, "postSummary"> {
  private readonly client: WebClient;
  private readonly channel: string;

  constructor(client: WebClient, channel: string) {
    this.client = client;
    this.channel = channel;
  }

  async postSummary(report: WeeklyReport): Promise<void> {
    await this.client.chat.postMessage({ channel: this.channel, ...weeklyReportMessage(report) });
  }
}
