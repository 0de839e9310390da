/**
 * The same `jit` commands against the sandbox (`--as`) and against a deployed stage's API (signed;
 * here a local instance of the real handler behind the function-URL stand-in), over one store: the
 * same answers, except that a stage takes the person from the signature and refuses `--as`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { handler as apiHandler, usePeople } from "../../functions/api.ts";
import { startApi } from "../../local/api.ts";
import { writeApiToken } from "../../local/api-guard.ts";
import { type KnownCredentials, startFunctionUrl } from "../../local/function-url.ts";
import { sandboxPeople } from "../../local/people.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureIo } from "../helpers/io.ts";

const ACCOUNT = "123456789012";
const key = (name: string, arn: string): KnownCredentials => ({
  accessKeyId: `ASIA${name.toUpperCase().padEnd(16, "0")}`,
  secretAccessKey: `${name}-secret`,
  sessionToken: `${name}-token`,
  arn,
});
const PEOPLE = {
  U01ALICE: key("alice", `arn:aws:sts::${ACCOUNT}:assumed-role/jit-alice/alice`),
  U03DAVE: key(
    "dave",
    `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_OnCall_0123456789abcdef/dave@example.com`,
  ),
} as const;
type Who = keyof typeof PEOPLE;

let harness: Harness;
let sandboxApi: Server;
let stageApi: Server;
let stageUrl = "";
let dir = "";
const saved = { ...process.env };

beforeAll(async () => {
  harness = await startHarness();
  dir = mkdtempSync(join(tmpdir(), "jit-stage-cli-"));
  const token = writeApiToken(dir);
  sandboxApi = await startApi({ deps: harness.deps, account: harness.account, notices: [] }, 0, { token });
  usePeople(sandboxPeople);
  stageApi = await startFunctionUrl({
    region: "eu-west-1",
    credentials: Object.values(PEOPLE),
    handler: (e) => apiHandler(e, {} as never),
  });
  const port = (s: Server) => {
    const a = s.address();
    return typeof a === "object" && a ? a.port : 0;
  };
  stageUrl = `http://127.0.0.1:${port(stageApi)}/`;
  for (const k of ["AWS_PROFILE", "JIT_STAGE", "JIT_API_URL"]) delete process.env[k];
  Object.assign(process.env, {
    JIT_DATA: dir,
    JIT_URL: `http://127.0.0.1:${port(sandboxApi)}`,
    XDG_CONFIG_HOME: dir,
    AWS_REGION: "eu-west-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
    AWS_CONFIG_FILE: join(dir, "none"),
  });
});
afterAll(async () => {
  usePeople(undefined);
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await new Promise<void>((r) => sandboxApi.close(() => r()));
  await new Promise<void>((r) => stageApi.close(() => r()));
  await harness.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(words: string[]) {
  const io = captureIo();
  const code = await main(words, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** `jit <words> --as <who>` against the sandbox. */
const inSandbox = (who: Who, ...words: string[]) => run([...words, "--as", who]);

/** `jit <words>` against the stage, signed with `who`'s credentials from the environment. */
async function onStage(who: Who | undefined, ...words: string[]) {
  process.env.JIT_API_URL = stageUrl;
  for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) delete process.env[k];
  if (who) {
    const c = PEOPLE[who];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      AWS_SESSION_TOKEN: c.sessionToken,
    });
  }
  try {
    return await run(words);
  } finally {
    delete process.env.JIT_API_URL;
  }
}

const idOf = (out: string) => /(\d{8}-[0-9a-z]{8})/.exec(out)?.[1] ?? "";

describe("one command line, two deployments", () => {
  it.each([["profiles"], ["profiles", "--json"], ["list"]])("`jit %s` answers the same", async (...words) => {
    const sandbox = await inSandbox("U01ALICE", ...words);
    const stage = await onStage("U01ALICE", ...words);
    expect(stage.err).toBe("");
    expect(stage.code).toBe(sandbox.code);
    expect(stage.out).toBe(sandbox.out);
  });

  it("`jit whoami` names the same person and principal, and where it asked", async () => {
    const sandbox = await inSandbox("U03DAVE", "whoami");
    const stage = await onStage("U03DAVE", "whoami");
    expect(stage.code).toBe(0);
    const [first, ...rest] = stage.out.split("\n");
    expect(first).toBe(`U03DAVE (dave@example.com) at stage JIT_API_URL (${stageUrl})`);
    expect(rest).toEqual(sandbox.out.split("\n").slice(1));
  });

  it("a whole lifecycle on the stage: request, approve by another person, show, revoke", async () => {
    const asked = await onStage(
      "U01ALICE",
      "request",
      "--profile",
      "prod-web",
      "--for",
      "1h",
      "--reason",
      "disk full",
      "--ticket",
      "INC-7",
    );
    expect(asked.err).toBe("");
    const id = idOf(asked.out);
    await harness.waitFor(id, (r) => r.taskToken !== undefined);
    const own = await onStage("U01ALICE", "approve", id);
    expect(own.code).toBe(1);
    expect(own.err).toMatch(/not an approver/);
    const approved = await onStage("U03DAVE", "approve", id);
    expect(approved.code).toBe(0);
    await harness.waitForStatus(id, "ACTIVE");
    const shown = await onStage("U01ALICE", "show", id);
    expect(shown.out).toContain(`${id}  ACTIVE  prod-web  requested by U01ALICE`);
    expect((await onStage("U01ALICE", "revoke", id)).code).toBe(0);
    await harness.waitForStatus(id, "REVOKED");
  });
});

