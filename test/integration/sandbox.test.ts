/**
 * The local sandbox as a person uses it: `npm start` in a subprocess, driven through the `jit`
 * command; restarts keep the data; `npm run demo` tells the whole story.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);

interface Sandbox {
  child: ChildProcess;
  /** The API port the sandbox reports in its banner. */
  port: number;
  /** Its data folder (JIT_DATA), where it writes the API token `jit` reads. */
  data: string;
  output: () => string;
  /** Ctrl-C to the process group; true once the sandbox says it stopped cleanly (its last words). */
  stop: () => Promise<boolean>;
}

const running: Sandbox[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** Starts `npm start` and waits for its banner (or its exit). */
async function npmStart(env: Record<string, string>): Promise<Sandbox> {
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const sandbox: Sandbox = {
    child,
    port: 0,
    data: env.JIT_DATA ?? "",
    output: () => out,
    stop: async () => {
      if (!out.includes("Stop with Ctrl-C.")) return false;
      if (child.pid) {
        try {
          process.kill(-child.pid, "SIGINT");
        } catch {
          // Already gone.
        }
      }
      const deadline = Date.now() + 10_000;
      while (!out.includes("sandbox stopped; data kept in") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      return out.includes("sandbox stopped; data kept in");
    },
  };
  const deadline = Date.now() + 20_000;
  while (!out.includes("Stop with Ctrl-C.")) {
    if (child.exitCode !== null || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  running.push(sandbox);
  sandbox.port = Number(/API {9}http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? 0);
  return sandbox;
}

/**
 * Runs `jit …` as a person would, next to the sandbox on that port: with its data folder, where
 * the API token is (or with `data` given, another folder); resolves with its exit code and output.
 */
async function jit(port: number, ...args: string[]) {
  return jitIn(running.find((s) => s.port === port)?.data ?? "", port, ...args);
}

async function jitIn(data: string, port: number, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/jit.js", ...args], {
      cwd: ROOT,
      env: { ...process.env, JIT_PORT: String(port), JIT_DATA: data },
    });
    return { code: 0, stdout: stdout.trim(), stderr: stderr.trim() };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout.trim(), stderr: e.stderr.trim() };
  }
}

const idOf = (text: string) => /(\d{8}-[0-9a-z]{8})/.exec(text)?.[1] ?? "";

