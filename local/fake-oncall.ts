/**
 * Fake PagerDuty and Opsgenie REST APIs on 127.0.0.1, serving the sandbox schedule file with the
 * providers' documented response shapes, so the real adapters (adapters/oncall/) run against them.
 * At least as strict as the real ones: the token is checked on every call (401 / 401 with the
 * providers' error bodies), unknown paths are 404, bad times are 400, an unknown Opsgenie schedule
 * is 404. Tests can make the next answers fail (HTTP 500, slow, malformed).
 * PagerDuty: https://developer.pagerduty.com/api-reference/c96e889522dd6-list-users and
 * https://developer.pagerduty.com/api-reference/3a6b910f11050-list-all-of-the-on-calls
 * Opsgenie: https://docs.opsgenie.com/docs/who-is-on-call-api
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type OnCallSchedule, resolveTime } from "./oncall-schedule.ts";

/** What the next answers do instead of answering: tests of the fallback use these. */
export type Fault = "http-500" | "slow" | "malformed";

export interface FakeOnCall {
  url: string;
  /** Every request's path and query, in order (the token is never kept). */
  requests: string[];
  /** Makes the next `count` requests fail as `fault`. */
  failNext: (fault: Fault, count?: number) => void;
  stop: () => Promise<void>;
}

export interface FakeOnCallOptions {
  /** Read on every request, so a demo or a test may change who is on call. */
  schedule: () => OnCallSchedule;
  token: string;
  now?: () => Date;
  /** How long a "slow" answer takes. */
  slowMs?: number;
}

type Handler = (url: URL, now: Date) => { status: number; body: unknown };

const ref = (type: string, id: string) => ({
  id,
  type: `${type}_reference`,
  summary: id,
  self: `https://api.pagerduty.com/${type}s/${id}`,
  html_url: `https://example.pagerduty.com/${type}s/${id}`,
});

const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : null);

/** PagerDuty `GET /users` and `GET /oncalls`, answered from the schedule. */
function pagerDuty(schedule: () => OnCallSchedule): Handler {
  return (url, now) => {
    const pd = schedule().pagerduty;
    // Classic pagination as PagerDuty documents it: `limit` (25 by default, at most 100) and `offset`.
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 25) || 25, 100);
    const offset = Number(url.searchParams.get("offset") ?? 0) || 0;
    const page = { limit, offset, more: false, total: null };
    if (url.pathname === "/users") {
      const q = (url.searchParams.get("query") ?? "").toLowerCase();
      const all = pd.users
        .filter((u) => u.email.toLowerCase().includes(q) || u.name.toLowerCase().includes(q))
        .map((u) => ({ ...ref("user", u.id), type: "user", name: u.name, email: u.email, summary: u.name }));
      const users = all.slice(offset, offset + limit);
      return { status: 200, body: { users, ...page, more: offset + limit < all.length } };
    }
    if (url.pathname === "/oncalls") {
      const since = new Date(url.searchParams.get("since") ?? now.toISOString());
      const until = new Date(url.searchParams.get("until") ?? now.toISOString());
      if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || until < since) {
        return { status: 400, body: { error: { message: "Invalid Input Provided", code: 2001 } } };
      }
      const list = (key: string) => url.searchParams.getAll(key);
      const [users, schedules, policies] = [
        list("user_ids[]"),
        list("schedule_ids[]"),
        list("escalation_policy_ids[]"),
      ];
      const oncalls = pd.oncalls
        .map((o) => ({ ...o, from: resolveTime(o.start, now), to: resolveTime(o.end, now) }))
        .filter((o) => (!o.from || o.from < until) && (!o.to || o.to > since))
        .filter((o) => users.length === 0 || users.includes(o.user))
        .filter((o) => schedules.length === 0 || (o.schedule !== null && schedules.includes(o.schedule)))
        .filter((o) => policies.length === 0 || policies.includes(o.escalationPolicy))
        .map((o) => ({
          escalation_policy: ref("escalation_policy", o.escalationPolicy),
          escalation_level: o.level,
          schedule: o.schedule ? ref("schedule", o.schedule) : null,
          user: ref("user", o.user),
          start: iso(o.from),
          end: iso(o.to),
        }));
      return { status: 200, body: { oncalls, ...page } };
    }
    return { status: 404, body: { error: { message: "Not Found", code: 2100 } } };
  };
}

