/**
 * `jit slack manifest --url URL`: prints slack/manifest.yaml with the deployed request URL in the three
 * places Slack posts to (the /access command, interactivity, events). The app is first created without
 * them: Slack verifies a request URL when it is saved, so the URL must answer first.
 */
import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { ValidationError } from "../../core/errors.ts";
import type { Io } from "../io.ts";

const MANIFEST = new URL("../../slack/manifest.yaml", import.meta.url);

/** The /access command as Slack shows it. */
const ACCESS_COMMAND = {
  command: "/access",
  description: "Ask for, list, extend or end access to servers",
  usage_hint:
    "[profile duration [ticket] reason] | list | help | revoke <id> | cancel <id> | extend <id> <duration>",
  should_escape: false,
};

type Manifest = {
  features: Record<string, unknown>;
  settings: { event_subscriptions: Record<string, unknown> } & Record<string, unknown>;
} & Record<string, unknown>;

/** The manifest text with `url` filled in; throws ValidationError unless `url` is https. */
export function renderManifest(text: string, url: string): Manifest {
  if (!/^https:\/\/[^\s/]+/.test(url)) {
    throw new ValidationError(
      "url",
      `${url} is not an https URL: pass the slackRequestUrl output of the deploy`,
    );
  }
  const manifest = parse(text) as Manifest;
  return {
    ...manifest,
    features: { ...manifest.features, slash_commands: [{ ...ACCESS_COMMAND, url }] },
    settings: {
      ...manifest.settings,
      event_subscriptions: { request_url: url, ...manifest.settings.event_subscriptions },
      interactivity: { is_enabled: true, request_url: url },
    },
  };
}

export function slackManifest(flags: { url: string }, io: Io): number {
  io.out(stringify(renderManifest(readFileSync(MANIFEST, "utf8"), flags.url)).trimEnd());
  return 0;
}
