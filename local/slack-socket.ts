/**
 * Slack for the sandbox, when SLACK_APP_TOKEN and SLACK_BOT_TOKEN are set: the real Bolt listeners
 * over Socket Mode (no public URL needed), and the real Slack notifier. Needs a Slack workspace, so
 * it is exercised only where one is reachable; the listeners themselves are tested over HTTP.
 */
import { App, LogLevel } from "@slack/bolt";
import { SlackDirectory } from "../adapters/slack/directory.ts";
import { registerListeners } from "../adapters/slack/listeners.ts";
import { SlackNotifier } from "../adapters/slack/notifier.ts";
import type { Deps, SessionControl } from "../core/ports.ts";

export async function startSlackSocket(deps: () => Deps, sessions: SessionControl) {
  const appToken = process.env.SLACK_APP_TOKEN;
  const token = process.env.SLACK_BOT_TOKEN;
  if (!appToken || !token) return undefined;
  const app = new App({ token, appToken, socketMode: true, logLevel: LogLevel.WARN });
  registerListeners(app, deps, new SlackDirectory(app.client));
  await app.start();
  const d = deps();
  const notifier = new SlackNotifier({
    client: app.client,
    config: d.config,
    store: d.store,
    sessions,
    now: () => d.clock.now(),
  });
  return { app, notifier };
}
