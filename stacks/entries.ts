/**
 * The Lambda entry points, their timeouts, memory, and whether they talk to Slack (only those get the
 * bot token): one list for the stack and for the bundle benchmark and test. No SST globals here.
 *
 * Memory: 256 MB, except the Slack endpoint, which must answer Slack within 3 s from a cold start.
 * Lambda allocates CPU in proportion to memory, one vCPU at 1,769 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); `npm run bench` measures
 * the cold import plus first answer and records the memory that work needs
 * (bench/results/slack-ack.json, held to this setting by test/unit/stacks/memory.test.ts).
 */
export const FUNCTION_ENTRIES = {
  askApprovers: { handler: "functions/ask-approvers.handler", timeout: "20 seconds", slack: true },
  grantAccess: { handler: "functions/grant-access.handler", timeout: "30 seconds", slack: false },
  undoGrant: { handler: "functions/undo-grant.handler", timeout: "30 seconds", slack: true },
  checkExpiry: { handler: "functions/check-expiry.handler", timeout: "10 seconds", slack: false },
  revokeAccess: { handler: "functions/revoke-access.handler", timeout: "60 seconds", slack: false },
  announce: { handler: "functions/announce.handler", timeout: "20 seconds", slack: true },
  expireRequest: { handler: "functions/expire-request.handler", timeout: "20 seconds", slack: true },
  raiseAlarm: { handler: "functions/raise-alarm.handler", timeout: "20 seconds", slack: true },
  sweeper: { handler: "functions/sweeper.handler", timeout: "300 seconds", slack: true },
  slack: { handler: "functions/slack.handler", timeout: "10 seconds", slack: true, memory: "1024 MB" },
  sessionEvents: { handler: "functions/session-events.handler", timeout: "30 seconds", slack: true },
  // The signed API for `jit` against a deployed stage (a function URL with AWS_IAM auth).
  api: { handler: "functions/api.handler", timeout: "10 seconds", slack: true },
  weeklyReport: { handler: "functions/weekly-report.handler", timeout: "60 seconds", slack: true },
} as const satisfies Record<
  string,
  { handler: string; timeout: `${number} seconds`; slack: boolean; memory?: `${number} MB` }
>;

/** Memory for functions whose entry does not say. */
export const DEFAULT_MEMORY = "256 MB";

export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** The source file of an entry ("functions/x.handler" → "functions/x.ts"). */
export const entryFile = (name: FunctionName): string =>
  FUNCTION_ENTRIES[name].handler.replace(/\.handler$/, ".ts");
