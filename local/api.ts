/**
 * The sandbox's HTTP API on 127.0.0.1, for the `jit` command: the routes the deployed API serves
 * (adapters/api/routes.ts), with `as` naming the person acting, plus the sandbox's own (its sessions,
 * notices, a sweep). JSON in, JSON out; typed errors become 4xx with their message. `as` is trusted,
 * so the API answers only `jit` itself (api-guard.ts says how).
 */
import { createServer, type Server } from "node:http";
import {
  CALLER_ROUTES,
  type Caller,
  field,
  findRoute,
  publicRecord,
  type Route,
} from "../adapters/api/routes.ts";
import { MAX_BODY, parseBody, statusOf } from "../adapters/api/status.ts";
import { grantAccounts, sessionView } from "../adapters/api/views.ts";
import type { SandboxAccount } from "../adapters/local/account.ts";
import type { SandboxOrganization } from "../adapters/local/organization.ts";
import { ValidationError } from "../core/errors.ts";
import type { Deps, Notice, SessionNotice } from "../core/ports.ts";
import { STATUSES } from "../core/request.ts";
import { auditReport } from "../core/usecases/audit.ts";
import { listUnreviewed } from "../core/usecases/break-glass.ts";
import { auditTrail, loadRequest } from "../core/usecases/common.ts";
import { sweep } from "../core/usecases/sweep.ts";
import { ApiRefusalError, checkCall } from "./api-guard.ts";
import { personFor } from "./people.ts";
import { startSession } from "./start-session.ts";

export interface ApiContext {
  deps: Deps;
  /** The hub's account. */
  account: SandboxAccount;
  /** Every account, the hub's included; the hub's alone when absent. */
  organization?: SandboxOrganization | undefined;
  notices: (Notice | SessionNotice)[];
}

/** Every account of the sandbox by id, the hub's first. */
const accountsOf = (c: ApiContext): [string, SandboxAccount][] =>
  c.organization ? [...c.organization.accounts] : [[c.deps.config.accountId, c.account]];

/** The person `as` names, from the body of a POST or the query of a GET. */
function callerOf(body: Record<string, unknown>, query: URLSearchParams): Caller {
  const as = field(body, "as") ?? query.get("as") ?? undefined;
  if (!as) throw new ValidationError("as", "the sandbox needs --as: who acts (a Slack user ID or an email)");
  // The sandbox's people belong to no Slack user group.
  return { person: personFor(as), groupsOf: async () => [] };
}

type SandboxRoute = [
  method: "GET" | "POST",
  path: RegExp,
  run: (
    ctx: ApiContext,
    input: { body: Record<string, unknown>; params: string[]; query: URLSearchParams },
  ) => Promise<unknown>,
];

/** What only the sandbox serves: everyone's requests and sessions, its notices, a sweep on demand. */
const SANDBOX_ROUTES: SandboxRoute[] = [
  [
    "GET",
    /^\/health$/,
    async (c) => ({
      ok: true,
      profiles: Object.keys(c.deps.config.profiles),
      nodes: accountsOf(c).flatMap(([accountId, a]) => a.nodes.map((n) => ({ ...n, accountId }))),
    }),
  ],
  [
    "GET",
    /^\/requests$/,
    async (c, { query }) => {
      const as = query.get("as");
      if (as) return (await c.deps.store.listByRequester(personFor(as).slackUserId)).map(publicRecord);
      const all = await Promise.all(STATUSES.map((s) => c.deps.store.listByStatus(s)));
      return all
        .flat()
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map(publicRecord);
    },
  ],
  [
    "GET",
    /^\/requests\/([\w-]+)$/,
    async (c, { params: [id = ""] }) => {
      const request = await loadRequest(c.deps, id);
      return {
        request: publicRecord(request),
        trail: await auditTrail(c.deps, id),
        accounts: grantAccounts(c.deps.config, request),
      };
    },
  ],
  // Everyone's sessions in every account, each with its account named.
  [
    "GET",
    /^\/sessions$/,
    async (c) =>
      accountsOf(c).flatMap(([accountId, a]) =>
        [...a.sessions.values()].map((s) => sessionView(c.deps.config, s, accountId)),
      ),
  ],
  // Without --as, the sandbox lists every unreviewed break-glass grant; with it, the shared route's view.
  [
    "GET",
    /^\/unreviewed$/,
    async (c, { query }) => {
      const as = query.get("as");
      if (!as) return (await listUnreviewed(c.deps)).map(publicRecord);
      const shared = findRoute(CALLER_ROUTES as Route[], "GET", "/unreviewed");
      return shared?.run(c.deps, callerOf({}, query), { body: {}, params: [], query });
    },
  ],
  [
    "POST",
    /^\/sessions$/,
    async (c, { body, query }) =>
      startSession(c.deps, c.organization ?? c.account, {
        person: callerOf(body, query).person,
        target: field(body, "target", true),
        document: field(body, "document"),
        account: field(body, "account"),
      }),
  ],
  ["GET", /^\/audit$/, async (c, { query }) => auditReport(c.deps, Object.fromEntries(query))],
  ["GET", /^\/notices$/, async (c) => c.notices.slice(-200)],
  ["POST", /^\/sweep$/, async (c) => sweep(c.deps)],
];

/** The sandbox's own route for the call, else the shared one run as `as`. */
function routeFor(method: string, path: string) {
  const own = SANDBOX_ROUTES.find(([m, p]) => m === method && p.test(path));
  if (own) {
    const params = own[1].exec(path)?.slice(1) ?? [];
    return (ctx: ApiContext, body: Record<string, unknown>, query: URLSearchParams) =>
      own[2](ctx, { body, params, query });
  }
  const shared = findRoute(CALLER_ROUTES as Route[], method, path);
  if (!shared) return undefined;
  return (ctx: ApiContext, body: Record<string, unknown>, query: URLSearchParams) =>
    shared.run(ctx.deps, callerOf(body, query), { body, params: shared.params, query });
}

async function readBody(req: AsyncIterable<Buffer | string>): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    // parseBody refuses it too; stopping here spares reading the rest.
    if (text.length > MAX_BODY) return parseBody(text);
  }
  return parseBody(text);
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
    const route = routeFor(req.method ?? "GET", url.pathname);
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
      reply(200, await route(ctx, await readBody(req), url.searchParams));
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
