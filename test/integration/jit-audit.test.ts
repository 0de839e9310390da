/**
 * `jit audit` as an auditor meets it: the real command line, the sandbox API and the core use case
 * over dynalite, reading a seeded history of 60 requests (every status, break-glass reviewed and
 * not, sessions on six nodes, shell and port-forwarding transcripts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Io } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { callSandbox } from "../../cli/sandbox-client.ts";
import { systemClock } from "../../core/clock.ts";
import { STATUSES } from "../../core/request.ts";
import type { AuditRow } from "../../core/usecases/audit.ts";
import { startApi } from "../../local/api.ts";
import { writeApiToken } from "../../local/api-guard.ts";
import { EXAMPLE_FLEET } from "../../local/nodes.ts";
import { type Sandbox, startSandbox } from "../../local/sandbox.ts";
import { seededHistory, writeHistory } from "../../local/seed-history.ts";
import { transcriptPath } from "../../local/transcripts.ts";
import { exampleConfig } from "../helpers/config.ts";

const START = new Date("2026-10-01T00:30:00.000Z");
const NOW = new Date("2026-10-20T12:00:00.000Z");
const config = exampleConfig();
let sandbox: Sandbox;
let server: Awaited<ReturnType<typeof startApi>>;
let dataDir = "";
const history = () =>
  seededHistory({ config, count: 60, start: START, transcriptFile: (id) => transcriptPath(dataDir, id) });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "jit-audit-"));
  sandbox = await startSandbox({ config, nodes: EXAMPLE_FLEET, clock: systemClock, table: "jit-audit" });
  await writeHistory(sandbox.store, history());
  const token = writeApiToken(dataDir);
  server = await startApi({ deps: sandbox.deps, account: sandbox.account, notices: [] }, 0, { token });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  Object.assign(process.env, { JIT_DATA: dataDir, JIT_URL: url });
});
afterAll(async () => {
  for (const name of ["JIT_DATA", "JIT_URL"]) delete process.env[name];
  await new Promise<void>((r) => server.close(() => r()));
  await sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const jit = async (words: string[], tty = false) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(...t.split("\n")),
    err: (t) => err.push(...t.split("\n")),
    tty,
    now: () => NOW,
  };
  const code = await main(["audit", ...words], io);
  return { code, out, err };
};

const jsonRows = async (words: string[]) => {
  const { code, out, err } = await jit([...words, "--format", "json"]);
  expect({ code, err }).toEqual({ code: 0, err: [] });
  return out.map((line) => JSON.parse(line) as AuditRow);
};

/** A line without the colour a terminal gets. */
const plain = (line = "") => line.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");