/** Opsgenie `GET /v2/schedules/{identifier}/on-calls?flat=true`, answered from the schedule. */
function opsgenie(schedule: () => OnCallSchedule): Handler {
  return (url, now) => {
    const took = 0.012;
    const requestId = "00000000-0000-4000-8000-000000000000";
    const match = /^\/v2\/schedules\/([^/]+)\/on-calls$/.exec(url.pathname);
    if (!match?.[1]) return { status: 404, body: { message: "Not found", took, requestId } };
    const identifier = decodeURIComponent(match[1]);
    const byName = url.searchParams.get("scheduleIdentifierType") === "name";
    const found = schedule().opsgenie.schedules.find((s) => (byName ? s.name : s.id) === identifier);
    if (!found) {
      return {
        status: 404,
        body: { message: `Schedule with identifier [${identifier}] not found.`, took, requestId },
      };
    }
    const at = url.searchParams.has("date") ? new Date(url.searchParams.get("date") ?? "") : now;
    if (Number.isNaN(at.getTime()))
      return { status: 422, body: { message: "Invalid date", took, requestId } };
    const onCall = found.onCall.filter((p) => {
      const from = resolveTime(p.start, now);
      const to = resolveTime(p.end, now);
      return (!from || from <= at) && (!to || to > at);
    });
    const _parent = { id: found.id, name: found.name, enabled: true };
    const data =
      url.searchParams.get("flat") === "true"
        ? { _parent, onCallRecipients: onCall.map((p) => p.email) }
        : { _parent, onCallParticipants: onCall.map((p) => ({ id: p.email, name: p.email, type: "user" })) };
    return { status: 200, body: { data, took, requestId } };
  };
}

async function serve(
  handler: Handler,
  authorized: (req: IncomingMessage) => boolean,
  unauthorized: unknown,
  options: FakeOnCallOptions,
): Promise<FakeOnCall> {
  const requests: string[] = [];
  const faults: Fault[] = [];
  const now = options.now ?? (() => new Date());
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${url.pathname}${url.search}`);
    const fault = faults.shift();
    if (fault === "http-500") return send(res, 500, JSON.stringify({ error: "Internal Server Error" }));
    if (fault === "malformed") return send(res, 200, JSON.stringify({ oncalls: "soon", data: [] }));
    if (fault === "slow") return void setTimeout(() => send(res, 200, "{}"), options.slowMs ?? 5000).unref();
    if (req.method !== "GET") return send(res, 405, JSON.stringify({ error: "Method Not Allowed" }));
    if (!authorized(req)) return send(res, 401, JSON.stringify(unauthorized));
    const { status, body } = handler(url, now());
    send(res, status, JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (fault, count = 1) => {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fake PagerDuty REST API (`Authorization: Token token=<token>`). */
export function startFakePagerDuty(options: FakeOnCallOptions): Promise<FakeOnCall> {
  return serve(
    pagerDuty(options.schedule),
    (req) => req.headers.authorization === `Token token=${options.token}`,
    { error: { message: "Unauthorized", code: 2006 } },
    options,
  );
}

/** A fake Opsgenie REST API (`Authorization: GenieKey <key>`). */
export function startFakeOpsgenie(options: FakeOnCallOptions): Promise<FakeOnCall> {
  return serve(
    opsgenie(options.schedule),
    (req) => req.headers.authorization === `GenieKey ${options.token}`,
    { message: "Could not authenticate", took: 0.0, requestId: "00000000-0000-4000-8000-000000000001" },
    options,
  );
}