describe("jit connect on a stage", () => {
  /** An active grant of alice's on prod-web. */
  async function activeGrant() {
    const asked = await onStage(
      "U01ALICE",
      "request",
      "--profile",
      "prod-web",
      "--reason",
      "disk",
      "--ticket",
      "INC-8",
    );
    const id = idOf(asked.out);
    await harness.waitFor(id, (r) => r.taskToken !== undefined);
    await onStage("U03DAVE", "approve", id);
    await harness.waitForStatus(id, "ACTIVE");
    return id;
  }
  const LINE =
    "aws ssm start-session --target i-0web1000000000001 --document-name SSM-SessionManagerRunShell --region eu-west-1";

  it("prints the command and what to install when the AWS CLI or the plugin is missing", async () => {
    const id = await activeGrant();
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      const missing = await onStage("U01ALICE", "connect", id, "--target", "i-0web1000000000001");
      expect(missing.code).toBe(1);
      expect(missing.out).toBe(LINE);
      expect(missing.err).toMatch(/the AWS CLI v2: https:.*, and the Session Manager plugin: https:/);
    } finally {
      process.env.PATH = path;
      await onStage("U01ALICE", "revoke", id);
    }
  });

  it("runs aws ssm start-session with the grant's region, document and the signing profile", async () => {
    const id = await activeGrant();
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const record = join(dir, "aws-args");
    writeFileSync(join(bin, "aws"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`, { mode: 0o755 });
    writeFileSync(join(bin, "session-manager-plugin"), "#!/bin/sh\n", { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const ran = await onStage("U01ALICE", "connect", id, "--target", "i-0web1000000000001");
      expect(ran.code).toBe(0);
      expect(readFileSync(record, "utf8").trim().split("\n")).toEqual(LINE.split(" ").slice(1));
    } finally {
      process.env.PATH = path;
      await onStage("U01ALICE", "revoke", id);
    }
  });

  it("refuses a node outside the profile, another person's grant and a grant that is not active", async () => {
    const id = await activeGrant();
    const outside = await onStage("U01ALICE", "connect", id, "--target", "i-0db10000000000003", "--print");
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/i-0db10000000000003 is not one of prod-web's nodes/);
    const theirs = await onStage("U03DAVE", "connect", id, "--target", "i-0web1000000000001", "--print");
    expect(theirs.code).toBe(1);
    expect(theirs.err).toMatch(/not your grant/);
    await onStage("U01ALICE", "revoke", id);
    await harness.waitForStatus(id, "REVOKED");
    const over = await onStage("U01ALICE", "connect", id, "--target", "i-0web1000000000001", "--print");
    expect(over.code).toBe(1);
    expect(over.err).toMatch(/is revoked, not active/);
  });
});

describe("jit stage add", () => {
  it("reads apiUrl from the last deploy's outputs when no --url is given, and says so when there are none", async () => {
    const repo = join(dir, "repo");
    mkdirSync(join(repo, ".sst"), { recursive: true });
    process.env.JIT_CONFIG = join(repo, "access.config.yaml");
    try {
      const none = await run(["stage", "add", "prod"]);
      expect(none.code).toBe(1);
      expect(none.err).toMatch(/no --url, and no .*\.sst\/outputs\.json from a deploy here/);
      writeFileSync(
        join(repo, ".sst", "outputs.json"),
        JSON.stringify({ apiUrl: "https://abcdefghij.lambda-url.eu-west-1.on.aws/" }),
      );
      const added = await run(["stage", "add", "prod"]);
      expect(added.code).toBe(0);
      const listed = await run(["stage", "list"]);
      expect(listed.out).toContain("prod\thttps://abcdefghij.lambda-url.eu-west-1.on.aws/");
    } finally {
      delete process.env.JIT_CONFIG;
    }
  });
});

describe("what a stage refuses", () => {
  it("--as: nobody names who they are", async () => {
    const refused = await onStage("U01ALICE", "whoami", "--as", "U03DAVE");
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      "jit: as: --as is for the sandbox: against a deployed stage you act as the AWS identity your credentials sign with",
    );
  });

  it("no credentials: says how to get some", async () => {
    const refused = await onStage(undefined, "whoami");
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^jit: no AWS credentials to sign with .*aws sso login.*--aws-profile/);
  });

  it("an unrecorded stage: says how to record it", async () => {
    const refused = await run(["--stage", "production", "whoami"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /no stage "production" is recorded( \(known: [^)]*\))?: add it with `jit stage add production --url/,
    );
  });

  it("a stage name that is not a plain name (a path, a wildcard)", async () => {
    for (const name of ["../prod", "prod/x", "*"]) {
      const refused = await run([
        "stage",
        "add",
        name,
        "--url",
        "https://abcdefghij.lambda-url.eu-west-1.on.aws/",
      ]);
      expect(refused.code, name).toBe(1);
      expect(refused.err, name).toMatch(/is not a stage name/);
    }
  });

  it("a stage URL over plain http elsewhere than this machine", async () => {
    const refused = await run(["stage", "add", "prod", "--url", "http://jit.example.com/"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/must be https/);
  });
});
