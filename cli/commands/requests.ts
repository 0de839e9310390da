/** `jit request`, `jit list` and `jit show`: asking for access and seeing where requests stand. */
import type { AccountView } from "../../adapters/api/views.ts";
import { formatDuration } from "../../core/duration.ts";
import type { AuditEvent } from "../../core/ports.ts";
import type { AccessRequest } from "../../core/request.ts";
import { follow } from "../follow.ts";
import { accountText, nowOf, paintStatus, table, until, when } from "../format.ts";
import type { Io } from "../io.ts";
import { endedBadly, finalLine, progress, SETTLED } from "../outcome.ts";
import { asQuery, callSandbox } from "../sandbox-client.ts";
import { currentTarget } from "../stages.ts";
import { sentence, withoutApproversLines } from "../trail.ts";

const json = (io: Io, data: unknown) => io.out(JSON.stringify(data, null, 2));
const who = (r: AccessRequest) => r.requester.email ?? r.requester.slackUserId;
/** The profile, and how many accounts the request grants in when that is more than one. */
const profileOf = (r: AccessRequest) =>
  (r.grants?.length ?? 0) > 1 ? `${r.profileId} (${r.grants?.length} accounts)` : r.profileId;

export interface RequestOptions {
  /** Who asks, in the sandbox; against a stage, whoever signed. */
  as?: string;
  profile: string;
  for?: string;
  reason?: string;
  ticket?: string;
  wait?: boolean;
  json?: boolean;
  /** Break-glass: granted at once without approvers where the profile allows it; reviewed after. */
  breakGlass?: boolean;
}

/** Asks for access; with --wait, follows it and exits 1 unless it became active. */
export async function requestCommand(o: RequestOptions, io: Io): Promise<number> {
  const { as, profile, reason, ticket } = o;
  const created = await callSandbox<AccessRequest>("POST", "/requests", {
    as,
    profile,
    for: o.for,
    reason,
    ticket,
    ...(o.breakGlass ? { breakGlass: true } : {}),
  });
  if (!o.wait) {
    if (o.json) json(io, created);
    else io.out(`${created.id}: ${progress(created, nowOf(io))}`);
    return 0;
  }
  const { request, interrupted } = await follow(created.id, io, (r) => SETTLED.includes(r.status), {
    quiet: o.json,
  });
  if (interrupted) {
    io.err(
      request.status === "PENDING"
        ? `jit: ${request.id} is still pending (${progress(request, nowOf(io))}); cancel it with: jit cancel ${request.id}${as ? ` --as ${as}` : ""}`
        : `jit: stopped waiting; ${request.id} is ${progress(request, nowOf(io))} (see jit show ${request.id})`,
    );
    return 130;
  }
  const final = finalLine(request, nowOf(io), (r) => r.status === "ACTIVE");
  if (o.json) json(io, request);
  else if (final.ok) io.out(final.line);
  else io.err(final.line);
  return final.ok ? 0 : 1;
}

/** Requests as rows: the newest first, with the state people care about. */
function requestRows(list: AccessRequest[], io: Io): string[] {
  const now = nowOf(io);
  const rows = list.map((r) => [
    r.id,
    paintStatus(r.status, io),
    profileOf(r),
    who(r),
    r.status === "ACTIVE" ? until(r.expiresAt, now) : when(r.createdAt, now),
  ]);
  return table(["ID", "STATUS", "PROFILE", "REQUESTER", "WHEN"], rows, io);
}

/** Break-glass grants waiting for their review: when granted, when the review is due, reminders. */
async function listUnreviewed(o: { as?: string; json?: boolean }, io: Io): Promise<number> {
  const list = await callSandbox<AccessRequest[]>("GET", `/unreviewed${asQuery(o.as)}`);
  if (o.json) {
    json(io, list);
    return 0;
  }
  if (list.length === 0) {
    io.out("No break-glass grant waits for review.");
    return 0;
  }
  const now = nowOf(io);
  const rows = list.map((r) => [
    r.id,
    r.profileId,
    who(r),
    paintStatus(r.status, io),
    when(r.breakGlass?.at, now),
    `${when(r.breakGlass?.reviewDueAt, now)}${r.breakGlass?.escalatedAt ? " ESCALATED" : ""}`,
    String(r.breakGlass?.remindersSent ?? 0),
  ]);
  io.out(
    table(["ID", "PROFILE", "REQUESTER", "STATUS", "GRANTED", "REVIEW DUE", "REMINDERS"], rows, io).join(
      "\n",
    ),
  );
  return 0;
}

