/**
 * Slack requests for the benches, signed as Slack signs them (v0 HMAC-SHA256 over `v0:<ts>:<body>`)
 * and shaped as a Function URL / HTTP API payload 2.0 event.
 */
import { createHmac } from "node:crypto";

/** The signing secret the benches give the Slack handler. */
export const BENCH_SIGNING_SECRET = "bench-signing-secret";

/** A Lambda event carrying `body`, signed now with `secret`. */
export function signed(body: string, secret = BENCH_SIGNING_SECRET) {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  return {
    version: "2.0",
    routeKey: "POST /",
    rawPath: "/",
    rawQueryString: "",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": signature,
    },
    requestContext: { http: { method: "POST" } },
    body,
    isBase64Encoded: false,
  };
}

/** A `/access` slash command's form body. */
export const command = (user: string, text: string, trigger: string) =>
  new URLSearchParams({
    team_id: "T0",
    user_id: user,
    command: "/access",
    text,
    trigger_id: trigger,
    response_url: "https://hooks.slack.com/x",
    channel_id: "C0",
    api_app_id: "A0",
  }).toString();
