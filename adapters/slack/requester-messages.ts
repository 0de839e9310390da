/**
 * Direct messages to the requester, one per moment of a grant. A granted DM lists a few commands
 * and says how many more nodes match; a revoked DM lists the sessions it closed, up to a point.
 */
import type { KnownBlock } from "@slack/types";
import type { Profile } from "../../core/config/load.ts";
import type { AccessRequest } from "../../core/request.ts";
import { onCallLine } from "./break-glass-messages.ts";
import { ACTION } from "./ids.ts";
import { more, plain, SHOWN, section, shown, slackTime, who } from "./mrkdwn.ts";

/** Commands listed in a granted DM; the rest are counted. */
export const COMMANDS_SHOWN = 10;
/** Closed sessions named in a revoked DM; the rest are counted. */
export const SESSIONS_SHOWN = 20;

/** The commands a person runs once access is active, one per node (at most `limit`). */
export function startSessionCommands(
  profile: Profile,
  nodes: { id: string; region: string }[],
  limit = COMMANDS_SHOWN,
): string[] {
  const doc = profile.documents.find((d) => d !== "SSM-SessionManagerRunShell");
  const extra = doc ? ` --document-name ${doc}` : "";
  return nodes
    .slice(0, limit)
    .map((n) => `aws ssm start-session --target ${n.id} --region ${n.region}${extra}`);
}

/**
 * For people on a shared Identity Center role: the grant lands in policies the role already has, and
 * IAM applies it to existing sessions within seconds (no new role, no new sign-in).
 */
export const SSO_NOTE =
  "Signed in through IAM Identity Center: your current `aws sso login` session works as it is (no new role, no re-login). Add `--profile <your SSO profile>` to the commands if it is not your default.";

/** What a DM may add to the record: the commands, how many nodes match, sessions closed, a reason. */
export interface RequesterExtra {
  commands?: string[];
  /** How many nodes match in all, when known (the commands cover only the first few). */
  matching?: number;
  terminated?: string[];
  reason?: string | undefined;
  /**
   * Issue 12: the accounts the grant spans, as "name (id)", when they are not just the hub's own.
   * `hubIncluded` says whether the listed commands (the hub's nodes) are part of it.
   */
  accounts?: { labels: string[]; hubLabel: string; hubIncluded: boolean } | undefined;
}

const revokeButton = (id: string): KnownBlock => ({
  type: "actions",
  elements: [
    { type: "button", action_id: ACTION.revokeNow, text: plain("I'm done — revoke now"), value: id },
  ],
});

/** Why a grant came without approvers: on call (where, until when) or break-glass (and its review). */
function withoutApprovers(r: AccessRequest): string {
  if (r.breakGlass)
    return " *Break-glass*: the approvers and the audit channel were told, and an approver will review it.";
  if (r.onCall?.approved) return ` Approved as on call (${onCallLine(r)}).`;
  return "";
}

/**
 * Where a grant in several accounts (or in a member account) lives: the accounts, and how to start a
 * session there. The commands listed are the hub's nodes only: the functions that write this never
 * act in member accounts (only the task functions that grant and revoke assume their broker).
 */
function accountsText(extra: RequesterExtra): string {
  const a = extra.accounts;
  if (!a) return "";
  const where = a.labels.map((l) => shown(l, SHOWN.word)).join(", ");
  const nodes = a.hubIncluded ? ` The nodes below are in ${shown(a.hubLabel, SHOWN.word)}.` : "";
  return `\nGranted in ${where}: start a session with your credentials for the node's account (\`aws ssm start-session --target <node> --profile <that account's profile>\`).${nodes}`;
}

function grantedText(r: AccessRequest, extra: RequesterExtra): string {
  const elsewhere = extra.accounts !== undefined && !extra.accounts.hubIncluded;
  const commands = (extra.commands ?? []).slice(0, COMMANDS_SHOWN).map((c) => shown(c, 300));
  const listed = commands.length ? `\n\`\`\`\n${commands.join("\n")}\n\`\`\`` : "";
  const left = (extra.matching ?? commands.length) - commands.length;
  const matches = left === 1 ? "1 more node matches" : `${left} more nodes match`;
  const tail = elsewhere
    ? ""
    : commands.length === 0
      ? "\nNo matching node is online right now."
      : left > 0
        ? `\n…and ${matches}: use any of their ids as \`--target\`.`
        : "";
  const expiry = r.expiresAt ? slackTime(r.expiresAt) : "";
  return `:unlock: Your access to *${shown(r.profileId, SHOWN.word)}* is active until ${expiry}.${withoutApprovers(r)}${accountsText(extra)}${listed}${tail}${r.principal.kind === "shared-role" ? `\n${SSO_NOTE}` : ""}`;
}

function revokedText(r: AccessRequest, extra: RequesterExtra): string {
  const closed = extra.terminated ?? [];
  const named = closed.slice(0, SESSIONS_SHOWN).map((s) => `\`${shown(s, SHOWN.sessionId)}\``);
  const rest = closed.length > named.length ? ` and ${more(closed.length - named.length, "session")}` : "";
  const sessions = named.length ? ` Closed sessions: ${named.join(", ")}${rest}.` : "";
  const why = extra.reason ? ` (${shown(extra.reason, SHOWN.reason)})` : "";
  return `:lock: Your access to *${shown(r.profileId, SHOWN.word)}* has ended${why}.${sessions}`;
}

/** The direct message for a notice to the requester, or undefined when there is nothing to say. */
export function requesterMessage(
  type: string,
  r: AccessRequest,
  extra: RequesterExtra = {},
): { text: string; blocks: KnownBlock[] } | undefined {
  const profile = shown(r.profileId, SHOWN.word);
  const expiry = r.expiresAt ? slackTime(r.expiresAt) : "";
  const dm = (text: string, ...blocks: KnownBlock[]) => ({ text, blocks });
  switch (type) {
    case "approved":
      return dm(
        `Approved: ${profile}`,
        section(`:white_check_mark: Your request for *${profile}* was approved; access is being granted.`),
      );
    case "denied":
      return dm(
        `Denied: ${profile}`,
        section(
          `:no_entry: Your request for *${profile}* was denied by ${who(r.decidedBy ?? "?")}: ${shown(r.denialReason, SHOWN.reason)}`,
        ),
      );
    case "expired":
      return dm(
        `Expired: ${profile}`,
        section(
          `:hourglass: Nobody decided on your request for *${profile}* in time. Ask again if you still need it.`,
        ),
      );
    case "granted":
      return dm(
        `Access active: ${profile} until ${shown(r.expiresAt, SHOWN.word)}`,
        section(grantedText(r, extra)),
        revokeButton(r.id),
      );
    case "expiring":
      return dm(
        `Access to ${profile} ends at ${shown(r.expiresAt, SHOWN.word)}`,
        section(
          `:alarm_clock: Your access to *${profile}* ends ${expiry}. Live sessions will be closed then.`,
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
      );
    case "extended":
      return dm(
        `Extended: ${profile}`,
        section(`:arrows_counterclockwise: Your access to *${profile}* now ends ${expiry}.`),
      );
    case "revoked":
      return dm(`Revoked: ${profile}`, section(revokedText(r, extra)));
    case "failed": {
      const why = shown(r.failure ?? extra.reason, SHOWN.failure) || "unknown error";
      return dm(
        `Failed: ${profile}`,
        section(`:warning: Your request for *${profile}* failed: ${why}. Nothing was left attached.`),
      );
    }
    default:
      return undefined;
  }
}
