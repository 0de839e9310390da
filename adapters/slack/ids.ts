/** The ids Slack sends back (actions, views, input blocks) and the `/access help` text. */

/** Button action ids; a button's value is only the request id. */
export const ACTION = {
  approve: "approve",
  deny: "deny",
  extend: "extend",
  revokeNow: "revoke_now",
  cancel: "cancel",
  approveExtension: "approve_extension",
} as const;

/** Modal callback ids. */
export const VIEW = { request: "access_request", denyReason: "deny_reason" } as const;

/** Input block ids of the modals; a ValidationError's field names one of them. */
export const BLOCK = {
  profile: "profile",
  duration: "duration",
  reason: "reason",
  ticket: "ticket",
  denyReason: "deny_reason",
} as const;

/** What `/access help` answers. */
export const HELP = [
  "*/access* opens the request form.",
  "*/access <profile> <duration> [ticket] <reason…>* asks directly, e.g. `/access prod-web 1h INC-123 disk full on web-3`.",
  "*/access list* shows your requests and grants.",
  "*/access extend <id> <duration>* asks for more time.",
  "*/access revoke <id>* ends a grant now; *`/access cancel <id>`* withdraws a pending request.",
].join("\n");
