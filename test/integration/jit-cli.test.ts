/**
 * The `jit` command as a person meets it, in-process against a real sandbox (dynalite, the real
 * workflow, the sandbox account) behind the real API: exit codes and the exact lines printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Io } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { systemClock } from "../../core/clock.ts";
import { startApi } from "../../local/api.ts";
import { writeApiToken } from "../../local/api-guard.ts";
import { ConsoleNotifier } from "../../local/console-notifier.ts";
import { EXAMPLE_FLEET } from "../../local/nodes.ts";
import { type Sandbox, startSandbox } from "../../local/sandbox.ts";
import { exampleConfig } from "../helpers/config.ts";
import { captureLogs } from "../helpers/logs.ts";

const ALICE_ROLE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
const LONG_EMAIL = "maximiliane.oberhollenzer-vandenbroucke@subsidiary.example.com";

let sandbox: Sandbox;
let server: Awaited<ReturnType<typeof startApi>>;
let dataDir = "";
let url = "";
beforeAll(async () => {
  sandbox = await startSandbox({
    config: exampleConfig(),
    nodes: EXAMPLE_FLEET,
    clock: systemClock,
    notifier: new ConsoleNotifier(() => {}),
    table: "jit-cli",
  });
  dataDir = mkdtempSync(join(tmpdir(), "jit-cli-"));
  const people = join(dataDir, "people.json");
  writeFileSync(
    people,
    JSON.stringify({
      U01ALICE: "alice@example.com",
      U02BOB: "bob@example.com",
      U03DAVE: "dave@example.com",
      U09DAN: "dan@example.com",
      U0LONG: LONG_EMAIL,
    }),
  );
  const token = writeApiToken(dataDir);
  server = await startApi({ deps: sandbox.deps, account: sandbox.account, notices: [] }, 0, { token });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  Object.assign(process.env, { JIT_DATA: dataDir, JIT_URL: url, JIT_PEOPLE: people });
});
afterAll(async () => {
  for (const name of ["JIT_DATA", "JIT_URL", "JIT_PEOPLE"]) delete process.env[name];
  rmSync(dataDir, { recursive: true, force: true });
  await new Promise<void>((r) => server.close(() => r()));
  await sandbox.stop();
});

/** A terminal (or a pipe) that records lines and lets the test press Ctrl-C. */
function terminal(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  let interrupt: (() => void) | undefined;
  const io: Io = {
    out: (t) => out.push(...t.split("\n")),
    err: (t) => err.push(...t.split("\n")),
    tty,
    live: () => {},
    onInterrupt: (handler) => {
      interrupt = handler;
      return () => {
        interrupt = undefined;
      };
    },
  };
  return { io, out, err, pressCtrlC: () => interrupt?.() };
}

const jit = async (words: string[], tty = false) => {
  const t = terminal(tty);
  const code = await main(words, t.io);
  return { code, out: t.out, err: t.err };
};

const idOf = (lines: string[]) => /(\d{8}-[0-9a-z]{8})/.exec(lines.join("\n"))?.[1] ?? "";

/** The local clock time a line shows for `iso`, the way the CLI prints it today. */
const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
};

