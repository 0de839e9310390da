/**
 * The audit channel: one line per lifecycle event, and one message per session notice. Session
 * notices carry what CloudTrail said (target, session id, the caller's ARN): AWS-supplied, so
 * escaped and capped like anything a person typed.
 */
import type { KnownBlock } from "@slack/types";
import type { AccessConfig } from "../../core/config/load.ts";
import { formatDuration } from "../../core/duration.ts";
import type { SessionNotice, SessionRecord } from "../../core/ports.ts";
import type { AccessRequest } from "../../core/request.ts";
import { label as accountLabel } from "../../core/usecases/in-account.ts";
import { clip, SHOWN, section, shown, slackTime, who } from "./mrkdwn.ts";
import { transcriptLine } from "./transcript-line.ts";

/** One line for the audit channel (posted as a message's text, so held to a section's size too). */
export function auditLine(type: string, r: AccessRequest, detail?: Record<string, unknown>): string {
  const base = `\`${shown(r.id, SHOWN.word)}\` ${who(r.requester.slackUserId)} · *${shown(r.profileId, SHOWN.word)}*`;
  const why = detail?.problem ?? detail?.failure ?? detail?.reason;
  const until = r.expiresAt && type === "granted" ? ` until ${slackTime(r.expiresAt)}` : "";
  const tail = why ? ` — ${shown(String(why), SHOWN.detail)}` : "";
  return clip(`${shown(type.toUpperCase(), SHOWN.word)} ${base}${until}${tail}`);
}

const OUTCOME_LABEL: Record<string, string> = {
  started: ":arrow_forward: Session started",
  ended: ":stop_button: Session ended",
  "no-grant": ":rotating_light: Session with no grant",
  "outside-grant": ":rotating_light: Session outside its grant",
  refused: ":no_entry_sign: Session refused",
};

/** The request line of a session notice: which grant, for what, and the requester's reason. */
function grantLine(r: AccessRequest): string {
  const ticket = r.ticket ? ` · ${shown(r.ticket, SHOWN.ticket)}` : "";
  const reason = shown(r.reason, SHOWN.reason) || "no reason given";
  return `Request \`${shown(r.id, SHOWN.word)}\` · *${shown(r.profileId, SHOWN.word)}* · ${reason}${ticket}`;
}

/**
 * The account a session notice names, as "staging (444455556666)": when the configuration spans
 * several accounts and the record says where the session ran (records from before issue 12 do not).
 */
export function sessionAccount(
  config: AccessConfig,
  s: Pick<SessionRecord, "accountId">,
): string | undefined {
  if (!s.accountId || Object.keys(config.accounts ?? {}).length === 0) return undefined;
  return accountLabel(config, s.accountId);
}

/**
 * The audit-channel message of a session notice: who, which node in which account, which request and
 * why, time left. `account` is the session's account as `sessionAccount` names it.
 */
export function sessionBlocks(
  n: SessionNotice,
  now: Date,
  account?: string,
): { text: string; blocks: KnownBlock[] } {
  const s = n.session;
  const label = OUTCOME_LABEL[n.outcome] ?? shown(n.outcome, SHOWN.word);
  const region = s.region ? ` (${shown(s.region, SHOWN.word)})` : "";
  const where = account ? ` in ${shown(account, SHOWN.word)}` : "";
  const node = `${s.target ? `\`${shown(s.target, SHOWN.target)}\`${region}` : "an unknown node"}${where}`;
  const id = shown(s.sessionId, SHOWN.sessionId);
  const r = n.request;
  const lines = [
    `*${label}* · \`${id}\` on ${node}`,
    `By ${r ? who(r.requester.slackUserId) : `\`${shown(n.actor, SHOWN.actor)}\``}`,
  ];
  if (r) {
    lines.push(grantLine(r));
    if (n.outcome === "started" && r.expiresAt) {
      const left = Math.max(0, (new Date(r.expiresAt).getTime() - now.getTime()) / 1000);
      lines.push(`Grant ends ${slackTime(r.expiresAt)} (${formatDuration(left)} left)`);
    }
  }
  if (n.outcome === "ended") {
    const duration =
      s.startedAt && s.endedAt
        ? formatDuration((new Date(s.endedAt).getTime() - new Date(s.startedAt).getTime()) / 1000)
        : undefined;
    lines.push(
      `Ended by ${shown(s.endReason, SHOWN.word) || "unknown"}${duration ? ` after ${duration}` : ""}`,
    );
    if (n.transcript) lines.push(transcriptLine(n.transcript));
  }
  if (n.detail) lines.push(shown(n.detail, SHOWN.detail));
  return { text: `${label.replace(/^:[a-z_]+: /, "")}: ${id}`, blocks: [section(lines.join("\n"))] };
}
