/** The ids Slack sends back (actions, views, input blocks) and the `/access help` text. */

/** Button action ids; a button's value is only the request id. */
export const ACTION = {
  approve: "approve",
  deny: "deny",
  extend: "extend",
  revokeNow: "revoke_now",
  cancel: "cancel",
  approveExtension: "approve_extension",
  /** Break-glass review buttons (approvers only, never the requester; decided on the server). */
  reviewOk: "break_glass_reviewed_ok",
  reviewRevoke: "break_glass_revoke",
  /** The Revoke button on the FYI to approvers of a grant approved as on call. */
  onCallRevoke: "on_call_revoke",
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
  breakGlass: "break_glass",
} as const;

/** What `/access help` answers. */
export const HELP = [
  "*/access* opens the request form.",
  "*/access <profile> <duration> [ticket] <reason…>* asks directly, e.g. `/access prod-web 1h INC-123 disk full on web-3`.",
  "*/access list* shows your requests and grants.",
  "*/access extend <id> <duration>* asks for more time.",
  "*/access revoke <id>* ends a grant now; *`/access cancel <id>`* withdraws a pending request.",
  "*/access <profile> [duration] --break-glass <reason…>* grants at once in an emergency, where the profile allows it: everyone is told, and an approver reviews it afterwards.",
].join("\n");