describe("jit request --wait tells the true outcome", () => {
  it("a grant over alice's inline quota exits 1 with the reason in one line", async () => {
    // Prepare: alice's role already carries a large policy of its own.
    sandbox.account.putForeignPolicy(ALICE_ROLE, "team-baseline", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"x".repeat(9500)}` }],
    });
    const logged = captureLogs("error");
    // Act
    const { code, out, err } = await jit(["request", "--as", "U01ALICE", "--profile", "sandbox", "--wait"]);
    const logs = logged.raw();
    logged.restore();
    sandbox.account.putForeignPolicy(ALICE_ROLE, "team-baseline", { Version: "2012-10-17", Statement: [] });
    // Assess
    const id = idOf([...out, ...err]);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      new RegExp(
        `^jit: ${id} not granted: granting would put ${ALICE_ROLE} over IAM's inline policy quota: \\d+ characters in use \\+ \\d+ needed > 10240\\. Revoke one of its active grants or ask an admin to shorten the profile\\.$`,
      ),
    );
    expect(out.join("\n")).not.toContain("0 of 0");
    expect(out.join("\n")).not.toContain("failed");
    // The grant task's failure is logged as Powertools' JSON line, the handler named.
    expect(logs).toContain('"handler":"grant-access"');
    expect(logs).toContain("QuotaExceededError");
  });

  it("an auto-approved grant never waits for 0 of 0 and prints its final state once", async () => {
    const { code, out, err } = await jit(["request", "--as", "U02BOB", "--profile", "sandbox", "--wait"]);
    const id = idOf(out);
    const record = await sandbox.deps.store.get(id);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out.join("\n")).not.toContain("0 of 0");
    expect(out.filter((l) => l.includes("active until"))).toEqual([
      `${id}: active until ${hhmm(record?.expiresAt ?? "")} (in 1h)`,
    ]);
  });

  it("a denied request exits 1 naming the denier and the reason", async () => {
    const waiting = jit([
      "request",
      ...[
        "--as",
        "U01ALICE",
        "--profile",
        "prod-web",
        "--reason",
        "disk full",
        "--ticket",
        "INC-7",
        "--wait",
      ],
    ]);
    const id = await pendingIdOf("U01ALICE");
    expect((await jit(["deny", id, "--as", "U03DAVE", "--reason", "not during the freeze"])).code).toBe(0);
    const { code, out, err } = await waiting;
    expect(code).toBe(1);
    expect(out).toEqual([`${id}: waiting for approval: 0 of 1`]);
    expect(err).toEqual([`jit: ${id} denied by U03DAVE: not during the freeze`]);
  });

  it("Ctrl-C while waiting says the request is still pending and how to cancel it", async () => {
    const t = terminal();
    const waiting = main(
      [
        "request",
        "--as",
        "U01ALICE",
        "--profile",
        "prod-web",
        "--reason",
        "deploy",
        "--ticket",
        "CHG-9",
        "--wait",
      ],
      t.io,
    );
    const id = await pendingIdOf("U01ALICE");
    await expect.poll(() => t.out.length).toBeGreaterThan(0);
    t.pressCtrlC();
    expect(await waiting).toBe(130);
    expect(t.err).toEqual([
      `jit: ${id} is still pending (waiting for approval: 0 of 1); cancel it with: jit cancel ${id} --as U01ALICE`,
    ]);
    await jit(["cancel", id, "--as", "U01ALICE"]);
  });
});

/** The id of `person`'s newest pending request, once the sandbox has it. */
async function pendingIdOf(person: string): Promise<string> {
  let id = "";
  await expect
    .poll(async () => {
      const mine = await sandbox.deps.store.listByRequester(person);
      id =
        mine.filter((r) => r.status === "PENDING").sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]
          ?.id ?? "";
      return id;
    })
    .not.toBe("");
  return id;
}

describe("jit cancel", () => {
  it("says cancelled, and a second cancel says it already was (exit 1)", async () => {
    const asked = await jit(["request", "--as", "U01ALICE", "--profile", "staging", "--reason", "logs"]);
    const id = idOf(asked.out);
    const first = await jit(["cancel", id, "--as", "U01ALICE"]);
    expect(first).toEqual({ code: 0, out: [`cancelled: ${id}`], err: [] });
    const second = await jit(["cancel", id, "--as", "U01ALICE"]);
    expect(second).toEqual({
      code: 1,
      out: [],
      err: [`jit: ${id} was already cancelled; nothing was changed`],
    });
  });
});