/** Lists requests; with --as, what waits for that person's vote comes first, then their own. */
export async function listCommand(
  o: { as?: string; json?: boolean; unreviewed?: boolean },
  io: Io,
): Promise<number> {
  if (o.unreviewed) return listUnreviewed(o, io);
  // The sandbox lists everyone's requests without --as; a stage lists only the caller's.
  if (!o.as && !currentTarget()) {
    const all = await callSandbox<AccessRequest[]>("GET", "/requests");
    if (o.json) json(io, all);
    else io.out(all.length ? requestRows(all, io).join("\n") : "No requests yet.");
    return 0;
  }
  const [waiting, mine] = await Promise.all([
    callSandbox<AccessRequest[]>("GET", `/awaiting-vote${asQuery(o.as)}`),
    callSandbox<AccessRequest[]>("GET", `/requests${asQuery(o.as)}`),
  ]);
  if (o.json) {
    json(io, { awaitingYourVote: waiting, yourRequests: mine });
    return 0;
  }
  const now = nowOf(io);
  if (waiting.length) {
    io.out("Waiting for your vote:");
    const rows = waiting.map((r) => [
      r.id,
      r.profileId,
      who(r),
      `${r.approvals.length} of ${r.approvalsRequired}`,
      when(r.createdAt, now),
    ]);
    io.out(table(["ID", "PROFILE", "REQUESTER", "APPROVALS", "ASKED"], rows, io).join("\n"));
    io.out("");
  }
  if (mine.length) io.out(`Your requests:\n${requestRows(mine, io).join("\n")}`);
  else if (!waiting.length) io.out("No requests yet, and none waits for your vote.");
  return 0;
}

/**
 * Where the request grants: "accounts: prod (123456789012), staging (444455556666)", with the
 * principal in each when they differ by more than the account. From the API's named accounts, or the
 * record's own grants from an API that does not name them.
 */
function accountLines(r: AccessRequest, named: AccountView[] | undefined): string[] {
  const grants = r.grants ?? [];
  const accounts = named ?? grants.map((g) => ({ accountId: g.accountId }));
  if (accounts.length === 0) return [];
  const noun = accounts.length === 1 ? "account" : "accounts";
  const lines = [`${noun}: ${accounts.map(accountText).join(", ")}`];
  if (grants.length > 1)
    for (const g of grants) {
      const a = accounts.find((x) => x.accountId === g.accountId) ?? { accountId: g.accountId };
      lines.push(`  in ${accountText(a)} as ${g.principal.arn}`);
    }
  return lines;
}

/** The record and its audit trail; with --follow, after it settles (exit 1 if denied, failed or expired). */
export async function showCommand(
  id: string,
  o: { json?: boolean; follow?: boolean },
  io: Io,
): Promise<number> {
  if (o.follow) {
    const followed = await follow(id, io, (r) => SETTLED.includes(r.status) && r.status !== "ACTIVE", {
      quiet: o.json,
    });
    if (followed.interrupted) {
      io.err(`jit: stopped following; ${id} is ${progress(followed.request, nowOf(io))}`);
      return 130;
    }
  }
  const data = await callSandbox<{ request: AccessRequest; trail: AuditEvent[]; accounts?: AccountView[] }>(
    "GET",
    `/requests/${id}`,
  );
  if (o.json) {
    json(io, data);
    return o.follow && endedBadly(data.request) ? 1 : 0;
  }
  const r = data.request;
  const now = nowOf(io);
  const lines = [
    `${r.id}  ${paintStatus(r.status, io)}  ${r.profileId}  requested by ${r.requester.slackUserId}${r.requester.email ? ` (${r.requester.email})` : ""}`,
    progress(r, now),
    `reason: ${r.reason || "-"}${r.ticket ? `  ticket: ${r.ticket}` : ""}`,
    `asked ${when(r.createdAt, now)} for ${formatDuration(r.durationSeconds)}`,
    ...accountLines(r, data.accounts),
    ...withoutApproversLines(r, now),
  ];
  if (r.principal.kind === "shared-role" && r.status === "ACTIVE") {
    lines.push(
      `principal: ${r.principal.arn} as ${r.principal.sessionName}: your current SSO session works as it is (no new role, no re-login); use your SSO profile with aws ssm start-session`,
    );
  }
  lines.push("audit trail:", ...data.trail.map((e) => `  ${when(e.at, now)}  ${sentence(e, r, now)}`));
  io.out(lines.join("\n"));
  return o.follow && endedBadly(r) ? 1 : 0;
}
