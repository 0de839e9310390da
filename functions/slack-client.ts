/** The Slack Web API client every function shares: short retries (a Lambda cannot wait half an hour). */
import { WebClient, type WebClientOptions } from "@slack/web-api";

/** Options for any Slack client here; SLACK_API_URL points tests and the sandbox at a local fake. */
export function slackClientOptions(): WebClientOptions {
  return {
    slackApiUrl: process.env.SLACK_API_URL,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 2500,
  };
}

export const slackClient = (token: string): WebClient => new WebClient(token, slackClientOptions());
