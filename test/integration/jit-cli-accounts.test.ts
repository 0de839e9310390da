/**
 * `jit` across the sandbox's accounts (issue 12), in-process against the example organization: a
 * request on web-release (prod and staging) granted in both, a session in each account by its node,
 * `jit show` and `jit sessions` naming the accounts, `jit connect` finding the node's account, and the
 * refusals (a node in no account of the grant, a node id two accounts share without --account). The
 * signed API's view of the same data, from a function that holds no way into member accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALLER_ROUTES, findRoute, type Route } from "../../adapters/api/routes.ts";
import type { SessionView } from "../../adapters/api/views.ts";
import { main } from "../../cli/main.ts";
import type { Deps } from "../../core/ports.ts";
import { personFor } from "../../local/people.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { captureIo } from "../helpers/io.ts";
import { type SandboxApi, startSandboxApi } from "../helpers/sandbox-api.ts";

const PROD = "123456789012";
const STAGING = "444455556666";
const WEB2 = "i-0web2000000000002";
const STG_WEB1 = "i-0sweb100000000011";
const STG_WEB2 = "i-0sweb200000000012";
const LAB1 = "i-0lab1000000000021";

let api: SandboxApi;
let sandbox: Sandbox;
beforeAll(async () => {
  api = await startSandboxApi("jit-cli-accounts");
  sandbox = api.sandbox;
});
afterAll(() => api.stop());

const jit = async (...words: string[]) => {
  const io = captureIo();
  const code = await main(words, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

const idOf = (text: string) => /(\d{8}-[0-9a-z]{8})/.exec(text)?.[1] ?? "";

/** alice's web-release request, approved by erin and granted in both accounts. */
async function releaseGrant(): Promise<string> {
  const asked = await jit("request", "--as", "U01ALICE", "--profile", "web-release", "--reason", "release");
  const id = idOf(asked.out);
  expect((await jit("approve", id, "--as", "U04ERIN")).code).toBe(0);
  // ACTIVE is claimed before the policies are written: wait for the policy in each account.
  await expect
    .poll(() => sandbox.organization.leftoverGrants().filter((l) => l.endsWith(`jit-${id}`)), {
      timeout: 5000,
    })
    .toEqual([
      `${PROD} arn:aws:iam::${PROD}:role/oncall/jit-alice jit-${id}`,
      `${STAGING} arn:aws:iam::${STAGING}:role/oncall/jit-alice jit-${id}`,
    ]);
  return id;
}

describe("a request spanning two accounts, through jit", () => {
  it("is shown with both accounts and alice's principal in each, and listed as spanning two", async () => {
    // Prepare
    const id = await releaseGrant();

    // Act
    const shown = await jit("show", id);
    const listed = await jit("list");

    // Assess
    expect(shown.code).toBe(0);
    const lines = shown.out.split("\n");
    expect(lines).toContain("accounts: prod (123456789012), staging (444455556666)");
    expect(lines).toContain("  in prod (123456789012) as arn:aws:iam::123456789012:role/oncall/jit-alice");
    expect(lines).toContain("  in staging (444455556666) as arn:aws:iam::444455556666:role/oncall/jit-alice");
    expect(listed.out.split("\n").find((l) => l.startsWith(id))).toContain("web-release (2 accounts)");
    const json = JSON.parse((await jit("show", id, "--json")).out);
    expect(json.accounts).toEqual([
      { accountId: PROD, name: "prod" },
      { accountId: STAGING, name: "staging" },
    ]);
    await jit("revoke", id, "--as", "U01ALICE");
  });

  it("opens a session in each account by its node, names the account of each, and one revoke ends both", async () => {
    // Prepare
    const id = await releaseGrant();

    // Act
    const inProd = await jit("ssm", "start-session", "--as", "U01ALICE", "--target", WEB2, "--json");
    const inStaging = await jit("ssm", "start-session", "--as", "U01ALICE", "--target", STG_WEB1, "--json");
    const listed = await jit("sessions");

    // Assess
    expect(inProd.code).toBe(0);
    expect(inStaging.code).toBe(0);
    const prodSession = JSON.parse(inProd.out);
    const stagingSession = JSON.parse(inStaging.out);
    expect([prodSession.accountId, stagingSession.accountId]).toEqual([PROD, STAGING]);
    const row = (sessionId: string) => listed.out.split("\n").find((l) => l.startsWith(sessionId)) ?? "";
    expect(row(prodSession.sessionId).split("\t")).toEqual([
      prodSession.sessionId,
      "Connected",
      WEB2,
      "prod (123456789012)",
      "arn:aws:sts::123456789012:assumed-role/jit-alice/alice",
    ]);
    expect(row(stagingSession.sessionId).split("\t")).toEqual([
      stagingSession.sessionId,
      "Connected",
      STG_WEB1,
      "staging (444455556666)",
      "arn:aws:sts::444455556666:assumed-role/jit-alice/alice",
    ]);

    // Act: "I'm done".
    expect((await jit("revoke", id, "--as", "U01ALICE")).code).toBe(0);

    // Assess: both sessions end, each in its own account, and the trail says where each ran.
    await expect
      .poll(async () => (await jit("sessions")).out.split("\n").filter((l) => l.includes("\tTerminated\t")))
      .toHaveLength(2);
    expect(sandbox.organization.leftoverGrants()).toEqual([]);
    expect(sandbox.organization.liveCount()).toBe(0);
    await expect
      .poll(async () => (await jit("show", id)).out)
      .toMatch(/session .* on i-0sweb100000000011 .*staging \(444455556666\)[\s\S]*ended/);
  });

  it("connects under the grant in the node's account, and refuses a node in no account of the grant", async () => {
    // Prepare
    const id = await releaseGrant();

    // Act
    const connected = await jit("connect", id, "--as", "U01ALICE", "--target", STG_WEB2);
    const lab = await jit("connect", id, "--as", "U01ALICE", "--target", LAB1);

    // Assess
    expect(connected.err).toBe("");
    expect(connected.out).toMatch(/^Starting session with SessionId: alice-/);
    const started = [...(sandbox.organization.account(STAGING).sessions.values() ?? [])].find(
      (s) => s.target === STG_WEB2 && s.status === "Connected",
    );
    expect(started?.accountId).toBe(STAGING);
    expect(lab).toEqual({
      code: 1,
      out: "",
      err: `jit: ${LAB1} is not one of web-release's nodes in prod (123456789012), staging (444455556666) (or it is not online in Session Manager)`,
    });
    await jit("revoke", id, "--as", "U01ALICE");
  });
});

