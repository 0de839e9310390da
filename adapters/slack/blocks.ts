/**
 * Block Kit views, pure: what people see in Slack for each moment of a request. Buttons carry only
 * the request id; every click is authorized again on the server from the stored record.
 */
import type { KnownBlock, View } from "@slack/types";
import type { Profile } from "../../core/config/load.ts";
import { formatDuration, parseDuration } from "../../core/duration.ts";
import { describeSelector } from "../../core/policy-summary.ts";
import type { SessionNotice } from "../../core/ports.ts";
import type { AccessRequest } from "../../core/request.ts";

export const ACTION = {
  approve: "approve",
  deny: "deny",
  extend: "extend",
  revokeNow: "revoke_now",
  cancel: "cancel",
  approveExtension: "approve_extension",
} as const;
export const VIEW = { request: "access_request", denyReason: "deny_reason" } as const;
export const BLOCK = {
  profile: "profile",
  duration: "duration",
  reason: "reason",
  ticket: "ticket",
  denyReason: "deny_reason",
} as const;

const text = (t: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text: t } });
const context = (t: string): KnownBlock => ({ type: "context", elements: [{ type: "mrkdwn", text: t }] });
const plain = (t: string) => ({ type: "plain_text" as const, text: t.slice(0, 75), emoji: true });

/** A time shown in the reader's own time zone by Slack, with a UTC fallback. */
export function slackTime(iso: string): string {
  const unix = Math.floor(new Date(iso).getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} at {time}|${iso.slice(0, 16).replace("T", " ")} UTC>`;
}

const who = (id: string) => `<@${id}>`;

/** The choices of the duration menu: common lengths up to the profile's maximum, and the maximum itself. */
export function durationChoices(profile: Profile): string[] {
  const steps = [900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400].filter(
    (s) => s <= profile.maxDurationSeconds,
  );
  if (!steps.includes(profile.maxDurationSeconds)) steps.push(profile.maxDurationSeconds);
  if (!steps.includes(profile.defaultDurationSeconds)) steps.push(profile.defaultDurationSeconds);
  return [...new Set(steps)].sort((a, b) => a - b).map(formatDuration);
}

/** The `/access` modal, offering only the profiles this person may request. */
export function requestModal(profiles: Profile[], privateMetadata = ""): View {
  const longest = profiles.reduce((max, p) => Math.max(max, p.maxDurationSeconds), 0);
  const durations = [...new Set(profiles.flatMap(durationChoices))].sort(
    (a, b) => parseDuration(a) - parseDuration(b),
  );
  const initial = durations.includes("1h") ? "1h" : (durations[0] ?? "1h");
  return {
    type: "modal",
    callback_id: VIEW.request,
    private_metadata: privateMetadata,
    title: plain("Request access"),
    submit: plain("Request"),
    close: plain("Cancel"),
    blocks: [
      {
        type: "input",
        block_id: BLOCK.profile,
        label: plain("Access profile"),
        element: {
          type: "static_select",
          action_id: "value",
          placeholder: plain("Choose what you need"),
          options: profiles
            .slice(0, 100)
            .map((p) => ({ text: plain(p.id), description: plain(p.description), value: p.id })),
        },
      },
      {
        type: "input",
        block_id: BLOCK.duration,
        label: plain("For how long"),
        hint: plain(`Up to each profile's maximum (at most ${formatDuration(longest)})`),
        element: {
          type: "static_select",
          action_id: "value",
          options: durations.map((d) => ({ text: plain(d), value: d })),
          initial_option: { text: plain(initial), value: initial },
        },
      },
      {
        type: "input",
        block_id: BLOCK.reason,
        label: plain("Reason"),
        optional: true,
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: 500 },
      },
      {
        type: "input",
        block_id: BLOCK.ticket,
        label: plain("Ticket"),
        optional: true,
        hint: plain("Some profiles need one, such as INC-1234"),
        element: { type: "plain_text_input", action_id: "value", max_length: 100 },
      },
    ],
  };
}

