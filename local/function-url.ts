/**
 * A local stand-in for a Lambda function URL with AWS_IAM auth, for tests and local runs of the
 * signed API: on 127.0.0.1 it does what Lambda does before the function runs, no less. It finds the
 * access key among the credentials it was given (an unknown key is refused), checks the session
 * token, the scope (service `lambda`, its region) and the time (SigV4 requests are refused when more
 * than 5 minutes off, https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html), and
 * recomputes the signature over the method, path, query, signed headers and body with the AWS SDK's
 * own signer; any difference is a 403 `{"Message":"Forbidden"}`, as a function URL answers. Only
 * then does the handler get the event, with the caller's ARN in `requestContext.authorizer.iam`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { APIGatewayProxyStructuredResultV2 as UrlResult } from "aws-lambda";
import type { SignedUrlEvent } from "../adapters/api/function-url.ts";
import { queryOf } from "../cli/signed-call.ts";

/** Credentials the stand-in knows, and whose they are. */
export interface KnownCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** The caller ARN Lambda reports for them: an IAM user, or an STS assumed-role session. */
  arn: string;
}

export interface FunctionUrlOptions {
  region: string;
  credentials: KnownCredentials[];
  handler: (event: SignedUrlEvent) => Promise<UrlResult>;
  /** The clock the 5-minute window is checked against. */
  now?: () => Date;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const SKEW_MS = 5 * 60 * 1000;

class Forbidden extends Error {}

/** What the stand-in reads of an incoming call. */
interface Call {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

const digest = (s: string) => createHash("sha256").update(s).digest();
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The caller whose signature is right, or Forbidden. */
async function verify(req: Call, body: string, o: FunctionUrlOptions): Promise<KnownCredentials> {
  const match = AUTH.exec(first(req.headers.authorization) ?? "");
  if (!match) throw new Forbidden("no SigV4 Authorization header");
  const [, keyId, day, region, service, signedHeaders = "", signature = ""] = match;
  const known = o.credentials.find((c) => c.accessKeyId === keyId);
  if (!known) throw new Forbidden("unknown access key");
  if (service !== "lambda" || region !== o.region) throw new Forbidden("wrong credential scope");
  if ((known.sessionToken ?? undefined) !== first(req.headers["x-amz-security-token"]))
    throw new Forbidden("wrong or missing session token");
  const stamp = first(req.headers["x-amz-date"]) ?? "";
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!at || stamp.slice(0, 8) !== day) throw new Forbidden("bad X-Amz-Date");
  const signedAt = new Date(`${at[1]}-${at[2]}-${at[3]}T${at[4]}:${at[5]}:${at[6]}Z`);
  const now = o.now?.() ?? new Date();
  if (Math.abs(now.getTime() - signedAt.getTime()) > SKEW_MS) throw new Forbidden("signature expired");
  // The signer puts the body's hash in X-Amz-Content-Sha256 and signs that header; the hash must be
  // the body's own, or a changed body would pass under the old signature.
  const claimed = first(req.headers["x-amz-content-sha256"]);
  if (claimed !== undefined && claimed !== createHash("sha256").update(body).digest("hex"))
    throw new Forbidden("the body is not the one signed");
  const names = signedHeaders.split(";");
  if (!names.includes("host")) throw new Forbidden("Host is not signed");
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers = Object.fromEntries(names.map((n) => [n, first(req.headers[n]) ?? ""]));
  const request = new HttpRequest({
    method: req.method ?? "GET",
    protocol: "http:",
    hostname: (headers.host ?? "").replace(/:\d+$/, ""),
    path: url.pathname,
    query: queryOf(url.searchParams),
    headers,
    body: body || undefined,
  });
  const signer = new SignatureV4({
    service: "lambda",
    region: o.region,
    credentials: known,
    sha256: Sha256,
  });
  const expected = await signer.sign(request, { signingDate: signedAt });
  const recomputed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? "";
  if (!timingSafeEqual(digest(recomputed), digest(signature))) throw new Forbidden("signature mismatch");
  return known;
}

/** The event Lambda hands a function behind an AWS_IAM URL. */
function eventFor(req: Call, body: string, caller: KnownCredentials): SignedUrlEvent {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const [, , , , account = ""] = caller.arn.split(":");
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, first(v) ?? ""])),
    body: body || undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: first(req.headers.host) ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: first(req.headers["user-agent"]) ?? "",
      },
      authorizer: { iam: { userArn: caller.arn, accountId: account } },
      requestId: `local-${now.getTime()}`,
      routeKey: "$default",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  } as SignedUrlEvent;
}

/** Serves the stand-in on 127.0.0.1:port (0: any free port). */
export async function startFunctionUrl(o: FunctionUrlOptions, port = 0): Promise<Server> {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    let caller: KnownCredentials;
    try {
      caller = await verify(req, body, o);
    } catch (error) {
      if (!(error instanceof Forbidden)) throw error;
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ Message: "Forbidden" }));
      return;
    }
    const result = await o.handler(eventFor(req, body, caller));
    res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    res.end(result.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  return server;
}
