/**
 * Block Kit views, pure: what people see in Slack for each moment of a request. Each message or view
 * lives in its own file next to this one; this module gathers them for the listeners and the
 * notifier. Buttons carry only the request id; every click is authorized again on the server from
 * the stored record. Every outside string reaches Slack through mrkdwn.ts (escaped, one line, capped).
 */
export { approvalMessage, extensionMessage, outcomeLine, requestSummary } from "./approval-message.ts";
export { auditLine, sessionAccount, sessionBlocks } from "./audit-messages.ts";
export { HOME_SHOWN, homeView } from "./home-view.ts";
export { ACTION, BLOCK, HELP, VIEW } from "./ids.ts";
export { clip, SHOWN, SLACK_LIMITS, shown, slackTime } from "./mrkdwn.ts";
export { denyModal, durationChoices, requestModal } from "./request-modal.ts";
export {
  COMMANDS_SHOWN,
  type RequesterExtra,
  requesterMessage,
  SESSIONS_SHOWN,
  startSessionCommands,
} from "./requester-messages.ts";
