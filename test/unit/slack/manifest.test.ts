/**
 * The Slack app manifest asks for exactly what the code uses, and the set-up order works: create the
 * app from slack/manifest.yaml (no request URLs: Slack verifies a URL when it is saved, and nothing
 * answers before the deploy), deploy, then `jit slack manifest --url <slackRequestUrl>` prints the
 * manifest with the URLs filled in. Failed on main before this change: the manifest carried
 * `SLACK_REQUEST_URL` in three places and told the user to replace it before creating the app, while
 * the README said to create it unchanged; cli/commands/slack-manifest.ts did not exist.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { renderManifest } from "../../../cli/commands/slack-manifest.ts";
import { main } from "../../../cli/main.ts";
import { captureIo } from "../../helpers/io.ts";

const text = readFileSync(new URL("../../../slack/manifest.yaml", import.meta.url), "utf8");
const manifest = parse(text);
const URL_ = "https://abcdefghij.lambda-url.eu-west-1.on.aws/";
// Through YAML and back, as a person pastes it.
const deployed = parse(stringify(renderManifest(text, URL_)));
const slackSources = readdirSync(new URL("../../../adapters/slack/", import.meta.url))
  .filter((f) => f.endsWith(".ts"))
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

describe("slack/manifest.yaml, as the app is first created", () => {
  it("holds no request URL and no placeholder to replace", () => {
    expect(text).not.toContain("SLACK_REQUEST_URL");
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
    expect(manifest.settings.interactivity?.request_url).toBeUndefined();
    expect(manifest.features.slash_commands).toBeUndefined();
  });

  it("already subscribes App Home and turns on the Home tab", () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_home_opened"]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });
});

describe("the manifest after deploy (jit slack manifest)", () => {
  it("registers /access, interactivity and events at the deployed URL", () => {
    expect(deployed.features.slash_commands).toEqual([
      expect.objectContaining({ command: "/access", url: URL_, should_escape: false }),
    ]);
    expect(deployed.settings.interactivity).toEqual({ is_enabled: true, request_url: URL_ });
    expect(deployed.settings.event_subscriptions).toEqual({
      request_url: URL_,
      bot_events: ["app_home_opened"],
    });
  });

  it("changes nothing else", () => {
    expect(deployed.oauth_config).toEqual(manifest.oauth_config);
    expect(deployed.display_information).toEqual(manifest.display_information);
  });

  it("asks for the scope of every Web API method the code calls, and users:read.email for principals by email", () => {
    const called = Object.keys(SCOPE_OF).filter((method) => slackSources.includes(method));
    expect(called.length).toBeGreaterThanOrEqual(6);
    const scopes: string[] = deployed.oauth_config.scopes.bot;
    for (const method of called) expect(scopes).toContain(SCOPE_OF[method]);
    expect(scopes).toContain("users:read.email");
  });

  it("asks for nothing else", () => {
    expect([...deployed.oauth_config.scopes.bot].sort()).toEqual([
      "chat:write",
      "commands",
      "usergroups:read",
      "users:read",
      "users:read.email",
    ]);
  });

  it("is printed by `jit slack manifest --url`, and refuses a URL that is not https", async () => {
    const io = captureIo();
    expect(await main(["slack", "manifest", "--url", URL_], io)).toBe(0);
    expect(parse(io.stdout())).toEqual(deployed);
    const bad = captureIo();
    expect(await main(["slack", "manifest", "--url", "http://example.com/"], bad)).toBe(1);
    expect(bad.stderr()).toContain("https");
  });
});

describe("the README's Slack set-up", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

  it("follows the same order: create without URLs, deploy, then add them", () => {
    const create = readme.indexOf("From a manifest");
    const deploy = readme.indexOf("npx sst deploy", create);
    const add = readme.indexOf("npx jit slack manifest --url", deploy);
    expect(create).toBeGreaterThan(-1);
    expect(deploy).toBeGreaterThan(create);
    expect(add).toBeGreaterThan(deploy);
    expect(readme).not.toContain("SLACK_REQUEST_URL");
  });
});