/** The modal an approver fills to deny, with the request it is about kept in its metadata. */
export function denyModal(requestId: string, message?: { channel: string; ts: string }): View {
  return {
    type: "modal",
    callback_id: VIEW.denyReason,
    private_metadata: JSON.stringify({ requestId, message }),
    title: plain("Deny access"),
    submit: plain("Deny"),
    close: plain("Back"),
    blocks: [
      {
        type: "input",
        block_id: BLOCK.denyReason,
        label: plain("Why?"),
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: 500 },
      },
    ],
  };
}

const summary = (r: AccessRequest, profile: Profile | undefined): string =>
  [
    `*${who(r.requester.slackUserId)}* asks for *${r.profileId}* for *${formatDuration(r.durationSeconds)}*`,
    profile
      ? `Nodes tagged \`${describeSelector(profile.tags)}\` in ${profile.regions.join(", ")}`
      : undefined,
    `Reason: ${r.reason || "_none given_"}${r.ticket ? `  ·  Ticket: ${r.ticket}` : ""}`,
  ]
    .filter(Boolean)
    .join("\n");

/** The approvals-channel message: live (with buttons) while pending, the outcome once decided. */
export function approvalMessage(
  r: AccessRequest,
  profile: Profile | undefined,
  nodeCount?: number,
): KnownBlock[] {
  const blocks: KnownBlock[] = [text(summary(r, profile))];
  const facts = [`Request \`${r.id}\``];
  if (nodeCount !== undefined) facts.push(`${nodeCount} node${nodeCount === 1 ? "" : "s"} match right now`);
  if (r.approvalsRequired > 1 || r.approvals.length > 0) {
    const by = r.approvals.map((a) => who(a.approver)).join(", ");
    facts.push(`${r.approvals.length} of ${r.approvalsRequired} approvals${by ? `: ${by}` : ""}`);
  }
  blocks.push(context(facts.join("  ·  ")));
  if (r.status === "PENDING") {
    blocks.push({
      type: "actions",
      block_id: "decision",
      elements: [
        { type: "button", action_id: ACTION.approve, text: plain("Approve"), style: "primary", value: r.id },
        { type: "button", action_id: ACTION.deny, text: plain("Deny"), style: "danger", value: r.id },
      ],
    });
  } else {
    blocks.push(text(outcomeLine(r)));
  }
  return blocks;
}

/** One line saying how a request was settled, by whom and when. */
export function outcomeLine(r: AccessRequest): string {
  const when = r.history.at(-1)?.at;
  const at = when ? ` ${slackTime(when)}` : "";
  switch (r.status) {
    case "APPROVED":
    case "ACTIVE":
    case "REVOKED":
      return `:white_check_mark: Approved by ${r.approvals.map((a) => who(a.approver)).join(", ") || "auto-approval"}${r.status === "REVOKED" ? ` (since revoked${at})` : at}`;
    case "DENIED":
      return `:no_entry: Denied by ${who(r.decidedBy ?? "?")}${at}: ${r.denialReason ?? ""}`;
    case "CANCELLED":
      return `:heavy_multiplication_x: Cancelled by the requester${at}`;
    case "EXPIRED":
      return `:hourglass: Nobody decided in time; the request expired${at}`;
    case "FAILED":
      return `:warning: Failed${at}: ${r.failure ?? "unknown error"}`;
    default:
      return r.status;
  }
}

/** The commands a person runs once access is active, one per node (at most `limit`). */
export function startSessionCommands(
  profile: Profile,
  nodes: { id: string; region: string }[],
  limit = 10,
): string[] {
  const doc = profile.documents.find((d) => d !== "SSM-SessionManagerRunShell");
  const extra = doc ? ` --document-name ${doc}` : "";
  return nodes
    .slice(0, limit)
    .map((n) => `aws ssm start-session --target ${n.id} --region ${n.region}${extra}`);
}

