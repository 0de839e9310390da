/**
 * The API's operations, transport-free: the deployed function URL (functions/api.ts, the caller
 * verified by AWS) and the sandbox (local/api.ts, the caller named by `--as`) serve the same routes
 * over the same use cases the Slack listeners call. Every rule (approvers, self-approval, quorum,
 * admins) is the use case's, checked against the stored record, never against what the call claims.
 */
import { configuredGroups, isApproverOf } from "../../core/approval.ts";
import { NotAuthorizedError, ValidationError } from "../../core/errors.ts";
import type { Deps } from "../../core/ports.ts";
import type { Person } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { approve, deny } from "../../core/usecases/approval.ts";
import { auditReport } from "../../core/usecases/audit.ts";
import { listUnreviewed } from "../../core/usecases/break-glass.ts";
import { reviewBreakGlass } from "../../core/usecases/break-glass-review.ts";
import { auditTrail, loadRequest } from "../../core/usecases/common.ts";
import { extendGrant } from "../../core/usecases/expiry.ts";
import { cancelRequest, createRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { requestIdFor } from "../slack/command.ts";
import {
  awaitingVote,
  connectionAcross,
  grantAccounts,
  liveSessionsOf,
  profilesFor,
  whoami,
} from "./views.ts";

/** Who acts: a person, and the Slack user groups they belong to among some candidates. */
export interface Caller {
  person: Person;
  groupsOf(candidates: readonly string[]): Promise<string[]>;
}

export type Body = Record<string, unknown>;
export interface RouteInput {
  body: Body;
  params: string[];
  query: URLSearchParams;
}
export type Route = [
  method: "GET" | "POST",
  path: RegExp,
  run: (deps: Deps, caller: Caller, input: RouteInput) => Promise<unknown>,
];

/** A string field of the body; ValidationError when required and missing, or not a string. */
export function field(body: Body, name: string, required: true): string;
export function field(body: Body, name: string, required?: false): string | undefined;
export function field(body: Body, name: string, required = false): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === "") {
    if (required) throw new ValidationError(name, `${name} is required`);
    return undefined;
  }
  if (typeof value !== "string") throw new ValidationError(name, `${name} must be a string`);
  return value;
}

/**
 * A record as callers see it: the workflow's task token stays in the table (whoever holds it could
 * resume the approval step without a vote).
 */
export function publicRecord(request: AccessRequest): Omit<AccessRequest, "taskToken"> {
  const { taskToken: _token, ...rest } = request;
  return rest;
}

/** The caller's Slack user groups among those the configuration names. */
const groupsIn = (d: Deps, c: Caller) => c.groupsOf(configuredGroups(d.config.profiles));

/** The request id a client's retry key stands for, unique to the caller; none without a key. */
const retryKeyId = (c: Caller, key: string | undefined, now: () => Date) =>
  key ? requestIdFor(`api:${c.person.slackUserId}:${key}`, now()) : undefined;

/** The caller as an approver, with their groups: the use case reads the record and judges. */
const approver = async (deps: Deps, caller: Caller) => ({
  slackUserId: caller.person.slackUserId,
  groups: await groupsIn(deps, caller),
});

/** The requester, an approver of the request's profile or an admin may read a request. */
async function readable(deps: Deps, caller: Caller, id: string): Promise<AccessRequest> {
  const request = await loadRequest(deps, id);
  const me = caller.person.slackUserId;
  if (request.requester.slackUserId === me || deps.config.slack.admins.includes(me)) return request;
  const profile = deps.config.profiles[request.profileId];
  if (profile && isApproverOf(profile, { slackUserId: me, groups: await caller.groupsOf(profile.approvers) }))
    return request;
  throw new NotAuthorizedError(
    `${request.id} is not yours to read: only its requester, its profile's approvers and admins may`,
  );
}

const outcome = (r: { outcome: string; request: AccessRequest }) => ({
  outcome: r.outcome,
  request: publicRecord(r.request),
});