describe("npm start", () => {
  it("runs the whole lifecycle through the jit command", async () => {
    // Prepare
    const data = mkdtempSync(join(tmpdir(), "jit-sandbox-"));
    const sandbox = await npmStart({ JIT_PORT: "0", JIT_DATA: data });
    const port = sandbox.port;
    expect(port, sandbox.output()).toBeGreaterThan(0);
    expect(sandbox.output()).toContain(`\n  export JIT_URL=http://127.0.0.1:${port}   (`);

    // Act and assess, step by step as a person would.
    const asked = await jit(
      port,
      "request",
      "--as",
      "U01ALICE",
      "--profile",
      "prod-web",
      "--for",
      "1h",
      "--reason",
      "disk full",
      "--ticket",
      "INC-1",
    );
    expect(asked.stdout).toMatch(/waiting for approval: 0 of 1/);
    const id = idOf(asked.stdout);
    expect((await jit(port, "approve", id, "--as", "U01ALICE")).stderr).toBe(
      "jit: you are not an approver of the prod-web profile",
    );
    expect((await jit(port, "approve", id, "--as", "U03DAVE")).stdout).toBe(`approved: ${id}`);
    await expect.poll(async () => (await jit(port, "show", id)).stdout, { timeout: 5000 }).toMatch(/ACTIVE/);

    const allowed = await jit(
      port,
      "ssm",
      "start-session",
      "--as",
      "U01ALICE",
      "--target",
      "i-0web1000000000001",
    );
    expect(allowed).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Starting session with SessionId: alice-/),
    });
    const refused = await jit(
      port,
      "ssm",
      "start-session",
      "--as",
      "U01ALICE",
      "--target",
      "i-0db10000000000003",
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("AccessDeniedException");
    expect((await jit(port, "sessions")).stdout).toMatch(/Connected\s+i-0web1000000000001/);

    expect((await jit(port, "revoke", id, "--as", "U01ALICE")).stdout).toBe(`revoked: ${id}`);
    expect((await jit(port, "sessions")).stdout).toMatch(/Terminated\si-0web1000000000001/);
    const shown = await jit(port, "show", id, "--json");
    const { request, trail } = JSON.parse(shown.stdout);
    expect(request.status).toBe("REVOKED");
    expect(trail.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(["requested", "active", "session-started", "revoked"]),
    );
    expect(sandbox.output()).toContain("notice  granted");

    // Ctrl-C while waiting stops the waiting, not the request, and says how to cancel it.
    const waiting = spawn(
      process.execPath,
      ["bin/jit.js", "request", "--as", "U01ALICE", "--profile", "staging", "--reason", "logs", "--wait"],
      { cwd: ROOT, env: { ...process.env, JIT_PORT: String(port), JIT_DATA: data } },
    );
    let said = "";
    waiting.stdout.on("data", (d) => {
      said += d;
    });
    waiting.stderr.on("data", (d) => {
      said += d;
    });
    await expect.poll(() => said, { timeout: 5000 }).toMatch(/waiting for approval: 0 of 1/);
    const exited = new Promise<number | null>((r) => waiting.on("exit", (code) => r(code)));
    waiting.kill("SIGINT");
    expect(await exited).toBe(130);
    const pendingId = idOf(said);
    expect(said).toContain(
      `jit: ${pendingId} is still pending (waiting for approval: 0 of 1); cancel it with: jit cancel ${pendingId} --as U01ALICE`,
    );
    expect(await jit(port, "cancel", pendingId, "--as", "U01ALICE")).toMatchObject({
      code: 0,
      stdout: `cancelled: ${pendingId}`,
    });

    // Clear errors, and exit codes a shell sees.
    expect(await jit(port, "list", "profiles")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "jit: too many arguments for 'list'. Expected 0 arguments but got 1: profiles. See `jit list --help`.",
    });
    expect((await jit(port, "show", "20261126-zzzzzzzz")).stderr).toBe("jit: no request 20261126-zzzzzzzz");

    // Only jit gets in: the token is the user's alone, a page's simple POST and a jit without the
    // token are refused.
    expect(statSync(join(data, "api-token")).mode & 0o777).toBe(0o600);
    const page = await fetch(`http://127.0.0.1:${port}/requests`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ as: "U03DAVE", profile: "sandbox" }),
    });
    expect(page.status).toBe(401);
    const elsewhere = mkdtempSync(join(tmpdir(), "jit-elsewhere-"));
    expect((await jitIn(elsewhere, port, "list")).stderr).toBe(
      `jit: the sandbox refused jit's token (there is no token at ${join(elsewhere, "api-token")}): run jit in the folder where \`npm start\` runs, or set JIT_DATA to the sandbox's data folder`,
    );
    const second = await npmStart({
      JIT_PORT: String(port),
      JIT_DATA: mkdtempSync(join(tmpdir(), "jit-sandbox-")),
    });
    expect(second.output()).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(await sandbox.stop()).toBe(true);
    expect((await jit(port, "list")).stderr).toBe(
      `jit: no sandbox answers at http://127.0.0.1:${port}: start it with \`npm start\` (or set JIT_URL)`,
    );
  }, 60_000);

  it("keeps its data across a restart: a pending request can be approved, an expired grant is revoked on start", async () => {
    const data = mkdtempSync(join(tmpdir(), "jit-sandbox-"));
    const first = await npmStart({ JIT_PORT: "0", JIT_DATA: data });
    expect(first.port, first.output()).toBeGreaterThan(0);
    let port = first.port;
    const pending = idOf(
      (
        await jit(
          port,
          "request",
          "--as",
          "U01ALICE",
          "--profile",
          "staging",
          "--for",
          "2h",
          "--reason",
          "logs",
        )
      ).stdout,
    );
    const granted = idOf(
      (await jit(port, "request", "--as", "U02BOB", "--profile", "sandbox", "--for", "1m", "--wait")).stdout,
    );
    expect((await jit(port, "show", granted)).stdout).toMatch(/ACTIVE/);
    expect(await first.stop()).toBe(true);

    // Two hours later (the clock is shifted), the sandbox starts again on the same data.
    const second = await npmStart({ JIT_PORT: "0", JIT_DATA: data, JIT_CLOCK_OFFSET: "2h" });
    port = second.port;
    expect(second.output()).toContain(`revoked 1 overdue grant(s) [${granted}]`);
    expect((await jit(port, "show", granted)).stdout).toMatch(/REVOKED/);
    const { accounts } = JSON.parse(readFileSync(join(data, "accounts.json"), "utf8"));
    const policies = Object.values(accounts as Record<string, { policies: object }>).flatMap((a) =>
      Object.values(a.policies).flatMap((p) => Object.keys(p as object)),
    );
    expect(policies).toEqual([]);

    expect((await jit(port, "approve", pending, "--as", "U03DAVE")).stdout).toBe(`approved: ${pending}`);
    await expect
      .poll(async () => (await jit(port, "show", pending)).stdout, { timeout: 5000 })
      .toMatch(/ACTIVE/);
  }, 60_000);
});

