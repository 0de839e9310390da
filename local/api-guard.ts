/**
 * Who the sandbox API answers: `jit` on this machine, nobody else. Binding 127.0.0.1 keeps other
 * machines out but not a web page in the user's browser (a form or `fetch` with a `text/plain`
 * body needs no CORS preflight) nor a DNS-rebound name that resolves to 127.0.0.1. So every call
 * must name the bound address as Host, come from no foreign Origin, send JSON, and carry the
 * per-run token that `npm start` writes to `.jit/api-token` (0600): a page cannot read that file.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { ApiRefusalError } from "../adapters/api/status.ts";

/** The token's file name inside the sandbox's data folder (JIT_DATA, `.jit` by default). */
export const API_TOKEN_FILE = "api-token";

/** Where `npm start` writes the token for a data folder, and where `jit` reads it. */
export const apiTokenPath = (dataDir: string): string => join(dataDir, API_TOKEN_FILE);

/** A call the sandbox refuses before any route runs (the same class the deployed API uses). */
export { ApiRefusalError };

/** A fresh token: 256 random bits, URL-safe. */
export const newApiToken = (): string => randomBytes(32).toString("base64url");

/**
 * Writes the run's token (a fresh one unless given) readable by the user only. Whatever was at the
 * path is removed first and the file is created exclusively, so a symlink planted there is
 * replaced, never followed, and an older file's looser mode is not inherited.
 */
export function writeApiToken(dataDir: string, token: string = newApiToken()): string {
  const path = apiTokenPath(dataDir);
  rmSync(path, { force: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  return token;
}

/**
 * Compares a presented token with ours in constant time: both are hashed first, so neither the
 * position of the first wrong character nor a different length shows in the timing.
 */
export function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === "") return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** What a call must match: the port the API bound, and the run's token (always required). */
export interface ApiExpectations {
  port: number;
  token: string;
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Refuses, with an ApiRefusalError, a call that is not `jit`'s. Order: where from, who, what. */
export function checkCall(method: string, headers: IncomingHttpHeaders, expect: ApiExpectations): void {
  const self = `127.0.0.1:${expect.port}`;
  if (headers.host !== self)
    throw new ApiRefusalError(403, `Host must be ${self} (the sandbox answers only its own address)`);
  const origin = first(headers.origin);
  if (origin !== undefined && origin !== `http://${self}`)
    throw new ApiRefusalError(403, `requests from ${origin} are refused: the sandbox is not a web API`);
  const site = first(headers["sec-fetch-site"]);
  if (site !== undefined && site !== "same-origin" && site !== "none")
    throw new ApiRefusalError(403, "requests from web pages are refused: the sandbox is not a web API");
  if (method === "OPTIONS") throw new ApiRefusalError(403, "no cross-origin requests");
  const auth = first(headers.authorization);
  const given = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
  if (!sameToken(given, expect.token))
    throw new ApiRefusalError(
      401,
      "missing or wrong API token: jit sends the token `npm start` wrote to its data folder (.jit/api-token)",
    );
  const type = first(headers["content-type"])?.split(";")[0]?.trim().toLowerCase();
  if (method !== "GET" && method !== "HEAD" && type !== "application/json")
    throw new ApiRefusalError(415, "send the body as application/json");
}