describe("a node id two accounts share", () => {
  it("needs --account, and with it starts in the account named (by name or id)", async () => {
    // Prepare: staging gets a node with prod's web-2 id (ids are unique per account only).
    const id = await releaseGrant();
    const staging = sandbox.organization.account(STAGING);
    staging.nodes.push({ id: WEB2, region: "eu-west-1", tags: { Name: "twin", Env: "staging", App: "web" } });
    try {
      // Act
      const ambiguous = await jit("ssm", "start-session", "--as", "U01ALICE", "--target", WEB2);
      const named = await jit(
        "ssm",
        "start-session",
        "--as",
        "U01ALICE",
        "--target",
        WEB2,
        "--account",
        "staging",
      );
      const byId = await jit("ssm", "start-session", "--as", "U01ALICE", "--target", WEB2, "--account", PROD);
      const unknown = await jit(
        "ssm",
        "start-session",
        "--as",
        "U01ALICE",
        "--target",
        WEB2,
        "--account",
        "qa",
      );
      const connectAmbiguous = await jit("connect", id, "--as", "U01ALICE", "--target", WEB2);

      // Assess
      expect(ambiguous).toEqual({
        code: 1,
        out: "",
        err: `jit: ${WEB2} is a node of prod (123456789012) and staging (444455556666): say which account with --account`,
      });
      expect(named.code).toBe(0);
      expect([...staging.sessions.values()].some((s) => s.target === WEB2)).toBe(true);
      expect(byId.code).toBe(0);
      expect(unknown.err).toBe(
        "jit: no account qa in the sandbox; its accounts are prod (123456789012), staging (444455556666), sandbox (777788889999)",
      );
      expect(connectAmbiguous.err).toBe(
        `jit: ${WEB2} is a node of web-release in prod (123456789012) and staging (444455556666): say which account with --account`,
      );
    } finally {
      staging.nodes.pop();
      await jit("revoke", id, "--as", "U01ALICE");
    }
  });
});

describe("the signed API's view of accounts", () => {
  /** The deps the deployed API function has: no way into member accounts. */
  const frontDoor = (): Deps => ({ ...sandbox.deps, accounts: undefined });
  const route = (method: string, path: string) => {
    const found = findRoute(CALLER_ROUTES as Route[], method, path);
    if (!found) throw new Error(`no route ${method} ${path}`);
    return (deps: Deps, as: string) =>
      found.run(
        deps,
        { person: personFor(as), groupsOf: async () => [] },
        {
          body: {},
          params: found.params,
          query: new URLSearchParams(),
        },
      );
  };

  it("lists the caller's live sessions in every account, a member's from what the hub recorded", async () => {
    // Prepare
    const id = await releaseGrant();
    await jit("ssm", "start-session", "--as", "U01ALICE", "--target", WEB2);
    await jit("ssm", "start-session", "--as", "U01ALICE", "--target", STG_WEB1);
    await expect.poll(async () => (await jit("show", id)).out).toMatch(/staging \(444455556666\)/);

    // Act
    const sessions = (await route("GET", "/sessions")(frontDoor(), "U01ALICE")) as SessionView[];
    const record = (await route("GET", `/requests/${id}`)(frontDoor(), "U01ALICE")) as { accounts: unknown };

    // Assess
    expect(sessions.map((s) => [s.target, s.accountId, s.accountName])).toEqual(
      expect.arrayContaining([
        [WEB2, PROD, "prod"],
        [STG_WEB1, STAGING, "staging"],
      ]),
    );
    expect(record.accounts).toEqual([
      { accountId: PROD, name: "prod" },
      { accountId: STAGING, name: "staging" },
    ]);

    // Act: once revoked, nothing live is left in either account's answer.
    await jit("revoke", id, "--as", "U01ALICE");
    await expect.poll(() => sandbox.organization.liveCount()).toBe(0);
    await expect
      .poll(async () => ((await route("GET", "/sessions")(frontDoor(), "U01ALICE")) as SessionView[]).length)
      .toBe(0);
  });
});
