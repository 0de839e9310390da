/**
 * The README's commands are true: every `npx jit` line runs as written (the sandbox ones against a
 * real sandbox, in order, with the request id filled in), and every `npm run` script exists.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { handler as apiHandler, usePeople } from "../../functions/api.ts";
import { startFunctionUrl } from "../../local/function-url.ts";
import { sandboxPeople } from "../../local/people.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { captureIo } from "../helpers/io.ts";
import { type SandboxApi, startSandboxApi } from "../helpers/sandbox-api.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const scripts = Object.keys(
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).scripts,
);
const lines = [...readme.matchAll(/^\s*npx jit ([^\n#]+?)\s*(#.*)?$/gm)].map((m) => ({
  args: (m[1] ?? "").trim(),
  comment: m[2] ?? "",
}));
const offline = lines.filter((l) => /^(config|policy) /.test(l.args));
/** The deployed-stage walkthrough: `stage add`, then commands with --stage. */
const stageLines = lines.filter((l) => /^(--stage |stage )/.test(l.args));
const sandboxLines = lines.filter((l) => !/^(config|policy) /.test(l.args) && !stageLines.includes(l));

let api: SandboxApi;
let sandbox: Sandbox;
beforeAll(async () => {
  // The sandbox API takes only calls carrying its run token, read by jit from JIT_DATA as npm start writes it.
  api = await startSandboxApi("readme");
  sandbox = api.sandbox;
});
afterAll(() => api.stop());

const jit = async (args: string) => {
  const io = captureIo();
  const words = args.match(/"[^"]*"|\S+/g)?.map((w) => w.replace(/^"|"$/g, "")) ?? [];
  return { code: await main(words, io), out: io.stdout(), err: io.stderr() };
};

/**
 * A local instance of the signed API for the README's stage lines: the real handler behind the
 * function-URL stand-in, and an AWS credentials file as `aws configure` writes it, whose default
 * profile is alice's role session and whose `dave` profile is dave's Identity Center session.
 */
async function startStage() {
  const dir = mkdtempSync(join(tmpdir(), "jit-stage-"));
  const alice = {
    accessKeyId: "ASIAALICEREADME0001",
    secretAccessKey: "alice-secret",
    sessionToken: "alice-token",
    arn: "arn:aws:sts::123456789012:assumed-role/jit-alice/alice",
  };
  const dave = {
    accessKeyId: "ASIADAVEREADME00001",
    secretAccessKey: "dave-secret",
    sessionToken: "dave-token",
    arn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_OnCall_0123456789abcdef/dave@example.com",
  };
  const profile = (name: string, c: typeof alice) =>
    `[${name}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\naws_session_token = ${c.sessionToken}\n`;
  writeFileSync(join(dir, "credentials"), `${profile("default", alice)}${profile("dave", dave)}`);
  writeFileSync(join(dir, "config"), "");
  const saved = { ...process.env };
  for (const key of [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "JIT_STAGE",
    "JIT_API_URL",
  ])
    delete process.env[key];
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_EC2_METADATA_DISABLED: "true",
    XDG_CONFIG_HOME: dir,
  });
  usePeople(sandboxPeople);
  const server = await startFunctionUrl({
    region: "eu-west-1",
    credentials: [alice, dave],
    handler: (event) => apiHandler(event, {} as never),
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`,
    stop: async () => {
      usePeople(undefined);
      await new Promise<void>((r) => server.close(() => r()));
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("README", () => {
  it.each(offline.map((l) => l.args))("`npx jit %s` runs and succeeds", async (args) => {
    const { code, err } = await jit(args);
    expect(err).toBe("");
    expect(code).toBe(0);
  });

  it("walks through the sandbox commands in order, as written", async () => {
    expect(sandboxLines.length).toBeGreaterThanOrEqual(6);
    let id = "";
    for (const { args, comment } of sandboxLines) {
      // --wait would wait for the approval the next line gives; the test runs the lines one by one.
      const result = await jit(args.replace(" --wait", "").replaceAll("<id>", id));
      if (!id) id = /(\d{8}-[0-9a-z]{8})/.exec(result.out)?.[1] ?? "";
      expect(result.err, args).toBe("");
      expect(result.code, args).toBe(comment.includes("refused") ? 1 : 0);
      if (args.startsWith("approve")) {
        await expect
          .poll(async () => (await sandbox.deps.store.get(id))?.status, { timeout: 5000 })
          .toBe("ACTIVE");
      }
    }
    expect((await sandbox.deps.store.get(id))?.status).toBe("REVOKED");
  });

  it("shows profiles, whoami and per-command help in the walkthrough, before the first request", () => {
    const words = sandboxLines.map((l) => l.args);
    const first = words.findIndex((w) => w.startsWith("request --as"));
    expect(words.slice(0, first)).toEqual([
      "profiles --as U01ALICE",
      "whoami --as U01ALICE",
      "request --help",
    ]);
  });

  it("walks through the deployed-stage commands in order, signed, against a local instance of the API", async () => {
    expect(stageLines.length).toBeGreaterThanOrEqual(6);
    const stage = await startStage();
    try {
      let id = "";
      for (const { args } of stageLines) {
        // The README's example URL becomes the local stand-in's (its region named, as a local URL has none).
        const local = args
          .replace(/--url \S+/, `--url ${stage.url} --region eu-west-1`)
          .replaceAll("<id>", id);
        const result = await jit(local);
        if (!id) id = /(\d{8}-[0-9a-z]{8})/.exec(result.out)?.[1] ?? "";
        expect(result.err, args).toBe("");
        expect(result.code, args).toBe(0);
        if (args.includes(" approve ")) {
          await expect
            .poll(async () => (await sandbox.deps.store.get(id))?.status, { timeout: 5000 })
            .toBe("ACTIVE");
        }
        if (args.includes(" connect "))
          expect(result.out).toBe(
            "aws ssm start-session --target i-0web1000000000001 --document-name SSM-SessionManagerRunShell --region eu-west-1",
          );
      }
      const record = await sandbox.deps.store.get(id);
      expect(record?.requester.slackUserId).toBe("U01ALICE");
      expect(record?.approvals.map((a) => a.approver)).toEqual(["U03DAVE"]);
      expect(record?.status).toBe("REVOKED");
    } finally {
      await stage.stop();
    }
  });

  it("names only npm scripts that exist", () => {
    const named = [...readme.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]);
    for (const name of named) expect(scripts).toContain(name);
  });
});
