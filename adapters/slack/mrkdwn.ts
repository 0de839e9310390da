/**
 * Slack's limits and the one way any outside string reaches a message: escaped, on one line and
 * capped. Reasons, tickets, denials, failures, CloudTrail targets and session ids come from people
 * or from AWS; nothing of them may become a mention, a link, code, or a line of its own.
 */
import type { KnownBlock } from "@slack/types";

/**
 * Block Kit's documented limits (looked up 2026-11-29):
 * - docs.slack.dev/reference/block-kit/blocks: "up to 50 blocks in each message, and 100 blocks in
 *   modals or Home tabs";
 * - docs.slack.dev/reference/block-kit/blocks/section-block: a section's text "maximum length is
 *   3000 characters";
 * - select menus take at most 100 `options` (Slack answers more with "no more than 100 items
 *   allowed [json-pointer:/view/blocks/0/element/options]", slackapi/bolt-js#2094);
 * - docs.slack.dev/reference/block-kit/composition-objects/option-group-object: at most 100 option
 *   groups, each "Maximum of 100 items", a label of at most 75 characters (that it is per group,
 *   not in all, is what people see in practice: slackapi/bolt-js#1630, #1496);
 * - option text and button text: at most 75 characters.
 */
export const SLACK_LIMITS = {
  sectionText: 3000,
  messageBlocks: 50,
  viewBlocks: 100,
  selectOptions: 100,
  optionGroups: 100,
  shortText: 75,
} as const;

/** How much of each outside string a message shows, in characters after escaping. */
export const SHOWN = {
  reason: 700,
  ticket: 120,
  failure: 500,
  detail: 600,
  target: 150,
  sessionId: 150,
  actor: 250,
  word: 80,
} as const;

/**
 * Slack parses `&`, `<` and `>` as control characters and asks for them as HTML entities
 * (docs.slack.dev/messaging/formatting-message-text, "Escaping text"). Mrkdwn has no escape for a
 * backtick, so it becomes a look-alike that opens no code span.
 */
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "ˋ" };

/**
 * Line breaks, tabs and other control or separator characters collapse to one space: a reason
 * "disk full\n*Pre-approved by* @boss" stays inside its own "Reason:" line instead of forging one.
 */
const BREAKS = /[\s\p{Cc}\p{Zl}\p{Zp}]+/gu;

/** An outside string made safe for mrkdwn: one line, escaped, at most `max` characters (with "…"). */
export function shown(value: string | undefined | null, max: number): string {
  if (!value) return "";
  const pieces = [...value.replace(BREAKS, " ").trim()].map((ch) => ESCAPES[ch] ?? ch);
  let out = "";
  for (const [i, piece] of pieces.entries()) {
    const room = i === pieces.length - 1 ? max : max - 1;
    if (out.length + piece.length > room) return `${out}…`;
    out += piece;
  }
  return out;
}

/** Only Slack's three control characters escaped, for our own messages that quote a person's words. */
export const escapeMarkup = (text: string): string => text.replace(/[&<>]/g, (ch) => ESCAPES[ch] ?? ch);

/** Our own mrkdwn cut to `max` characters without splitting an entity or a `<…>` token. */
export function clip(text: string, max: number = SLACK_LIMITS.sectionText): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const amp = text.lastIndexOf("&", cut);
  if (amp > text.lastIndexOf(";", cut)) cut = amp;
  const open = text.lastIndexOf("<", cut);
  if (open > text.lastIndexOf(">", cut - 1)) cut = Math.min(cut, open);
  return `${text.slice(0, cut)}…`;
}

/** A mention of a Slack user or group, or the id shown as text when it does not look like one. */
export const who = (id: string): string =>
  /^[UWS][A-Z0-9]{2,20}$/.test(id) ? `<@${id}>` : `\`${shown(id, SHOWN.word)}\``;

/** A time shown in the reader's own time zone by Slack, with a UTC fallback. */
export function slackTime(iso: string): string {
  const unix = Math.floor(new Date(iso).getTime() / 1000);
  if (!Number.isFinite(unix)) return shown(iso, SHOWN.word);
  return `<!date^${unix}^{date_short_pretty} at {time}|${iso.slice(0, 16).replace("T", " ")} UTC>`;
}

/**
 * A mrkdwn section, never over Slack's 3,000 characters. `verbatim`: Slack does not turn bare URLs
 * and names in outside text into links or mentions (its text-object docs); our own `<@U…>` and
 * `<!date…>` are written out and still render.
 */
export const section = (t: string): KnownBlock => ({
  type: "section",
  text: { type: "mrkdwn", text: clip(t), verbatim: true },
});

/** A small grey line of mrkdwn. */
export const context = (t: string): KnownBlock => ({
  type: "context",
  elements: [{ type: "mrkdwn", text: clip(t), verbatim: true }],
});

/** Plain text (labels, buttons, options), cut to Slack's 75 characters. */
export const plain = (t: string, max: number = SLACK_LIMITS.shortText) => {
  const chars = [...t];
  const text = chars.length <= max ? t : `${chars.slice(0, max - 1).join("")}…`;
  return { type: "plain_text" as const, text, emoji: true };
};

/** "and 3 more grants" style tails for lists cut short. */
export const more = (n: number, what: string): string => `${n} more ${what}${n === 1 ? "" : "s"}`;
