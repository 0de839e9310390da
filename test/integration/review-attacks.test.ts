/**
 * Security review, attacks that should fail: each test states the attack and expects the product to
 * refuse it.
 */
import type { Server } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, describe, expect, it } from "vitest";
import type { SignedUrlEvent } from "../../adapters/api/function-url.ts";
import { callerFromArn, type PeopleDirectory } from "../../adapters/api/identity.ts";
import { CALLER_ROUTES, type Caller, findRoute } from "../../adapters/api/routes.ts";
import { type AccessConfig, parseConfig } from "../../core/config/load.ts";
import { NotAuthorizedError } from "../../core/errors.ts";
import { reviewBreakGlass, revokeAsApprover } from "../../core/usecases/break-glass-review.ts";
import { extendGrant } from "../../core/usecases/expiry.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { type KnownCredentials, startFunctionUrl } from "../../local/function-url.ts";
import { S } from "../../workflows/access-workflow.ts";
import { exampleConfig, exampleConfigText } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const ACCOUNT = "123456789012";

describe("identity: one shared-role session name for two people", () => {
  it("names gives Frank (by Slack ID) and Grace (by email) the same session name: refused by the config, or a call with it acts as nobody", async () => {
    const text = exampleConfigText().replace(
      '    sessionName: "{email}"\n',
      '    sessionName: "{email}"\n    names:\n      U05FRANK: gracie\n      grace@example.com: gracie\n',
    );
    let config: AccessConfig;
    try {
      config = parseConfig(text);
    } catch {
      return; // refused at load, as principals.map refuses one ARN for two people
    }
    const directory: PeopleDirectory = {
      idByEmail: async (email) => (email === "grace@example.com" ? "U06GRACE" : undefined),
      email: async (id) => (id === "U05FRANK" ? "frank@example.com" : undefined),
      groupsOf: async () => [],
    };
    const signed = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_OnCall_0123456789abcdef/gracie`;
    // Today: loaded silently, and the IdC user "gracie" is U05FRANK carrying Grace's email.
    await expect(callerFromArn(config, directory, signed)).rejects.toBeInstanceOf(NotAuthorizedError);
  });
});

describe("the function URL stand-in is no kinder than Lambda", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it("refuses a query parameter added in front of a signed one of the same name", async () => {
    const REGION = "eu-west-1";
    const caller: KnownCredentials = {
      accessKeyId: "AKIAQUERYXXXXXXXXXXX",
      secretAccessKey: "secret",
      arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
    };
    const seen: SignedUrlEvent[] = [];
    server = await startFunctionUrl({
      region: REGION,
      credentials: [caller],
      handler: async (e) => {
        seen.push(e);
        return { statusCode: 200, body: "{}" };
      },
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const host = `127.0.0.1:${port}`;
    // Bob signs ?target=i-2; somebody on the way puts target=i-1 in front.
    const signed = await new SignatureV4({
      service: "lambda",
      region: REGION,
      credentials: caller,
      sha256: Sha256,
    }).sign(
      new HttpRequest({
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        port,
        path: "/requests/x/connect",
        query: { target: "i-2" },
        headers: { host },
      }),
    );
    const { host: _h, ...headers } = signed.headers;
    const response = await fetch(`http://${host}/requests/x/connect?target=i-1&target=i-2`, { headers });
    // Lambda signs the canonical query with both values, so the signature cannot match.
    expect(response.status).toBe(403);
    expect(seen).toEqual([]);
  });
});

