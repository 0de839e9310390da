/**
 * The Lambda entry points and their timeouts, by function: one list for the stack and for the
 * bundle benchmark and test, so all three bundle the same files. No SST globals here.
 */
export const FUNCTION_ENTRIES = {
  askApprovers: { handler: "functions/ask-approvers.handler", timeout: "20 seconds" },
  grantAccess: { handler: "functions/grant-access.handler", timeout: "30 seconds" },
  undoGrant: { handler: "functions/undo-grant.handler", timeout: "30 seconds" },
  checkExpiry: { handler: "functions/check-expiry.handler", timeout: "10 seconds" },
  revokeAccess: { handler: "functions/revoke-access.handler", timeout: "60 seconds" },
  announce: { handler: "functions/announce.handler", timeout: "20 seconds" },
  expireRequest: { handler: "functions/expire-request.handler", timeout: "20 seconds" },
  raiseAlarm: { handler: "functions/raise-alarm.handler", timeout: "20 seconds" },
  sweeper: { handler: "functions/sweeper.handler", timeout: "300 seconds" },
  slack: { handler: "functions/slack.handler", timeout: "10 seconds" },
  sessionEvents: { handler: "functions/session-events.handler", timeout: "30 seconds" },
} as const satisfies Record<string, { handler: string; timeout: `${number} seconds` }>;

export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** The source file of an entry ("functions/x.handler" → "functions/x.ts"). */
export const entryFile = (name: FunctionName): string =>
  FUNCTION_ENTRIES[name].handler.replace(/\.handler$/, ".ts");