/** The direct message for a notice to the requester, or undefined when there is nothing to say. */
export function requesterMessage(
  type: string,
  r: AccessRequest,
  extra: { commands?: string[]; terminated?: string[]; reason?: string } = {},
): { text: string; blocks: KnownBlock[] } | undefined {
  const expiry = r.expiresAt ? slackTime(r.expiresAt) : "";
  switch (type) {
    case "approved":
      return {
        text: `Approved: ${r.profileId}`,
        blocks: [
          text(`:white_check_mark: Your request for *${r.profileId}* was approved; access is being granted.`),
        ],
      };
    case "denied":
      return {
        text: `Denied: ${r.profileId}`,
        blocks: [
          text(
            `:no_entry: Your request for *${r.profileId}* was denied by ${who(r.decidedBy ?? "?")}: ${r.denialReason ?? ""}`,
          ),
        ],
      };
    case "expired":
      return {
        text: `Expired: ${r.profileId}`,
        blocks: [
          text(
            `:hourglass: Nobody decided on your request for *${r.profileId}* in time. Ask again if you still need it.`,
          ),
        ],
      };
    case "granted": {
      const commands = extra.commands?.length
        ? `\n\`\`\`\n${extra.commands.join("\n")}\n\`\`\``
        : "\nNo matching node is online right now.";
      return {
        text: `Access active: ${r.profileId} until ${r.expiresAt}`,
        blocks: [
          text(`:unlock: Your access to *${r.profileId}* is active until ${expiry}.${commands}`),
          {
            type: "actions",
            elements: [
              {
                type: "button",
                action_id: ACTION.revokeNow,
                text: plain("I'm done — revoke now"),
                value: r.id,
              },
            ],
          },
        ],
      };
    }
    case "expiring":
      return {
        text: `Access to ${r.profileId} ends at ${r.expiresAt}`,
        blocks: [
          text(
            `:alarm_clock: Your access to *${r.profileId}* ends ${expiry}. Live sessions will be closed then.`,
          ),
          {
            type: "actions",
            elements: [
              { type: "button", action_id: ACTION.extend, text: plain("Extend 1h"), value: r.id },
              {
                type: "button",
                action_id: ACTION.revokeNow,
                text: plain("I'm done — revoke now"),
                value: r.id,
                style: "danger",
              },
            ],
          },
        ],
      };
    case "extended":
      return {
        text: `Extended: ${r.profileId}`,
        blocks: [text(`:arrows_counterclockwise: Your access to *${r.profileId}* now ends ${expiry}.`)],
      };
    case "revoked": {
      const sessions = extra.terminated?.length
        ? ` Closed sessions: ${extra.terminated.map((s) => `\`${s}\``).join(", ")}.`
        : "";
      return {
        text: `Revoked: ${r.profileId}`,
        blocks: [
          text(
            `:lock: Your access to *${r.profileId}* has ended${extra.reason ? ` (${extra.reason})` : ""}.${sessions}`,
          ),
        ],
      };
    }
    case "failed":
      return {
        text: `Failed: ${r.profileId}`,
        blocks: [
          text(
            `:warning: Your request for *${r.profileId}* failed: ${r.failure ?? extra.reason ?? "unknown error"}. Nothing was left attached.`,
          ),
        ],
      };
    default:
      return undefined;
  }
}

/** An extension waiting for an approver, posted in the approvals channel. */
export function extensionMessage(r: AccessRequest): KnownBlock[] {
  const to = r.pendingExtension?.expiresAt;
  return [
    text(
      `${who(r.requester.slackUserId)} asks to extend *${r.profileId}* (\`${r.id}\`) until ${to ? slackTime(to) : "?"}.`,
    ),
    {
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: ACTION.approveExtension,
          text: plain("Approve extension"),
          style: "primary",
          value: r.id,
        },
      ],
    },
  ];
}

/** One line for the audit channel. */
export function auditLine(type: string, r: AccessRequest, detail?: Record<string, unknown>): string {
  const base = `\`${r.id}\` ${who(r.requester.slackUserId)} · *${r.profileId}*`;
  const why = detail?.problem ?? detail?.failure ?? detail?.reason;
  return `${type.toUpperCase()} ${base}${r.expiresAt && type === "granted" ? ` until ${slackTime(r.expiresAt)}` : ""}${why ? ` — ${String(why)}` : ""}`;
}

