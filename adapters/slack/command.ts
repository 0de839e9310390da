/** The `/access` command's text, parsed. Pure, so every form is unit-tested. */

import { createHash } from "node:crypto";
import type { AccessConfig } from "../../core/config/load.ts";
import { SHOWN, shown } from "./mrkdwn.ts";

export type AccessCommand =
  | { kind: "modal" }
  | { kind: "help" }
  | { kind: "list" }
  | { kind: "revoke"; requestId: string }
  | { kind: "cancel"; requestId: string }
  | { kind: "extend"; requestId: string; by: string }
  | {
      kind: "request";
      profileId: string;
      /** Empty for a break-glass request that names none (the profile's default, within its maximum). */
      duration: string;
      ticket?: string;
      reason: string;
      breakGlass?: boolean;
    }
  | { kind: "invalid"; message: string };

const USAGE = "Try `/access help`.";
/** Profile names listed in a reply before the rest are counted. */
const NAMED_PROFILES = 20;

/** The profile names for a reply, at most 20 of them and a count of the others. */
function profileNames(config: AccessConfig): string {
  const ids = Object.keys(config.profiles);
  const named = ids.slice(0, NAMED_PROFILES).map((id) => shown(id, SHOWN.word));
  const rest = ids.length - named.length;
  return `${named.join(", ")}${rest > 0 ? ` and ${rest} other${rest === 1 ? "" : "s"} (\`/access\` lists them all)` : ""}`;
}

/** Reads `/access …`. The ticket is the third word when the profile has a ticket pattern it matches. */
export function parseAccessCommand(text: string, config: AccessConfig): AccessCommand {
  const all = text.trim().split(/\s+/).filter(Boolean);
  // `--break-glass` may stand anywhere after the profile; the rest parses as usual.
  const words = all.filter((w, i) => i === 0 || w.toLowerCase() !== BREAK_GLASS_FLAG);
  if (words.length !== all.length) return breakGlassCommand(words, config);
  const [first, second, third, ...rest] = words;
  if (!first) return { kind: "modal" };
  const verb = first.toLowerCase();
  if (verb === "help") return { kind: "help" };
  if (verb === "list") return { kind: "list" };
  if (verb === "revoke" || verb === "cancel") {
    if (!second || words.length !== 2)
      return { kind: "invalid", message: `Usage: \`/access ${verb} <request id>\`` };
    return { kind: verb, requestId: second };
  }
  if (verb === "extend") {
    if (!second || !third || words.length !== 3)
      return { kind: "invalid", message: "Usage: `/access extend <request id> <duration>`" };
    return { kind: "extend", requestId: second, by: third };
  }
  const profile = config.profiles[first];
  if (!profile) {
    return {
      kind: "invalid",
      message: `No profile or command "${shown(first, SHOWN.word)}". The profiles are ${profileNames(config)}. ${USAGE}`,
    };
  }
  if (!second)
    return {
      kind: "invalid",
      message: `Say for how long, e.g. \`/access ${shown(first, SHOWN.word)} 1h <reason>\`.`,
    };
  const pattern = profile.ticketPattern ? new RegExp(profile.ticketPattern) : undefined;
  const ticket = third && pattern?.test(third) ? third : undefined;
  const reasonWords = ticket ? rest : [third, ...rest].filter((w): w is string => w !== undefined);
  return { kind: "request", profileId: first, duration: second, ticket, reason: reasonWords.join(" ") };
}

const BREAK_GLASS_FLAG = "--break-glass";
/** Words that read as a duration ("30m", "1h30m", "PT1H"): anything else starts the reason. */
const DURATION_WORD = /^(?:(?:\d+[dhms])+|P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)$/i;

/** `/access <profile> [duration] [ticket] --break-glass <reason…>`: the duration may be left out. */
function breakGlassCommand(words: string[], config: AccessConfig): AccessCommand {
  const [first, ...rest] = words;
  const usage = "Usage: `/access <profile> [duration] --break-glass <reason, at least 20 characters>`";
  if (!first) return { kind: "invalid", message: usage };
  const profile = config.profiles[first];
  if (!profile)
    return {
      kind: "invalid",
      message: `No profile "${shown(first, SHOWN.word)}". The profiles are ${profileNames(config)}. ${USAGE}`,
    };
  const duration = rest[0] && DURATION_WORD.test(rest[0]) ? rest.shift() : undefined;
  const pattern = profile.ticketPattern ? new RegExp(profile.ticketPattern) : undefined;
  const ticket = rest[0] && pattern?.test(rest[0]) ? rest.shift() : undefined;
  if (rest.length === 0) return { kind: "invalid", message: `Say why. ${usage}` };
  return {
    kind: "request",
    profileId: first,
    duration: duration ?? "",
    ...(ticket ? { ticket } : {}),
    reason: rest.join(" "),
    breakGlass: true,
  };
}

/**
 * A request id derived from what Slack sends again on a retry (the trigger id, the view id), so a
 * retried delivery finds the request the first one made instead of making a second.
 */
export function requestIdFor(retryKey: string, now: Date): string {
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  const digest = createHash("sha256").update(retryKey).digest();
  let suffix = "";
  for (let i = 0; i < 8; i++) suffix += alphabet[(digest[i] ?? 0) % 32];
  return `${now.toISOString().slice(0, 10).replaceAll("-", "")}-${suffix}`;
}
