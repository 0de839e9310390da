/**
 * A call to a deployed stage's API, signed with SigV4 by the AWS SDK's own signer and the caller's
 * usual credentials (the SDK's default chain: environment, SSO, profiles; `--aws-profile` picks a
 * profile). The function URL checks the signature; whoever signed is who acts.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * The query as SigV4 canonicalizes it: every value of a repeated parameter, not only the last (what
 * `Object.fromEntries` would keep), so a parameter added beside a signed one changes the signature.
 */
export function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return out;
}

/** Where a deployed stage's API is, and how to sign for it. */
export interface ApiTarget {
  stage: string;
  url: string;
  region: string;
  awsProfile?: string | undefined;
  /** Credentials to sign with instead of the SDK's default chain (tests, scripts that hold their own). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/** A function URL names its region: https://<id>.lambda-url.<region>.on.aws */
export const regionOfUrl = (url: string): string | undefined =>
  /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(new URL(url).hostname)?.[1];

/** Signs and sends one call; returns the response as fetch gives it. */
export async function signedFetch(
  target: ApiTarget,
  method: "GET" | "POST",
  path: string,
  body?: Record<string, unknown>,
): Promise<Response> {
  const base = new URL(target.url);
  const url = new URL(path, base);
  const text = method === "POST" ? JSON.stringify(body ?? {}) : undefined;
  const headers: Record<string, string> = { host: url.host };
  if (text !== undefined) headers["content-type"] = "application/json";
  const request = new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: queryOf(url.searchParams),
    headers,
    body: text,
  });
  const signer = new SignatureV4({
    service: "lambda",
    region: target.region,
    credentials:
      target.credentials ?? fromNodeProviderChain(target.awsProfile ? { profile: target.awsProfile } : {}),
    sha256: Sha256,
  });
  const signed = await signer.sign(request);
  // fetch sets Host from the URL itself (the same value that was signed).
  const { host: _host, ...sent } = signed.headers;
  return fetch(url, { method, headers: sent, body: text });
}
