/** The Slack app manifest asks for exactly what the code uses. */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const manifest = parse(readFileSync(new URL("../../../slack/manifest.yaml", import.meta.url), "utf8"));
const slackSources = readdirSync(new URL("../../../adapters/slack/", import.meta.url))
  .map((f) => readFileSync(new URL(`../../../adapters/slack/${f}`, import.meta.url), "utf8"))
  .join("\n");

/** The Web API methods the code calls, and the bot scope each needs (from Slack's method reference). */
const SCOPE_OF: Record<string, string> = {
  "chat.postMessage": "chat:write",
  "chat.update": "chat:write",
  "chat.postEphemeral": "chat:write",
  "users.info": "users:read",
  "usergroups.users.list": "usergroups:read",
  "views.open": "commands",
  "views.publish": "commands",
};

describe("slack/manifest.yaml", () => {
  it("registers /access, interactivity and App Home at the request URL", () => {
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: "/access", url: "SLACK_REQUEST_URL" }),
    ]);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: "SLACK_REQUEST_URL" });
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_home_opened"]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it("asks for the scope of every Web API method the code calls, and users:read.email for principals by email", () => {
    const called = Object.keys(SCOPE_OF).filter((method) => slackSources.includes(method));
    expect(called.length).toBeGreaterThanOrEqual(6);
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    for (const method of called) expect(scopes).toContain(SCOPE_OF[method]);
    expect(scopes).toContain("users:read.email");
  });

  it("asks for nothing else", () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      "chat:write",
      "commands",
      "usergroups:read",
      "users:read",
      "users:read.email",
    ]);
  });
});
