/**
 * The deployed Slack bundle, not the source: built with the stack's own options (stubs included,
 * bench/sst-esbuild.ts) and imported in a fresh Node process, it still checks every request's
 * signature and age and still answers. The stubbed modules throw, naming themselves, the moment Bolt
 * would use them. Failed on main before this change: nothing ran the bundle, and the bundle was
 * 1,639 KB (Express, Socket Mode, OAuth and their dependencies inside).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { bundle } from "../../bench/bundles.ts";
import { prepareProbe } from "../../bench/cold-start.ts";
import { PROJECT_ROOT, sstBuildOptions } from "../../bench/sst-esbuild.ts";
import { NODEJS_OPTIONS } from "../../stacks/bundling.ts";
import { STUBBED } from "../../stacks/stubs/plugin.mjs";
import { SIGNING_SECRET, signedEvent, slashCommand } from "../helpers/slack-requests.ts";

// Inside the repo: the bundle leaves the AWS SDK to the runtime, here node_modules.
const dir = mkdtempSync(join(PROJECT_ROOT, "node_modules/.cache/jit-slack-bundle-"));
let env: NodeJS.ProcessEnv;
let file: string;

// Answers each event in order in one fresh process, as one Lambda container would.
const RUNNER = `import { readFileSync } from "node:fs";
const [file, events] = process.argv.slice(2);
const { handler } = await import(file);
const answers = [];
for (const event of JSON.parse(readFileSync(events, "utf8"))) {
  const r = await handler(event, { awsRequestId: "test", getRemainingTimeInMillis: () => 10000 });
  answers.push({ statusCode: r.statusCode, body: r.body });
}
console.log(JSON.stringify(answers));
process.exit(0);`;

/** Runs `script` on `input` in a fresh Node process with the function's environment. */
function fresh(script: string, input: unknown, ...args: string[]): unknown {
  const name = `run-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, `${name}.mjs`), script);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(input));
  const out = execFileSync(
    process.execPath,
    ["--enable-source-maps", join(dir, `${name}.mjs`), ...args, join(dir, `${name}.json`)],
    { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  // The last line: Bolt's own logger may write to stdout before it.
  return JSON.parse(out.trim().split("\n").at(-1) ?? "null");
}

const answer = (...events: unknown[]) =>
  fresh(RUNNER, events, file) as { statusCode: number; body: string }[];

beforeAll(async () => {
  ({ file } = await bundle("functions/slack.ts", dir));
  env = prepareProbe(dir, { signingSecret: SIGNING_SECRET, botToken: "xoxb-test" });
}, 60_000);

describe("the bundled Slack handler, in a fresh process", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const help = () => slashCommand("U01ALICE", "help");
  const challenge = JSON.stringify({ type: "url_verification", challenge: "c-123", token: "t" });
  const json = { contentType: "application/json" };

  it("answers correctly signed requests: a slash command and Slack's URL check", () => {
    const [command, check] = answer(signedEvent(help()), signedEvent(challenge, json));

    expect(command?.statusCode).toBe(200);
    expect(String(JSON.parse(command?.body ?? "{}").text)).toContain("/access <profile> <duration>");
    expect(check).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(check?.body ?? "{}")).toEqual({ challenge: "c-123" });
  });

  it.each([
    ["a forged signature", () => signedEvent(help(), { secret: "not-the-secret" })],
    ["a timestamp 6 minutes old", () => signedEvent(help(), { timestamp: now() - 6 * 60 })],
    [
      "no signature headers",
      () => {
        const event = signedEvent(help());
        const { "x-slack-signature": _s, "x-slack-request-timestamp": _t, ...headers } = event.headers;
        return { ...event, headers };
      },
    ],
    ["a forged URL check", () => signedEvent(challenge, { ...json, secret: "not-the-secret" })],
    [
      "a body changed after signing",
      () => {
        const event = signedEvent(slashCommand("U01ALICE", "list"));
        return { ...event, body: event.body.replace("list", "help") };
      },
    ],
  ])("refuses %s with 401 and answers nothing", (_name, make) => {
    const [refused] = answer(make());

    expect(refused?.statusCode).toBe(401);
    expect(refused?.body).not.toContain("/access");
    expect(refused?.body).not.toContain("c-123");
  });
});

describe("Bolt's receivers a Lambda never builds, in a bundle built the same way", () => {
  // Each line uses one stubbed module the way Bolt would if the app asked for that receiver.
  const entry = `import { ExpressReceiver, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
const uses = {
  express: () => new ExpressReceiver({ signingSecret: "s" }),
  "@slack/socket-mode": () => new SocketModeReceiver({ appToken: "xapp-1" }),
  "@slack/oauth": () => new HTTPReceiver({ signingSecret: "s", clientId: "c", clientSecret: "s", stateSecret: "s", scopes: ["chat:write"] }),
  "raw-body": () => HTTPModuleFunctions.bufferIncomingMessage({ headers: {} }),
};
const results = {};
for (const [name, use] of Object.entries(uses)) {
  try { await use(); results[name] = "ran"; } catch (error) { results[name] = String(error.message); }
}
console.log(JSON.stringify(results));
process.exit(0);`;

  it("throw, naming the module and why it is left out", async () => {
    const out = join(dir, "receivers.mjs");
    const options = await sstBuildOptions(NODEJS_OPTIONS, "functions/slack.ts", out);
    const { entryPoints: _e, ...rest } = options;
    await build({ ...rest, stdin: { contents: entry, resolveDir: PROJECT_ROOT, loader: "ts" } });

    const results = fresh(`await import(${JSON.stringify(out)});`, null) as Record<string, string>;

    expect(Object.keys(results)).toHaveLength(4);
    for (const [name, message] of Object.entries(results)) {
      expect(message).toContain(`${name} is left out of this Lambda bundle (${STUBBED[name]})`);
    }
  });
});
