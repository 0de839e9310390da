/**
 * The sandbox API answers `jit` and nobody else on this machine: not a web page in the user's
 * browser, not a DNS-rebound name, not a local process that lacks the per-run token.
 *
 * Written before the fix; on the code of 2026-11-29 every hostile call reached the use cases:
 * Host `evil.example` and a missing or wrong token got 200 from /health; a request with
 * `Origin: https://evil.example`, or with a `text/plain` body (what a page can send without a
 * preflight), got 404 `no profile "prod-web"` from createRequest itself; a preflight got 404
 * (no route) instead of a refusal; and there was no token file to write (`writeApiToken` did not
 * exist). The two control cases (jit's own call, jit with the token) passed before and pass after.
 */
import { lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callSandbox } from "../../cli/sandbox-client.ts";
import { type ApiContext, startApi } from "../../local/api.ts";
import { apiTokenPath, sameToken, writeApiToken } from "../../local/api-guard.ts";

const TOKEN = "t".repeat(43);
/** The context the routes see: no profiles, so a call that gets through meets createRequest's 404. */
const ctx = {
  deps: { config: { profiles: {} } },
  account: { nodes: [] },
  notices: [],
} as unknown as ApiContext;

let server: Server;
let port = 0;
beforeAll(async () => {
  server = await startApi(ctx, 0, { token: TOKEN });
  const address = server.address();
  port = typeof address === "object" && address ? address.port : 0;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A raw HTTP call with exactly the headers given (fetch would not let a test set Host). */
function call(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    },
  );
}

const good = () => ({
  host: `127.0.0.1:${port}`,
  authorization: `Bearer ${TOKEN}`,
  "content-type": "application/json",
});
const ASK = JSON.stringify({ as: "U01ALICE", profile: "prod-web", reason: "from a web page" });

describe("the sandbox API", () => {
  it("lets jit's own call through to the use case", async () => {
    // Control: the guard passes a well-formed call, which meets createRequest's own refusal.
    const res = await call("POST", "/requests", good(), ASK);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).message).toMatch(/no profile "prod-web"/);
  });

  it.each(["evil.example", `evil.example:${7420}`, "localhost.evil.example", "127.0.0.1.nip.io"])(
    "refuses Host %s (DNS rebinding) with 403",
    async (host) => {
      const res = await call("GET", "/health", { ...good(), host });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).message).toMatch(/Host/);
    },
  );

  it.each(["https://evil.example", "null", "http://localhost:3000"])(
    "refuses a request from Origin %s with 403 before any use case runs",
    async (origin) => {
      const res = await call("POST", "/requests", { ...good(), origin }, ASK);
      expect(res.status).toBe(403);
      expect(res.body).not.toContain("no profile");
    },
  );

  it("refuses a browser's cross-site fetch even without an Origin, and any CORS preflight", async () => {
    const crossSite = await call("POST", "/requests", { ...good(), "sec-fetch-site": "cross-site" }, ASK);
    expect(crossSite.status).toBe(403);
    const preflight = await call("OPTIONS", "/requests", {
      host: `127.0.0.1:${port}`,
      origin: "https://evil.example",
      "access-control-request-method": "POST",
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""])(
    "refuses a body sent as %j with 415",
    async (type) => {
      const headers: Record<string, string> = { ...good(), "content-type": type };
      if (!type) delete headers["content-type"];
      const res = await call("POST", "/requests", headers, ASK);
      expect(res.status).toBe(415);
      expect(res.body).not.toContain("no profile");
    },
  );

  it.each([
    ["no token", undefined],
    ["a wrong token of the same length", `Bearer ${"u".repeat(43)}`],
    ["a prefix of the token", `Bearer ${TOKEN.slice(0, 10)}`],
    ["the token without Bearer", TOKEN],
  ])("refuses %s with 401", async (_, authorization) => {
    const headers: Record<string, string> = { ...good() };
    if (authorization) headers.authorization = authorization;
    else delete headers.authorization;
    const res = await call("GET", "/health", headers);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).message).toMatch(/token/);
  });

  it("jit reads the token from JIT_DATA and is let in", async () => {
    // Prepare: the token file as `npm start` writes it.
    const data = mkdtempSync(join(tmpdir(), "jit-api-"));
    writeFileSync(apiTokenPath(data), `${TOKEN}\n`, { mode: 0o600 });
    const saved = { url: process.env.JIT_URL, data: process.env.JIT_DATA };
    process.env.JIT_URL = `http://127.0.0.1:${port}`;
    process.env.JIT_DATA = data;
    try {
      // Act
      const health = await callSandbox<{ ok: boolean }>("GET", "/health");
      const refusal = await callSandbox("POST", "/requests", { as: "U01ALICE", profile: "prod-web" }).catch(
        (e: Error) => e.message,
      );
      // Assess
      expect(health.ok).toBe(true);
      expect(refusal).toMatch(/no profile "prod-web"/);
    } finally {
      for (const [k, v] of [
        ["JIT_URL", saved.url],
        ["JIT_DATA", saved.data],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});

describe("the per-run token", () => {
  it("is written readable by the user only, fresh each run, replacing (not following) what was there", () => {
    // Prepare: an old token with loose permissions, and a symlink planted where a token goes.
    const data = mkdtempSync(join(tmpdir(), "jit-token-"));
    writeFileSync(apiTokenPath(data), "old", { mode: 0o644 });
    const first = writeApiToken(data);
    const elsewhere = join(mkdtempSync(join(tmpdir(), "jit-target-")), "victim");
    writeFileSync(elsewhere, "keep me");
    const planted = mkdtempSync(join(tmpdir(), "jit-planted-"));
    symlinkSync(elsewhere, apiTokenPath(planted));

    // Act
    const second = writeApiToken(data);
    const third = writeApiToken(planted);

    // Assess
    expect(statSync(apiTokenPath(data)).mode & 0o777).toBe(0o600);
    expect(readFileSync(apiTokenPath(data), "utf8").trim()).toBe(second);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(elsewhere, "utf8")).toBe("keep me");
    expect(lstatSync(apiTokenPath(planted)).isSymbolicLink()).toBe(false);
    expect(readFileSync(apiTokenPath(planted), "utf8").trim()).toBe(third);
  });

  it.each([
    [TOKEN, true],
    [`${TOKEN}x`, false],
    [TOKEN.slice(1), false],
    ["", false],
    [undefined, false],
  ])("sameToken(%j) is %s", (given, same) => {
    expect(sameToken(given, TOKEN)).toBe(same);
  });
});