/** RFC 4180, strictly: quoted fields may hold commas, CRLF and doubled quotes; records end CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      records.push([...record, field]);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  expect(field === "" && record.length === 0 && !quoted, "the document ends with CRLF").toBe(true);
  return records;
}

describe("jit audit over a seeded sandbox history", () => {
  it("prints JSON Lines: one parseable request per line, every status, break-glass and sessions", async () => {
    const rows = await jsonRows(["--since", "30d"]);
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(STATUSES));
    const glass = rows.filter((r) => r.breakGlass);
    expect(glass.some((r) => r.review?.outcome === "ok") && glass.some((r) => !r.review)).toBe(true);
    const sessions = rows.flatMap((r) => r.sessions);
    expect(new Set(sessions.map((s) => s.node)).size).toBeGreaterThanOrEqual(5);
    expect(sessions.some((s) => s.transcript === transcriptPath(dataDir, s.sessionId))).toBe(true);
    expect(sessions.some((s) => s.transcript?.includes("Session Manager does not log"))).toBe(true);
    expect(rows.every((r) => r.account === "123456789012")).toBe(true);
    // Decisions: approvals by name, auto-approvals, on-call approvals, denials with their reason.
    const decisions = rows.flatMap((r) => r.decisions);
    expect(decisions.some((d) => d.decision === "denied" && d.reason === "use the runbook instead")).toBe(
      true,
    );
    expect(decisions.some((d) => d.decision === "auto-approved")).toBe(true);
    const onCall = rows.filter((r) => r.decisions.some((d) => d.decision === "on-call"));
    expect(onCall.length).toBeGreaterThan(0);
    expect(onCall.every((r) => r.profile === "prod-web" && r.onCall?.provider === "pagerduty")).toBe(true);
    expect(rows.some((r) => r.expiredAt && r.status === "REVOKED")).toBe(true);
    expect(rows.some((r) => r.revokedBy === r.requester)).toBe(true);
  });

  it("writes CSV with a header and one record per request, formulas neutralized", async () => {
    const { code, out } = await jit(["--since", "30d", "--format", "csv"]);
    const records = parseCsv(`${out.join("\n")}\n`);
    expect(code).toBe(0);
    expect(records[0]?.slice(0, 3)).toEqual(["request_id", "created_at", "requester"]);
    expect(records).toHaveLength(61);
    expect(records.every((r) => r.length === records[0]?.length)).toBe(true);
    const reasons = records.slice(1).map((r) => r[8] ?? "");
    expect(reasons).toContain(`'=HYPERLINK("http://evil.example","ok")`);
    expect(reasons).toContain("'@SUM(1+1)");
    expect(records.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
  });

  it("filters by profile, by person (ID or email, any case) and by window", async () => {
    const all = history().map((h) => h.request);
    const db = await jsonRows(["--since", "30d", "--profile", "prod-db"]);
    expect(db.map((r) => r.requestId)).toEqual(all.filter((r) => r.profileId === "prod-db").map((r) => r.id));
    const alice = all.filter((r) => r.requester.slackUserId === "U01ALICE").map((r) => r.id);
    expect((await jsonRows(["--since", "30d", "--person", "U01ALICE"])).map((r) => r.requestId)).toEqual(
      alice,
    );
    expect(
      (await jsonRows(["--since", "30d", "--person", "ALICE@example.com"])).map((r) => r.requestId),
    ).toEqual(alice);
    const window = await jsonRows(["--from", "2026-10-01T10:00:00Z", "--to", "2026-10-02T00:00:00Z"]);
    const inWindow = all.filter(
      (r) => r.createdAt >= "2026-10-01T10:00:00" && r.createdAt < "2026-10-02T00:00:00",
    );
    expect(window.map((r) => r.requestId)).toEqual(inWindow.map((r) => r.id));
    // A date alone as --to takes in that whole day.
    expect(await jsonRows(["--from", "2026-10-01", "--to", "2026-10-01"])).toHaveLength(24);
  });

  it("says so when the window holds nothing, in every format", async () => {
    const table = await jit(["--from", "2026-09-01", "--to", "2026-09-02"]);
    expect(table).toEqual({
      code: 0,
      out: ["No requests were made between 2026-09-01 00:00:00Z and 2026-09-03 00:00:00Z."],
      err: [],
    });
    const json = await jit(["--since", "30d", "--person", "nobody@example.com", "--json"]);
    expect(json.out).toEqual([]);
    expect(json.err).toEqual([
      "No requests by nobody@example.com were made between 2026-09-20 12:00:00Z and 2026-10-20 12:00:00Z.",
    ]);
    // Filters match exactly: a wildcard or a template is a name no profile has.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template, as someone might type it
    for (const profile of ["*", "prod-*", "${profile}"]) {
      const wild = await jit(["--since", "30d", "--profile", profile, "--json"]);
      expect(wild.out).toEqual([]);
      expect(wild.err[0]).toContain(`No requests for profile ${profile} were made`);
    }
    const csv = await jit(["--since", "30d", "--profile", "nope", "--format", "csv"]);
    expect(parseCsv(`${csv.out.join("\n")}\n`)).toHaveLength(1);
    expect(csv.err[0]).toMatch(/^No requests for profile nope were made between/);
  });

  it("prints a table with the sessions beneath it, control characters removed", async () => {
    const id = "20260815-zzzzzzzz";
    const [first] = history();
    if (!first) throw new Error("no history");
    await sandbox.store.create({
      ...first.request,
      id,
      reason: "fine\u001b[2J\u001b]0;owned\u0007",
      createdAt: "2026-08-15T10:00:00.000Z",
    });
    for (const e of first.events) await sandbox.store.appendAudit({ ...e, requestId: id });
    const { code, out } = await jit(["--from", "2026-08-15", "--to", "2026-08-15"], true);
    expect(code).toBe(0);
    expect(out[0]).toBe("1 request(s) made between 2026-08-15 00:00:00Z and 2026-08-16 00:00:00Z:");
    expect(plain(out[1])).toMatch(
      /ID\s+CREATED\s+REQUESTER\s+PROFILE\s+STATUS\s+DECISIONS\s+GRANTED\s+ENDED\s+SESSIONS\s+REASON/,
    );
    const text = out.join("\n");
    expect(text.includes("\u001b[2J") || text.includes("\u0007")).toBe(false);
    expect(out).toContain("Sessions:");
  });

  it.each([
    [["--since", "abc"], 1, 'jit: since: "abc" is not a duration'],
    [["--from", "2026-10-05", "--to", "2026-10-01"], 1, "is not before --to"],
    [["--from", "2026-02-30"], 1, 'jit: from: --from "2026-02-30" is not a date or time'],
    [["--from", "2026-10-01T09:00"], 1, "with a zone"],
    [["--since", "1d", "--from", "2026-10-01"], 1, "not both"],
    [["--since", "400d"], 1, "over 366 days"],
    [["--format", "xml"], 2, "Allowed choices are table, json, csv"],
    [["--json", "--format", "csv"], 2, "disagree"],
  ])("refuses %j with a clear error", async (words, exit, message) => {
    const { code, out, err } = await jit(words);
    expect(code).toBe(exit);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
  });

  it("refuses a bad window at the API too, not only in the CLI", async () => {
    await expect(callSandbox("GET", "/audit?from=2026-10-05&to=2026-10-01")).rejects.toThrow(/is not before/);
    await expect(callSandbox("GET", "/audit?from=yesterday")).rejects.toThrow(/not a date or time/);
  });
});

describe("jit profiles on a terminal", () => {
  it("says which profiles' sessions leave no transcript, and only those", async () => {
    const out: string[] = [];
    const io: Io = { out: (t) => out.push(...t.split("\n")), err: () => {}, tty: true };
    expect(await main(["profiles", "--as", "U01ALICE"], io)).toBe(0);
    const notes = out.filter((l) => /^[\w-]+: No transcript/.test(l));
    expect(notes).toEqual([
      "prod-db: No transcript is kept of AWS-StartPortForwardingSession and AWS-StartPortForwardingSessionToRemoteHost sessions: Session Manager logs only shell sessions, never port forwarding or SSH.",
      "staging: No transcript is kept of AWS-StartSSHSession sessions: Session Manager logs only shell sessions, never port forwarding or SSH.",
    ]);
  });
});