/** The routes every transport serves, each run as `caller`. */
export const CALLER_ROUTES: Route[] = [
  ["GET", /^\/profiles$/, async (d, c) => profilesFor(d, c.person, await groupsIn(d, c))],
  ["GET", /^\/whoami$/, async (d, c) => whoami(d, c.person, await groupsIn(d, c))],
  [
    "GET",
    /^\/awaiting-vote$/,
    async (d, c) => (await awaitingVote(d, c.person, await groupsIn(d, c))).map(publicRecord),
  ],
  [
    "POST",
    /^\/requests$/,
    async (d, c, { body }) => {
      const profileId = field(body, "profile", true);
      const profile = d.config.profiles[profileId];
      return publicRecord(
        await createRequest(d, {
          requester: c.person,
          profileId,
          duration: field(body, "for"),
          reason: field(body, "reason"),
          ticket: field(body, "ticket"),
          groups: profile?.requesters ? await c.groupsOf(profile.requesters) : [],
          // A retry key from the client, bound to the caller: it can only ever find their own request.
          requestId: retryKeyId(c, field(body, "idempotencyKey"), () => d.clock.now()),
          breakGlass: flag(body, "breakGlass"),
        }),
      );
    },
  ],
  [
    "GET",
    /^\/requests$/,
    async (d, c) => (await d.store.listByRequester(c.person.slackUserId)).map(publicRecord),
  ],
  [
    "GET",
    /^\/requests\/([\w-]+)$/,
    async (d, c, { params: [id = ""] }) => {
      const request = await readable(d, c, id);
      // The accounts it grants in, named, so a client needs no copy of the config to say where.
      return {
        request: publicRecord(request),
        trail: await auditTrail(d, id),
        accounts: grantAccounts(d.config, request),
      };
    },
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/approve$/,
    async (d, c, { params: [id = ""] }) =>
      outcome(await approve(d, { requestId: id, approver: await approver(d, c) })),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/deny$/,
    async (d, c, { body, params: [id = ""] }) =>
      publicRecord(
        await deny(d, {
          requestId: id,
          approver: await approver(d, c),
          reason: field(body, "reason", true),
        }),
      ),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/cancel$/,
    async (d, c, { params: [id = ""] }) =>
      publicRecord(await cancelRequest(d, { requestId: id, actor: c.person.slackUserId })),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/extend$/,
    async (d, c, { body, params: [id = ""] }) =>
      outcome(
        await extendGrant(d, { requestId: id, actor: c.person.slackUserId, by: field(body, "by", true) }),
      ),
  ],
  [
    "POST",
    /^\/requests\/([\w-]+)\/revoke$/,
    async (d, c, { params: [id = ""] }) => revokeNow(d, { requestId: id, actor: c.person.slackUserId }),
  ],
  [
    "GET",
    /^\/requests\/([\w-]+)\/connect$/,
    async (d, c, { params: [id = ""], query }) =>
      connectionAcross(d, c.person, await readable(d, c, id), {
        target: query.get("target") ?? "",
        document: query.get("document") ?? undefined,
        account: query.get("account") ?? undefined,
      }),
  ],
  // The caller's live sessions in every account where they have a principal, each account named.
  ["GET", /^\/sessions$/, async (d, c) => liveSessionsOf(d, c.person)],
  // The access report an auditor takes away: everyone's requests, so admins only.
  [
    "GET",
    /^\/audit$/,
    async (d, c, { query }) => {
      if (!d.config.slack.admins.includes(c.person.slackUserId))
        throw new NotAuthorizedError("only admins (slack.admins) may read the audit of every request");
      return auditReport(d, Object.fromEntries(query));
    },
  ],
  // Break-glass grants waiting for review: those the caller may review, and their own.
  ["GET", /^\/unreviewed$/, async (d, c) => (await reviewable(d, c)).map(publicRecord)],
  [
    "POST",
    /^\/requests\/([\w-]+)\/review$/,
    async (d, c, { body, params: [id = ""] }) => {
      const verdict = field(body, "outcome", true);
      if (verdict !== "ok" && verdict !== "revoke")
        throw new ValidationError("outcome", `outcome must be ok or revoke, not "${verdict}"`);
      const result = await reviewBreakGlass(d, {
        requestId: id,
        reviewer: await approver(d, c),
        outcome: verdict,
      });
      return { ...result, request: publicRecord(result.request) };
    },
  ],
];

/** A boolean field of the body; ValidationError when it is something else. */
function flag(body: Body, name: string): boolean {
  const value = body[name];
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  throw new ValidationError(name, `${name} must be true or false`);
}

/** Unreviewed break-glass grants the caller may review (approver of the profile, or an admin) or made. */
async function reviewable(deps: Deps, caller: Caller): Promise<AccessRequest[]> {
  const me = caller.person.slackUserId;
  const admin = deps.config.slack.admins.includes(me);
  const out: AccessRequest[] = [];
  for (const r of await listUnreviewed(deps)) {
    const profile = deps.config.profiles[r.profileId];
    const approves =
      profile && isApproverOf(profile, { slackUserId: me, groups: await caller.groupsOf(profile.approvers) });
    if (admin || approves || r.requester.slackUserId === me) out.push(r);
  }
  return out;
}

/** The route for `method` and `path`, with its captured parameters; undefined when none. */
export function findRoute(routes: Route[], method: string, path: string) {
  for (const route of routes) {
    if (route[0] !== method) continue;
    const match = route[1].exec(path);
    if (match) return { run: route[2], params: match.slice(1) };
  }
  return undefined;
}
