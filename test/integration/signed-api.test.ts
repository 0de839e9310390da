/**
 * The signed API end to end: calls signed by the AWS SDK's own SigV4 signer go through a local
 * stand-in of an AWS_IAM function URL (local/function-url.ts: it checks the signature as Lambda
 * does and passes the caller's ARN), then the real handler (functions/api.ts) with the sandbox's
 * parts behind it. Each caller acts as themselves only, whatever the body says.
 */
import type { Server } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiTarget, signedFetch } from "../../cli/signed-call.ts";
import { handler, usePeople } from "../../functions/api.ts";
import { type KnownCredentials, startFunctionUrl } from "../../local/function-url.ts";
import { sandboxPeople } from "../../local/people.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const ACCOUNT = "123456789012";
const SSO_ROLE = "AWSReservedSSO_OnCall_0123456789abcdef";
const REGION = "eu-west-1";

/** One set of credentials per caller; the ARN is what Lambda would report for them. */
const who = (name: string, arn: string, sessionToken?: string): KnownCredentials => ({
  accessKeyId: `AKIA${name.toUpperCase().padEnd(16, "X")}`,
  secretAccessKey: `secret-of-${name}`,
  sessionToken,
  arn,
});
const BOB = who("bob", `arn:aws:iam::${ACCOUNT}:user/bob`);
const ALICE = who("alice", `arn:aws:sts::${ACCOUNT}:assumed-role/jit-alice/alice-laptop`, "token-alice");
const CAROL = who("carol", `arn:aws:sts::${ACCOUNT}:assumed-role/jit-carol/anything`, "token-carol");
const DAVE = who("dave", `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE}/dave@example.com`, "token-dave");
const ERIN = who("erin", `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE}/erin@example.com`, "token-erin");
const ADMIN = who(
  "admin",
  `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE}/admin@example.com`,
  "token-admin",
);
const MALLORY = who("mallory", `arn:aws:iam::${ACCOUNT}:user/mallory`);
/** Alice has her own role; signing as her email through the shared role must not make her Alice. */
const ALICE_VIA_SSO = who(
  "alicesso",
  `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE}/alice@example.com`,
  "t",
);
const NOT_A_PERSON = who("nobody", `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE}/not-an-email`, "t");
const ALL = [BOB, ALICE, CAROL, DAVE, ERIN, ADMIN, MALLORY, ALICE_VIA_SSO, NOT_A_PERSON];

let harness: Harness;
let server: Server;
let url = "";

beforeAll(async () => {
  harness = await startHarness();
  usePeople(sandboxPeople);
  server = await startFunctionUrl({
    region: REGION,
    credentials: ALL,
    handler: (e) => handler(e, {} as never),
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  usePeople(undefined);
  await new Promise<void>((r) => server.close(() => r()));
  await harness.stop();
});

const as = (c: KnownCredentials): ApiTarget => ({ stage: "test", url, region: REGION, credentials: c });

async function call(
  c: KnownCredentials,
  method: "GET" | "POST",
  path: string,
  body?: Record<string, unknown>,
) {
  const response = await signedFetch(as(c), method, path, body);
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & { message?: string },
  };
}

const ask = (c: KnownCredentials, profile = "prod-web") =>
  call(c, "POST", "/requests", { profile, reason: "disk full on web-3", ticket: "INC-42", for: "1h" });

describe("each caller acts as themselves", () => {
  it.each([
    ["an IAM user in principals.map", BOB, "U02BOB"],
    ["a session of a mapped role", ALICE, "U01ALICE"],
    ["a mapped role keyed by email (Slack ID looked up)", CAROL, "U06CAROL"],
    ["the shared role's session for dave", DAVE, "U03DAVE"],
    ["the shared role's session for erin", ERIN, "U04ERIN"],
  ])("%s", async (_what, caller, slackUserId) => {
    const me = await call(caller, "GET", "/whoami");
    expect(me.status).toBe(200);
    expect((me.body.person as { slackUserId: string }).slackUserId).toBe(slackUserId);
    const made = await ask(caller);
    expect(made.status).toBe(200);
    expect((made.body.requester as { slackUserId: string }).slackUserId).toBe(slackUserId);
  });

  it("a requester named in the body is ignored: there is no `as` on a stage", async () => {
    const refused = await call(BOB, "POST", "/requests", {
      as: "U03DAVE",
      profile: "prod-web",
      reason: "pretend to be dave",
      ticket: "INC-1",
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/no `as` against a deployed stage/);
    const query = await call(BOB, "GET", "/whoami?as=U03DAVE");
    expect(query.status).toBe(400);
  });
});

describe("a retried request", () => {
  it("finds the first with the same key, and never another person's", async () => {
    const body = { profile: "staging", reason: "retry me", idempotencyKey: "run-7" };
    const first = await call(BOB, "POST", "/requests", body);
    const again = await call(BOB, "POST", "/requests", body);
    expect(again.body.id).toBe(first.body.id);
    // Erin, with bob's key, makes her own request: the key is bound to whoever signs.
    const erins = await call(ERIN, "POST", "/requests", body);
    expect(erins.status).toBe(200);
    expect(erins.body.id).not.toBe(first.body.id);
    expect((erins.body.requester as { slackUserId: string }).slackUserId).toBe("U04ERIN");
  });
});

describe("the rules apply as in Slack", () => {
  it("dave may not approve his own request; erin, an approver, may; bob, who is not one, may not", async () => {
    const mine = await ask(DAVE);
    const id = String(mine.body.id);
    await harness.waitFor(id, (r) => r.taskToken !== undefined);
    const own = await call(DAVE, "POST", `/requests/${id}/approve`);
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/own request/);
    const outsider = await call(BOB, "POST", `/requests/${id}/approve`);
    expect(outsider.status).toBe(403);
    expect(outsider.body.message).toMatch(/not an approver/);
    const approved = await call(ERIN, "POST", `/requests/${id}/approve`);
    expect(approved.status).toBe(200);
    expect((await harness.waitForStatus(id, "ACTIVE")).approvals.map((a) => a.approver)).toEqual(["U04ERIN"]);
  });

  it("a request is readable by its requester and its approvers, not by anyone else; no answer carries the task token", async () => {
    const alices = await ask(ALICE);
    const id = String(alices.body.id);
    await harness.waitFor(id, (r) => r.taskToken !== undefined);
    const own = await call(ALICE, "GET", `/requests/${id}`);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).not.toMatch(/taskToken/);
    expect((await call(DAVE, "GET", `/requests/${id}`)).status).toBe(200);
    const nosy = await call(BOB, "GET", `/requests/${id}`);
    expect(nosy.status).toBe(403);
    expect(nosy.body.message).toMatch(/not yours to read/);
    const pending = await call(DAVE, "GET", "/awaiting-vote");
    expect(JSON.stringify(pending.body)).not.toMatch(/taskToken/);
    // Bob cannot cancel or revoke it either.
    expect((await call(BOB, "POST", `/requests/${id}/cancel`)).status).toBe(403);
  });
});