/** App Home: my grants and requests, and for approvers what waits for them. */
export function homeView(mine: AccessRequest[], waiting: AccessRequest[], now: Date): View {
  const blocks: KnownBlock[] = [{ type: "header", text: plain("Just-in-time server access") }];
  const active = mine.filter((r) => r.status === "ACTIVE");
  const pending = mine.filter((r) => r.status === "PENDING");
  blocks.push(text("*My active grants*"));
  if (active.length === 0) blocks.push(context("None. Type `/access` to ask for some."));
  for (const r of active) {
    const left = r.expiresAt
      ? formatDuration(Math.max(0, (new Date(r.expiresAt).getTime() - now.getTime()) / 1000))
      : "?";
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${r.profileId}* · \`${r.id}\` · ${left} left (until ${r.expiresAt ? slackTime(r.expiresAt) : "?"})`,
      },
      accessory: {
        type: "button",
        action_id: ACTION.revokeNow,
        text: plain("Revoke now"),
        value: r.id,
        style: "danger",
      },
    });
  }
  blocks.push(text("*My pending requests*"));
  if (pending.length === 0) blocks.push(context("None."));
  for (const r of pending) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${r.profileId}* · \`${r.id}\` · ${r.approvals.length} of ${r.approvalsRequired} approvals`,
      },
      accessory: { type: "button", action_id: ACTION.cancel, text: plain("Cancel"), value: r.id },
    });
  }
  if (waiting.length > 0) {
    blocks.push({ type: "divider" }, text("*Waiting for your approval*"));
    for (const r of waiting) {
      blocks.push(text(summary(r, undefined)), {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ACTION.approve,
            text: plain("Approve"),
            style: "primary",
            value: r.id,
          },
          { type: "button", action_id: ACTION.deny, text: plain("Deny"), style: "danger", value: r.id },
        ],
      });
    }
  }
  return { type: "home", blocks: blocks.slice(0, 100) };
}

export const HELP = [
  "*/access* opens the request form.",
  "*/access <profile> <duration> [ticket] <reason…>* asks directly, e.g. `/access prod-web 1h INC-123 disk full on web-3`.",
  "*/access list* shows your requests and grants.",
  "*/access extend <id> <duration>* asks for more time.",
  "*/access revoke <id>* ends a grant now; *`/access cancel <id>`* withdraws a pending request.",
].join("\n");

const OUTCOME_LABEL: Record<string, string> = {
  started: ":arrow_forward: Session started",
  ended: ":stop_button: Session ended",
  "no-grant": ":rotating_light: Session with no grant",
  "outside-grant": ":rotating_light: Session outside its grant",
  refused: ":no_entry_sign: Session refused",
};

/** The audit-channel message of a session notice: who, which node, which request and why, time left. */
export function sessionBlocks(n: SessionNotice, now: Date): { text: string; blocks: KnownBlock[] } {
  const s = n.session;
  const label = OUTCOME_LABEL[n.outcome] ?? n.outcome;
  const node = s.target ? `\`${s.target}\`${s.region ? ` (${s.region})` : ""}` : "an unknown node";
  const r = n.request;
  const lines = [
    `*${label}* · \`${s.sessionId}\` on ${node}`,
    `By ${r ? who(r.requester.slackUserId) : `\`${n.actor}\``}`,
  ];
  if (r) {
    const left = r.expiresAt
      ? Math.max(0, (new Date(r.expiresAt).getTime() - now.getTime()) / 1000)
      : undefined;
    lines.push(
      `Request \`${r.id}\` · *${r.profileId}* · ${r.reason || "no reason given"}${r.ticket ? ` · ${r.ticket}` : ""}`,
    );
    if (n.outcome === "started" && left !== undefined)
      lines.push(`Grant ends ${r.expiresAt ? slackTime(r.expiresAt) : "?"} (${formatDuration(left)} left)`);
  }
  if (n.outcome === "ended") {
    const duration =
      s.startedAt && s.endedAt
        ? formatDuration((new Date(s.endedAt).getTime() - new Date(s.startedAt).getTime()) / 1000)
        : undefined;
    lines.push(`Ended by ${s.endReason ?? "unknown"}${duration ? ` after ${duration}` : ""}`);
  }
  if (n.detail) lines.push(n.detail);
  return { text: `${label.replace(/^:[a-z_]+: /, "")}: ${s.sessionId}`, blocks: [text(lines.join("\n"))] };
}