describe("break-glass review", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  function config(): AccessConfig {
    const c = exampleConfig();
    const web = c.profiles["prod-web"];
    if (!web) throw new Error("example config has no prod-web");
    c.profiles["web-bg"] = {
      ...web,
      id: "web-bg",
      ticketPattern: undefined,
      breakGlass: { maxDuration: "1h", reviewWindow: "24h", reminderInterval: "4h" },
    };
    return c;
  }

  it("extending a break-glass grant past breakGlass.maxDuration is refused up front, not applied and then failed by the workflow", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const c = config();
    const bg = c.profiles["web-bg"];
    if (bg) bg.selfExtension = true; // profile max 4h, break-glass max 1h
    h = await startHarness({
      config: c,
      wrap: (state, task) =>
        state === S.announceGrant
          ? async (input) => {
              await gate;
              return task(input);
            }
          : task,
    });
    const x = h;
    const request = await createRequest(x.deps, {
      requester: { slackUserId: "U02BOB", email: "bob@example.com" },
      profileId: "web-bg",
      duration: "1h",
      reason: "web-1 disk full, checkout down, no approver answering",
      breakGlass: true,
    });
    await x.waitForStatus(request.id, "ACTIVE");
    let outcome: string | undefined;
    try {
      outcome = (await extendGrant(x.deps, { requestId: request.id, actor: "U02BOB", by: "3h" })).outcome;
    } catch {
      outcome = "refused";
    }
    release();
    await x.workflow.settled(request.id);
    const final = await x.deps.store.get(request.id);
    // Today: the requester is told "extended" (to 4h, nobody approving), then the workflow finds the
    // record past the break-glass maximum and fails the grant mid-emergency, with the alarm.
    expect({ outcome, status: final?.status }).toEqual({ outcome: "refused", status: "REVOKED" });
  });

  it("a break-glass grant revoked at review leaves no extension waiting for an approver", async () => {
    // The grant is held after it is written, so it cannot expire (fake clock) before the review.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h = await startHarness({
      config: config(),
      wrap: (state, task) =>
        state === S.announceGrant
          ? async (input) => {
              await gate;
              return task(input);
            }
          : task,
    });
    const x = h;
    const request = await createRequest(x.deps, {
      requester: { slackUserId: "U02BOB", email: "bob@example.com" },
      profileId: "web-bg",
      duration: "30m",
      reason: "web-1 disk full, checkout down, no approver answering",
      breakGlass: true,
    });
    await x.waitForStatus(request.id, "ACTIVE");
    const asked = await extendGrant(x.deps, { requestId: request.id, actor: "U02BOB", by: "15m" });
    expect(asked.outcome).toBe("pending");
    const result = await reviewBreakGlass(x.deps, {
      requestId: request.id,
      reviewer: { slackUserId: "U03DAVE", groups: [] },
      outcome: "revoke",
    });
    expect(result.revoked).toBe(true);
    release();
    await x.workflow.settled(request.id);
    const final = await x.deps.store.get(request.id);
    expect(final?.status).toBe("REVOKED");
    expect(final?.pendingExtension).toBeUndefined();
  });

  it("'Revoke' clicked while the grant is still pending (the alert comes before the workflow) ends it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h = await startHarness({
      config: config(),
      wrap: (state, task) =>
        state === S.grantAccess
          ? async (input) => {
              await gate;
              return task(input);
            }
          : task,
    });
    const x = h;
    const request = await createRequest(x.deps, {
      requester: { slackUserId: "U02BOB", email: "bob@example.com" },
      profileId: "web-bg",
      duration: "30m",
      reason: "web-1 disk full, checkout down, no approver answering",
      breakGlass: true,
    });
    // The break-glass alert (with its Review buttons) is out before the grant; Dave clicks Revoke.
    expect(x.notices.some((n) => n.type === "break-glass")).toBe(true);
    let result: Awaited<ReturnType<typeof reviewBreakGlass>> | undefined;
    try {
      result = await reviewBreakGlass(x.deps, {
        requestId: request.id,
        reviewer: { slackUserId: "U03DAVE", groups: [] },
        outcome: "revoke",
      });
    } catch {
      // Refusing the click ("not granted yet, click again") would do too, if it leaves no review.
    }
    release();
    await x.workflow.settled(request.id);
    const final = await x.deps.store.get(request.id);
    if (!result) {
      expect(final?.review).toBeUndefined();
      return;
    }
    // Today: the review is recorded as "revoked" but revoked is false (Slack answers "Reviewed: OK"),
    // the grant goes ACTIVE with its policy and runs to expiry; no second review is possible.
    expect(result.revoked).toBe(true);
    expect(final?.history.map((e) => e.action)).not.toContain("active");
    // Nothing was granted, so the record ends DENIED by the reviewer, with the review kept.
    expect(final?.status).toBe("DENIED");
    expect(final?.review?.outcome).toBe("revoked");
    expect(await x.deps.broker.listGrants(final?.principal ?? request.principal)).toEqual([]);
  });
  it("an on-call grant's Revoke (the FYI comes before the workflow) clicked while still pending ends it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const c = exampleConfig();
    const web = c.profiles["prod-web"];
    if (!web?.onCall) throw new Error("example prod-web has no onCall rule");
    c.profiles["web-oncall"] = { ...web, id: "web-oncall", ticketPattern: undefined };
    h = await startHarness({
      config: c,
      wrap: (state, task) =>
        state === S.grantAccess
          ? async (input) => {
              await gate;
              return task(input);
            }
          : task,
    });
    const x = h;
    const onCall = { pagerduty: { isOnCall: async () => ({ onCall: true as const, level: 1 }) } };
    const request = await createRequest(
      { ...x.deps, onCall },
      {
        requester: { slackUserId: "U02BOB", email: "bob@example.com" },
        profileId: "web-oncall",
        duration: "1h",
        reason: "deploy hotfix",
      },
    );
    expect(request.onCall?.approved).toBe(true);
    expect(x.notices.some((n) => n.type === "on-call-approved")).toBe(true);
    let refused: unknown;
    try {
      await revokeAsApprover(x.deps, {
        requestId: request.id,
        approver: { slackUserId: "U03DAVE", groups: [] },
      });
    } catch (error) {
      refused = error;
    }
    release();
    await x.workflow.settled(request.id);
    const final = await x.deps.store.get(request.id);
    // Today: "request … is pending; there is nothing to revoke", and the grant goes ACTIVE.
    expect(String(refused ?? "")).toBe("");
    expect(final?.history.map((e) => e.action)).not.toContain("active");
    expect(final?.status).toBe("DENIED");
  });
});

describe("the API routes", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("an approver by user group finds the request waiting for their vote, and the profile they approve", async () => {
    const c = exampleConfig();
    const staging = c.profiles.staging;
    if (!staging) throw new Error("example config has no staging");
    c.profiles["staging-team"] = { ...staging, id: "staging-team", approvers: ["S0WEBTEAM"] };
    h = await startHarness({ config: c });
    const x = h;
    const request = await createRequest(x.deps, {
      requester: { slackUserId: "U02BOB", email: "bob@example.com" },
      profileId: "staging-team",
      duration: "1h",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    const erin: Caller = {
      person: { slackUserId: "U04ERIN", email: "erin@example.com" },
      groupsOf: async (candidates) => candidates.filter((g) => g === "S0WEBTEAM"),
    };
    const run = async (path: string) => {
      const route = findRoute(CALLER_ROUTES, "GET", path);
      if (!route) throw new Error(`no route ${path}`);
      return route.run(x.deps, erin, { body: {}, params: route.params, query: new URLSearchParams() });
    };
    // She may vote (the approve route would take it), yet `jit list` shows her nothing.
    const waiting = (await run("/awaiting-vote")) as { id: string }[];
    const me = (await run("/whoami")) as { approverOf: string[] };
    expect({ waiting: waiting.map((r) => r.id), approverOf: me.approverOf.includes("staging-team") }).toEqual(
      {
        waiting: [request.id],
        approverOf: true,
      },
    );
  });
});