describe("jit show", () => {
  it("puts the denier and the reason in the header and tells the trail in sentences", async () => {
    const asked = await jit([
      "request",
      "--as",
      "U01ALICE",
      "--profile",
      "prod-web",
      "--reason",
      "why",
      "--ticket",
      "INC-3",
    ]);
    const id = idOf(asked.out);
    await expect.poll(async () => (await sandbox.deps.store.get(id))?.taskToken).toBeDefined();
    await jit(["deny", id, "--as", "U03DAVE", "--reason", "use the runbook"]);
    const { code, out } = await jit(["show", id]);
    expect(code).toBe(0);
    expect(out[0]).toBe(`${id}  DENIED  prod-web  requested by U01ALICE (alice@example.com)`);
    expect(out[1]).toBe("denied by U03DAVE: use the runbook");
    expect(out).toContain("reason: why  ticket: INC-3");
    const trail = out.slice(out.indexOf("audit trail:") + 1).map((l) => l.replace(/^ {2}.*?\) {2}/, ""));
    expect(trail).toContain("U01ALICE requested prod-web for 1h");
    expect(trail).toContain("U03DAVE denied it: use the runbook");
    expect(out.join("\n")).not.toMatch(/\{"|\d{4}-\d\d-\d\dT/);
    const followed = await jit(["show", id, "--follow"]);
    expect(followed.code).toBe(1);
    expect(followed.out[1]).toBe("denied by U03DAVE: use the runbook");
  });

  it("counts approvals in the trail: approved by U03DAVE (1 of 1)", async () => {
    const asked = await jit([
      "request",
      "--as",
      "U01ALICE",
      "--profile",
      "prod-web",
      "--reason",
      "why",
      "--ticket",
      "INC-4",
    ]);
    const id = idOf(asked.out);
    await expect.poll(async () => (await sandbox.deps.store.get(id))?.taskToken).toBeDefined();
    await jit(["approve", id, "--as", "U03DAVE"]);
    await expect.poll(async () => (await sandbox.deps.store.get(id))?.status).toBe("ACTIVE");
    const { out } = await jit(["show", id]);
    expect(out.some((l) => l.endsWith("  approved by U03DAVE (1 of 1)"))).toBe(true);
    await jit(["revoke", id, "--as", "U01ALICE"]);
  });
});

describe("jit list", () => {
  it("shows an approver what waits for their vote first, in a table that holds long emails", async () => {
    const asked = await jit([
      "request",
      "--as",
      LONG_EMAIL,
      "--profile",
      "prod-web",
      "--reason",
      "long email check",
      "--ticket",
      "INC-5",
    ]);
    const id = idOf(asked.out);
    process.env.NO_COLOR = "1";
    const { code, out } = await jit(["list", "--as", "U03DAVE"], true);
    delete process.env.NO_COLOR;
    expect(code).toBe(0);
    expect(out[0]).toBe("Waiting for your vote:");
    const header = out[1] ?? "";
    expect(header).toMatch(/^ID\s+PROFILE\s+REQUESTER\s+APPROVALS\s+ASKED$/);
    const row = out.find((l) => l.startsWith(id)) ?? "";
    expect(row.indexOf(LONG_EMAIL)).toBe(header.indexOf("REQUESTER"));
    expect(row.indexOf("0 of 1")).toBe(header.indexOf("APPROVALS"));
    await jit(["cancel", id, "--as", LONG_EMAIL]);
  });

  it("colours a terminal's table, but never when piped or with NO_COLOR", async () => {
    await jit(["request", "--as", "U02BOB", "--profile", "staging", "--reason", "colour check"]);
    const esc = "\x1b[";
    const given = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    expect((await jit(["list"], true)).out.join("\n")).toContain(esc);
    expect((await jit(["list"], false)).out.join("\n")).not.toContain(esc);
    process.env.NO_COLOR = "1";
    const noColor = await jit(["list"], true);
    process.env.NO_COLOR = given;
    if (given === undefined) delete process.env.NO_COLOR;
    expect(noColor.out.join("\n")).not.toContain(esc);
    expect(noColor.out[0]).toMatch(/^ID\s+STATUS\s+PROFILE\s+REQUESTER\s+WHEN$/);
  });
});

describe("jit profiles and jit whoami", () => {
  it("lists what a person may request: nodes, accounts, maximum, approvers", async () => {
    const { code, out } = await jit(["profiles", "--as", "U01ALICE"]);
    expect(code).toBe(0);
    expect(out).toContain(
      "staging\tEnv=staging\tprod\t8h\t1 of U03DAVE (an approver may approve their own request)",
    );
    expect(out).toContain("sandbox\tEnv=sandbox Owner=team-*\tprod\t8h\tnone: granted at once");
    expect(out).toContain("web-release\tEnv=prod|staging App=web\tprod, staging\t2h\t1 of U03DAVE, U04ERIN");
    expect(out).toContain("lab\tEnv=lab\tsandbox\t8h\tnone: granted at once");
  });

  it("says who I am, my principal in each account and my active grants", async () => {
    const { code, out } = await jit(["whoami", "--as", "dan@example.com"]);
    expect(code).toBe(0);
    expect(out).toEqual([
      `U09DAN (dan@example.com) at the sandbox ${url}`,
      "principal: arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_0123456789abcdef as session dan@example.com (the Identity Center shared role: your grants land in its slots /jit/jit-grants-1..4)",
      "  in staging (444455556666): arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_0123456789abcdef as session dan@example.com",
      "  in sandbox (777788889999): arn:aws:iam::777788889999:role/lab-shared as session dan@example.com",
      "approver of: no profile",
      "active grants: none",
    ]);
  });
});
