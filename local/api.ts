/**
 * The sandbox's HTTP API on 127.0.0.1, for the `jit` command: the same use cases the Slack listeners
 * call, with `as` naming the person acting. JSON in, JSON out; typed errors become 4xx with their
 * message. `as` is trusted, so the API answers only `jit` itself (api-guard.ts says how).
 */
import { createServer, type Server } from "node:http";
import type { SandboxAccount } from "../adapters/local/account.ts";
import {
  ConfigError,
  ConflictError,
  NotAuthorizedError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from "../core/errors.ts";
import type { Deps, Notice, SessionNotice } from "../core/ports.ts";
import { auditReport } from "../core/usecases/audit.ts";
import { auditTrail, loadRequest } from "../core/usecases/common.ts";
import { extendGrant } from "../core/usecases/expiry.ts";
import { cancelRequest, createRequest } from "../core/usecases/request.ts";
import { revokeNow } from "../core/usecases/revoke.ts";
import { sweep } from "../core/usecases/sweep.ts";
import { ApiRefusalError, checkCall } from "./api-guard.ts";
import { awaitingVote, profilesFor, whoami } from "./caller.ts";
import { personFor } from "./people.ts";
import { startSession } from "./start-session.ts";

export interface ApiContext {
  deps: Deps;
  account: SandboxAccount;
  notices: (Notice | SessionNotice)[];
}

type Body = Record<string, string | undefined>;
type Route = (ctx: ApiContext, body: Body, params: string[], query: URLSearchParams) => Promise<unknown>;

const need = (body: Body, field: string): string => {
  const value = body[field];
  if (!value) throw new ValidationError(field, `${field} is required`);
  return value;
};

/** The person a read names with `?as=`. */
const asOf = (query: URLSearchParams) => personFor(need({ as: query.get("as") ?? undefined }, "as"));

const ROUTES: [string, RegExp, Route][] = [
  ["GET", /^\/profiles$/, async (c, _b, _p, q) => profilesFor(c.deps, asOf(q))],
  ["GET", /^\/whoami$/, async (c, _b, _p, q) => whoami(c.deps, asOf(q))],
  ["GET", /^\/awaiting-vote$/, async (c, _b, _p, q) => awaitingVote(c.deps, asOf(q))],
  [
    "GET",
    /^\/health$/,
    async (c) => ({ ok: true, profiles: Object.keys(c.deps.config.profiles), nodes: c.account.nodes }),
  ],
  [
    "POST",
    /^\/requests$/,
    async (c, b) =>
      createRequest(c.deps, {
        requester: personFor(need(b, "as")),
        profileId: need(b, "profile"),
        duration: b.for,
        reason: b.reason,
        ticket: b.ticket,
      }),
  ],
  [
    "GET",
    /^\/requests$/,
    async (c, _b, _p, q) => {
      const as = q.get("as");
      if (as) return c.deps.store.listByRequester(personFor(as).slackUserId);
      const all = await Promise.all(
        (
          ["PENDING", "APPROVED", "ACTIVE", "REVOKED", "DENIED", "EXPIRED", "CANCELLED", "FAILED"] as const
        ).map((s) => c.deps.store.listByStatus(s)),
      );
      return all.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
  ],
  [
    "GET",
    /^\/requests\/([\w-]+)$/,
    async (c, _b, [id = ""]) => ({
      request: await loadRequest(c.deps, id),
      trail: await auditTrail(c.deps, id),
    }),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/approve$/,
    async (c, b, [id = ""]) =>
      approve(c.deps, { requestId: id, approver: { slackUserId: personFor(need(b, "as")).slackUserId } }),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/deny$/,
    async (c, b, [id = ""]) =>
      deny(c.deps, {
  ["GET", /^\/audit$/, async (c, { query }) => auditReport(c.deps, Object.fromEntries(query))],
        requestId: id,
        approver: { slackUserId: personFor(need(b, "as")).slackUserId },
        reason: need(b, "reason"),
      }),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/cancel$/,
    async (c, b, [id = ""]) =>
      cancelRequest(c.deps, { requestId: id, actor: personFor(need(b, "as")).slackUserId }),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/extend$/,
    async (c, b, [id = ""]) =>
      extendGrant(c.deps, { requestId: id, actor: personFor(need(b, "as")).slackUserId, by: need(b, "by") }),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/revoke$/,
    async (c, b, [id = ""]) =>
      revokeNow(c.deps, { requestId: id, actor: personFor(need(b, "as")).slackUserId }),
  ],
  ["GET", /^\/sessions$/, async (c) => [...c.account.sessions.values()]],
  [
    "POST",
    /^\/sessions$/,
    async (c, b) =>
      startSession(c.deps, c.account, {
        person: personFor(need(b, "as")),
        target: need(b, "target"),
        document: b.document,
      }),
  ],
  ["GET", /^\/notices$/, async (c) => c.notices.slice(-200)],
  ["POST", /^\/sweep$/, async (c) => sweep(c.deps)],
];

/** The HTTP status for an error a person caused, or 500 for ours. */
function statusOf(error: unknown): number {
  if (error instanceof ApiRefusalError) return error.status;
  if (error instanceof ValidationError || error instanceof ConfigError) return 400;
  if (error instanceof NotAuthorizedError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof QuotaExceededError || error instanceof ConflictError) return 409;
  return 500;
}

/** The largest body any route needs, with room to spare. */
const MAX_BODY = 64 * 1024;

async function readBody(req: AsyncIterable<Buffer | string>): Promise<Body> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_BODY) throw new ApiRefusalError(413, `the body is over ${MAX_BODY} bytes`);
  }
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError("body", "the request body is not JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new ValidationError("body", "the request body must be a JSON object");
  return body as Body;
}

/** How the API is served: the run's token, which every call must carry. */
export interface ApiOptions {
  token: string;
}

/**
 * Serves the API on 127.0.0.1:port (0: any free port); rejects with a clear message when the port
 * is taken. Calls that are not `jit`'s are refused before any route runs (see api-guard.ts).
 */
export async function startApi(ctx: ApiContext, port: number, options: ApiOptions): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      checkCall(req.method ?? "GET", req.headers, { port: bound, token: options.token });
    } catch (error) {
      if (!(error instanceof ApiRefusalError)) throw error;
      return reply(error.status, { error: error.name, message: error.message });
    }
    if (!route) return reply(404, { error: "NotFound", message: `no route ${req.method} ${url.pathname}` });
    try {
      const params = route[1].exec(url.pathname)?.slice(1) ?? [];
      reply(200, await route[2](ctx, await readBody(req), params, url.searchParams));
    } catch (error) {
      const status = statusOf(error);
      if (status === 500) console.error(`sandbox: ${req.method} ${url.pathname} failed:`, error);
      const e = error instanceof Error ? error : new Error(String(error));
      reply(status, { error: e.name, message: status === 500 ? `internal error: ${e.message}` : e.message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${port} on 127.0.0.1 is in use: another sandbox may be running (try \`npx jit list\`), or set JIT_PORT`,
            )
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}