describe("npm start as an organization of three accounts", () => {
  it("grants across two accounts, opens a session in each, names both, ends both with one revoke, and keeps them on disk", async () => {
    // Prepare
    const data = mkdtempSync(join(tmpdir(), "jit-sandbox-"));
    const sandbox = await npmStart({ JIT_PORT: "0", JIT_DATA: data });
    const { port } = sandbox;
    expect(port, sandbox.output()).toBeGreaterThan(0);
    expect(sandbox.output()).toContain(
      "Accounts    prod (123456789012): 7 nodes (the hub); staging (444455556666): 3 nodes; sandbox (777788889999): 2 nodes",
    );

    // Act: alice asks for web-release (prod and staging), erin approves.
    const id = idOf(
      (await jit(port, "request", "--as", "U01ALICE", "--profile", "web-release", "--reason", "release"))
        .stdout,
    );
    expect((await jit(port, "approve", id, "--as", "U04ERIN")).stdout).toBe(`approved: ${id}`);
    // ACTIVE is claimed before the policies are written; the grant is announced once they are.
    await expect
      .poll(() => sandbox.output(), { timeout: 5000 })
      .toMatch(new RegExp(`notice {2}granted +${id}`));
    const web2 = await jit(
      port,
      "ssm",
      "start-session",
      "--as",
      "U01ALICE",
      "--target",
      "i-0web2000000000002",
    );
    const stgWeb1 = await jit(
      port,
      "ssm",
      "start-session",
      "--as",
      "U01ALICE",
      "--target",
      "i-0sweb100000000011",
    );

    // Assess: a session in each account, each named.
    expect(web2.code, web2.stderr).toBe(0);
    expect(stgWeb1.code, stgWeb1.stderr).toBe(0);
    expect((await jit(port, "show", id)).stdout).toContain(
      "accounts: prod (123456789012), staging (444455556666)",
    );
    const sessions = (await jit(port, "sessions")).stdout;
    expect(sessions).toMatch(/\tConnected\ti-0web2000000000002\tprod \(123456789012\)\t/);
    expect(sessions).toMatch(/\tConnected\ti-0sweb100000000011\tstaging \(444455556666\)\t/);
    const saved = () => JSON.parse(readFileSync(join(data, "accounts.json"), "utf8")).accounts;
    expect(Object.keys(saved())).toEqual(["123456789012", "444455556666", "777788889999"]);
    expect(saved()["444455556666"].sessions.map((s: { target: string }) => s.target)).toEqual([
      "i-0sweb100000000011",
    ]);

    // Act: one revoke.
    expect((await jit(port, "revoke", id, "--as", "U01ALICE")).stdout).toBe(`revoked: ${id}`);

    // Assess: both sessions end, each in its account; nothing is left in any account.
    await expect
      .poll(async () => (await jit(port, "sessions")).stdout.match(/\tTerminated\t/g)?.length, {
        timeout: 5000,
      })
      .toBe(2);
    const policies = Object.values(saved() as Record<string, { policies: object }>).flatMap((a) =>
      Object.values(a.policies).flatMap((p) => Object.keys(p as object)),
    );
    expect(policies).toEqual([]);
    expect(await sandbox.stop()).toBe(true);

    // Act: the folder as a sandbox of one account left it (account.json, the hub's alone).
    writeFileSync(join(data, "account.json"), JSON.stringify(saved()["123456789012"]));
    rmSync(join(data, "accounts.json"));
    const again = await npmStart({ JIT_PORT: "0", JIT_DATA: data });

    // Assess: it loads; the hub's session is there, named; the first save writes accounts.json.
    expect(again.port, again.output()).toBeGreaterThan(0);
    const loaded = (await jit(again.port, "sessions")).stdout;
    expect(loaded).toMatch(/\tTerminated\ti-0web2000000000002\tprod \(123456789012\)\t/);
    expect(loaded).not.toContain("i-0sweb100000000011");
    expect(await again.stop()).toBe(true);
    expect(existsSync(join(data, "account.json"))).toBe(false);
    expect(Object.keys(saved())).toEqual(["123456789012", "444455556666", "777788889999"]);
  }, 60_000);
});

