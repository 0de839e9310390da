/**
 * Requests exactly as Slack sends them to the app's URL (API Gateway HTTP API / Function URL event,
 * payload version 2.0), signed with the real v0 HMAC-SHA256 scheme.
 */
import { createHmac } from "node:crypto";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export interface SignOptions {
  secret?: string;
  /** Seconds since the epoch; Slack's own clock at sending time. */
  timestamp?: number;
  retryNum?: number;
  contentType?: string;
}

/** A signed event for the Lambda handler. */
export function signedEvent(body: string, options: SignOptions = {}) {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac("sha256", options.secret ?? SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest("hex")}`;
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "application/x-www-form-urlencoded",
    "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": signature,
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  return {
    version: "2.0",
    routeKey: "POST /slack/events",
    rawPath: "/slack/events",
    rawQueryString: "",
    headers,
    requestContext: {
      http: { method: "POST", path: "/slack/events", protocol: "HTTP/1.1", sourceIp: "3.80.0.1" },
      requestId: "req",
    },
    body,
    isBase64Encoded: false,
  };
}

const TEAM = { id: "T0ACME", domain: "acme" };

/** A slash command, form-encoded as Slack posts it. */
export function slashCommand(
  user: string,
  text: string,
  triggerId = `trig-${Math.random().toString(36).slice(2)}`,
) {
  return new URLSearchParams({
    token: "legacy-verification-token",
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: "C0ONCALL",
    channel_name: "oncall",
    user_id: user,
    user_name: user.toLowerCase(),
    command: "/access",
    text,
    api_app_id: "A0JITACCESS",
    is_enterprise_install: "false",
    response_url: "https://hooks.slack.com/commands/T0ACME/1/abc",
    trigger_id: triggerId,
  }).toString();
}

/** An interaction payload (block_actions, view_submission), form-encoded as `payload=`. */
export const interaction = (payload: unknown) =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** A button click on a message in a channel. */
export function buttonClick(
  user: string,
  actionId: string,
  value: string,
  message?: { channel: string; ts: string },
) {
  return interaction({
    type: "block_actions",
    user: { id: user, username: user.toLowerCase(), team_id: TEAM.id },
    api_app_id: "A0JITACCESS",
    token: "legacy-verification-token",
    container: message
      ? { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false }
      : { type: "view", view_id: "VHOME" },
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    team: TEAM,
    channel: message ? { id: message.channel, name: "access-approvals" } : undefined,
    message: message
      ? { type: "message", ts: message.ts, text: "Access request", user: "U0BOT", bot_id: "B0BOT" }
      : undefined,
    response_url: "https://hooks.slack.com/actions/T0ACME/1/abc",
    actions: [
      {
        action_id: actionId,
        block_id: "decision",
        text: { type: "plain_text", text: actionId },
        value,
        type: "button",
        action_ts: "1764147600.000200",
      },
    ],
  });
}

/** A modal submission with the given input values. */
export function viewSubmission(
  user: string,
  callbackId: string,
  values: Record<string, string>,
  privateMetadata = "",
  viewId = `V${Math.random().toString(36).slice(2, 10)}`,
) {
  const state: Record<string, Record<string, unknown>> = {};
  for (const [block, value] of Object.entries(values)) {
    state[block] = {
      value: ["profile", "duration"].includes(block)
        ? { type: "static_select", selected_option: { value } }
        : { type: "plain_text_input", value },
    };
  }
  return interaction({
    type: "view_submission",
    team: TEAM,
    user: { id: user, username: user.toLowerCase(), team_id: TEAM.id },
    api_app_id: "A0JITACCESS",
    token: "legacy-verification-token",
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    view: {
      id: viewId,
      team_id: TEAM.id,
      type: "modal",
      callback_id: callbackId,
      private_metadata: privateMetadata,
      state: { values: state },
      hash: "1764147600.abc",
      app_id: "A0JITACCESS",
      bot_id: "B0BOT",
    },
  });
}

/** An Events API delivery (JSON). */
export function eventCallback(event: Record<string, unknown>) {
  return JSON.stringify({
    token: "legacy-verification-token",
    team_id: TEAM.id,
    api_app_id: "A0JITACCESS",
    event,
    type: "event_callback",
    event_id: `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
  });
}