describe("the audit", () => {
  it("is for admins: everyone's requests are in it", async () => {
    const report = await call(ADMIN, "GET", "/audit?since=30d");
    expect(report.status).toBe(200);
    expect(JSON.stringify(report.body)).toContain("U02BOB");
    const refused = await call(BOB, "GET", "/audit?since=30d");
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/only admins/);
  });
});

describe("callers who are nobody, or not who they sign as", () => {
  it("an unknown caller gets a 403 naming the ARN it saw", async () => {
    const refused = await call(MALLORY, "GET", "/whoami");
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain(MALLORY.arn);
  });

  it("a person with their own role who signs through the shared role is refused", async () => {
    const refused = await call(ALICE_VIA_SSO, "GET", "/whoami");
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("jit-alice");
  });

  it("a shared-role session name that is nobody's is refused", async () => {
    const refused = await call(NOT_A_PERSON, "GET", "/profiles");
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("not-an-email");
  });
});

describe("what the function URL refuses before the function runs", () => {
  /** Signs one POST as bob and returns the signed headers. */
  async function signedHeaders(body: string, date?: Date) {
    const u = new URL("/requests", url);
    const request = new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: u.hostname,
      port: Number(u.port),
      path: u.pathname,
      headers: { host: u.host, "content-type": "application/json" },
      body,
    });
    const signer = new SignatureV4({ service: "lambda", region: REGION, credentials: BOB, sha256: Sha256 });
    const { host: _h, ...headers } = (await signer.sign(request, date ? { signingDate: date } : {})).headers;
    return headers;
  }

  it("a body changed after signing", async () => {
    const signedFor = JSON.stringify({ profile: "staging", reason: "look at logs" });
    const headers = await signedHeaders(signedFor);
    const changed = JSON.stringify({ profile: "prod-web", reason: "look at logs", ticket: "INC-9" });
    const response = await fetch(new URL("/requests", url), { method: "POST", headers, body: changed });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ Message: "Forbidden" });
    // The same signature over the body it was made for goes through.
    const honest = await fetch(new URL("/requests", url), { method: "POST", headers, body: signedFor });
    expect(honest.status).not.toBe(403);
  });

  it("a signature older than five minutes, and unsigned or wrongly keyed calls", async () => {
    const body = JSON.stringify({ profile: "staging" });
    const stale = await signedHeaders(body, new Date(Date.now() - 6 * 60_000));
    expect((await fetch(new URL("/requests", url), { method: "POST", headers: stale, body })).status).toBe(
      403,
    );
    expect((await fetch(new URL("/whoami", url))).status).toBe(403);
    const stranger = await signedFetch(
      { ...as(BOB), credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x" } },
      "GET",
      "/whoami",
    );
    expect(stranger.status).toBe(403);
    const wrongSecret = await signedFetch(
      { ...as(BOB), credentials: { accessKeyId: BOB.accessKeyId, secretAccessKey: "guessed" } },
      "GET",
      "/whoami",
    );
    expect(wrongSecret.status).toBe(403);
  });

  it("a signature for another region, and a role session's key without its session token", async () => {
    const otherRegion = await signedFetch({ ...as(ALICE), region: "us-east-1" }, "GET", "/whoami");
    expect(otherRegion.status).toBe(403);
    const { sessionToken: _t, ...noToken } = ALICE;
    const tokenless = await signedFetch({ ...as(ALICE), credentials: noToken }, "GET", "/whoami");
    expect(tokenless.status).toBe(403);
    // The same calls, signed properly, go through: the refusals are the region and the token.
    expect((await signedFetch(as(ALICE), "GET", "/whoami")).status).toBe(200);
  });

  it("the handler itself refuses an event that carries no verified caller", async () => {
    const forged = {
      version: "2.0",
      rawPath: "/whoami",
      rawQueryString: "",
      headers: { "x-amz-caller": BOB.arn },
      isBase64Encoded: false,
      requestContext: { http: { method: "GET", path: "/whoami" } },
    };
    const answer = await handler(forged as never, {} as never);
    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(String(answer.body)).message).toMatch(/no caller verified by AWS/);
  });
});