describe("npm run demo", () => {
  it("tells the story, each step printed, and succeeds", async () => {
    const { stdout } = await run("npm", ["run", "demo", "--silent"], { cwd: ROOT });
    for (const step of [
      "▶ bob asks for prod-db",
      "bob's request is DENIED",
      "is ACTIVE until 2026-11-26T10:00:00.000Z",
      "allowed: session alice-",
      "▶ alice tries db-1",
      "refused: arn:aws:sts::123456789012:assumed-role/jit-alice/alice is not authorized to perform: ssm:StartSession on arn:aws:ec2:eu-west-1:123456789012:instance/i-0db10000000000003",
      "is REVOKED at 2026-11-26T10:00:00.000Z; session alice-",
      "is Terminated",
      "▶ alice tries web-1 again after expiry",
      "session-ended",
      "approved at once for 120 min",
      "is PENDING: not on call in the profile's PagerDuty schedules",
      "granted without approvers (0 approvals)",
      "reminded: 2026",
      "review: ok by U04ERIN; unreviewed left: 0",
      "Demo complete",
    ]) {
      expect(stdout).toContain(step);
    }
    // The grant spanning two accounts: in both, a session in each, both closed by one revoke.
    const id =
      /▶ alice asks for web-release[^\n]*\n(?:.*\n)*?.*notice {2}approval-needed {2}(\d{8}-[0-9a-z]{8})/.exec(
        stdout,
      )?.[1];
    expect(id).toBeDefined();
    for (const line of [
      `    prod (123456789012): policy jit-${id} on arn:aws:iam::123456789012:role/oncall/jit-alice`,
      `    staging (444455556666): policy jit-${id} on arn:aws:iam::444455556666:role/oncall/jit-alice`,
      `    ${id} is REVOKED; policy jit-${id} is gone from both accounts`,
      "    prod (123456789012): 0 jit grants left, 0 live sessions",
      "    staging (444455556666): 0 jit grants left, 0 live sessions",
      "    sandbox (777788889999): 0 jit grants left, 0 live sessions",
    ])
      expect(stdout.split("\n")).toContain(line);
    expect(stdout).toMatch(
      /alice on web-2 \(i-0web2000000000002\) in prod \(123456789012\): allowed: session alice-/,
    );
    expect(stdout).toMatch(
      /alice on stg-web-1 \(i-0sweb100000000011\) in staging \(444455556666\): allowed: session alice-/,
    );
    expect(stdout).toContain(
      "alice on stg-db-1 (i-0sdb1000000000013), outside the profile: refused: arn:aws:sts::444455556666:assumed-role/jit-alice/alice is not authorized",
    );
    expect(stdout).toMatch(/session alice-\w+ in prod \(123456789012\): Terminated/);
    expect(stdout).toMatch(/session alice-\w+ in staging \(444455556666\): Terminated/);
    expect(stdout).toMatch(
      /session-started +arn:aws:sts::444455556666:assumed-role\/jit-alice\/alice {2}in staging \(444455556666\)/,
    );
    expect(stdout).toMatch(/session-ended +\S+ {2}in staging \(444455556666\)/);
  }, 60_000);
});
