/**
 * Session events: every session start and end is tied to the grant that allowed it, recorded in that
 * request's audit trail and announced once, however often and in whatever order CloudTrail delivers
 * it. A session no grant explains, or a refused attempt, is recorded and announced as an alert.
 *
 * Several accounts (issue 12): events arrive from every account of the organization. One from an
 * account the configuration does not name is dropped; any other is judged in its own account (which
 * grants may explain it, where its node is: session-grants.ts), and its record, audit events, notices
 * and alerts name that account.
 */
import type { AccessConfig } from "../config/load.ts";
import { ConflictError } from "../errors.ts";
import { log } from "../log.ts";
import type { AlertRecord, Deps, SessionNotice, SessionRecord } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { isIdentityCenterRole } from "../slots.ts";
import { describeTranscript, transcriptOf } from "../transcripts.ts";
import { audit } from "./common.ts";
import { accountOf, grantAccountIds, label } from "./in-account.ts";
import { grantsAt } from "./session-grants.ts";

/** One StartSession, ResumeSession or TerminateSession call, as CloudTrail reported it. */
export interface SessionEvent {
  eventId: string;
  name: "StartSession" | "ResumeSession" | "TerminateSession";
  /** The account the call was made in; events from accounts the config does not name are dropped. */
  accountId: string;
  time: string;
  region: string;
  /** The caller: an IAM user ARN or an STS assumed-role ARN. */
  actorArn: string;
  /** The IAM role or user behind the caller (the session issuer of an assumed role). */
  principalArn?: string | undefined;
  /** The role session name of an assumed role (on Identity Center roles, the person). */
  sessionName?: string | undefined;
  target?: string | undefined;
  sessionId?: string | undefined;
  /** StartSession's DocumentName; CloudTrail leaves it out when the caller used the default shell. */
  document?: string | undefined;
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
}

export type SessionOutcome =
  | "ignored"
  | "duplicate"
  | "started"
  | "resumed"
  | "ended"
  | "no-grant"
  | "outside-grant"
  | "not-owner"
  | "refused"
  | "refused-counted";

/** Reads, changes and writes a session record, again on a lost race. */
async function updateSession(
  deps: Deps,
  sessionId: string,
  change: (current: SessionRecord) => SessionRecord,
  fresh: () => SessionRecord,
): Promise<{ before: SessionRecord | undefined; after: SessionRecord }> {
  for (let tries = 0; ; tries++) {
    const before = await deps.sessionLog.getSession(sessionId);
    const after = { ...change(before ?? { ...fresh(), version: 0 }), version: (before?.version ?? 0) + 1 };
    try {
      await deps.sessionLog.saveSession(after);
      return { before, after };
    } catch (error) {
      if (!(error instanceof ConflictError) || tries >= 5) throw error;
    }
  }
}

const blank = (e: SessionEvent, sessionId: string): SessionRecord => ({
  sessionId,
  accountId: e.accountId,
  owner: e.actorArn,
  region: e.region,
  startAnnounced: false,
  endAnnounced: false,
  version: 0,
});

const SHELL_DOCUMENT = "SSM-SessionManagerRunShell";

/** Where an ended session's transcript is: the sandbox's file, or what the preferences say. */
const transcriptFor = (deps: Deps, s: SessionRecord) =>
  transcriptOf(
    deps.config,
    { sessionId: s.sessionId, region: s.region, document: s.document, accountId: s.accountId },
    deps.transcriptFile,
  );

async function announce(deps: Deps, notice: SessionNotice): Promise<void> {
  await deps.notifier.notifySession(notice);
}

/** Handles one CloudTrail session event; safe to call again with the same event. */
export async function handleSessionEvent(deps: Deps, e: SessionEvent): Promise<SessionOutcome> {
  if (!knownAccounts(deps).has(e.accountId)) {
    // Nothing of it is recorded. Not only a mistake or an attack: the spoke's StackSet reaches every
    // account of the configured OUs, named or not, and each forwards its calls. Logged, not alerted
    // (no metric of the catalog counts dropped events).
    log.warn("session event from an account the configuration does not name; dropped", {
      eventId: e.eventId,
      accountId: e.accountId,
      reason: "the account is neither the hub nor one of the configuration's accounts",
    });
    return "ignored";
  }
  if (!(await deps.sessionLog.claimEvent(e.eventId))) return "duplicate";
  try {
    return await handle(deps, e);
  } catch (error) {
    // Give the event back so the retry of this delivery is handled, not skipped as a duplicate.
    await deps.sessionLog.releaseEvent(e.eventId);
    throw error;
  }
}

/**
 * The accounts whose session events this deployment handles: the hub and every named account, each
 * once, sorted. The hub's EventBridge rule lets only these through (stacks/session-event-pattern.ts);
 * this use case drops the others again, for the sandbox and for a rule someone widened.
 */
export const sessionEventAccounts = (config: Pick<AccessConfig, "accountId" | "accounts">): string[] =>
  [...new Set([config.accountId, ...Object.values(config.accounts ?? {})])].sort();

const knownAccounts = (deps: Deps): ReadonlySet<string> => new Set(sessionEventAccounts(deps.config));

/** Whether the configuration spans several accounts, so that texts name the account. */
const namesAccounts = (deps: Deps): boolean => Object.keys(deps.config.accounts ?? {}).length > 0;

/** What audit events carry about the account: its id, and its name and id for people to read. */
const accountDetail = (deps: Deps, accountId: string) => ({
  accountId,
  account: label(deps.config, accountId),
});

/** Refused attempts are announced at these counts per person and hour; every one is recorded. */
const ANNOUNCE_AT = new Set([1, 10, 100, 1000, 10_000]);

async function handle(deps: Deps, e: SessionEvent): Promise<SessionOutcome> {
  if (e.errorCode) {
    const detail = `${e.errorCode}${e.errorMessage ? `: ${e.errorMessage}` : ""}`;
    const hour = e.time.slice(0, 13);
    // Per person: an Identity Center role's session name is the person (Identity Center sets it);
    // on any other role the caller picks it, so counting per session name would let one caller
    // mint a fresh count (and a fresh alert) per attempt. There, the role is the unit.
    const caller =
      e.principalArn && !isIdentityCenterRole(e.principalArn) && e.actorArn.includes(":assumed-role/")
        ? e.principalArn
        : e.actorArn;
    const key = `refused#${caller}#${hour}`;
    const count = await deps.sessionLog.countEvent(key);
    // The highest mark reached is announced once: a mark whose announcement failed (the event is
    // handed back and retried, and counted again) is still announced by the retry.
    const mark = Math.max(0, ...[...ANNOUNCE_AT].filter((m) => m <= count));
    const markKey = `announced#${key}#${mark}`;
    if (mark === 0 || !(await deps.sessionLog.claimEvent(markKey))) {
      await deps.sessionLog.saveAlert(alertOf(e, "refused", detail));
      deps.metrics?.record("SessionAlerts", 1, { kind: "refused" });
      return "refused-counted";
    }
    const counted =
      count > 1 ? `${count} refused attempts by this caller since ${hour}:00Z; ${detail}` : detail;
    try {
      return await alert(deps, e, "refused", counted);
    } catch (error) {
      await deps.sessionLog.releaseEvent(markKey);
      throw error;
    }
  }
  const sessionId = e.sessionId;
  if (!sessionId) return alert(deps, e, "refused", "the event names no session");
  // The session id of a TerminateSession or ResumeSession is the caller's to write. A record of that
  // id in another account is another session: this event must neither end nor resume it.
  const known = await deps.sessionLog.getSession(sessionId);
  const knownIn = known && (known.accountId ?? deps.config.accountId);
  if (knownIn !== undefined && knownIn !== e.accountId) {
    // A StartSession's id is AWS's, minted in this account: the other account's record was written by
    // a call there that named an id it never started (TerminateSession and ResumeSession take any id).
    // Dropping the start would let that call hide a session from its alert; it is judged and alerted.
    if (e.name === "StartSession" && known) return startNamedElsewhere(deps, e, sessionId, known);
    log.warn("session event names a session of another account; dropped", {
      eventId: e.eventId,
      name: e.name,
      sessionId,
      accountId: e.accountId,
      sessionAccountId: knownIn,
    });
    return "ignored";
  }

  if (e.name === "TerminateSession") {
    const caller = e.principalArn;
    const byOwner = (s: SessionRecord) => s.owner === e.actorArn;
    const { before, after } = await updateSession(
      deps,
      sessionId,
      (s) => ({
        ...s,
        endedAt: s.endedAt ?? e.time,
        endReason:
          s.endReason ?? (byOwner(s) || !caller ? "terminated by its owner" : `terminated by ${e.actorArn}`),
        endAnnounced: true,
      }),
      () => blank(e, sessionId),
    );
    if (before?.endAnnounced) return "ended";
    const request = after.requestId ? await deps.store.get(after.requestId) : undefined;
    const transcript = transcriptFor(deps, after);
    if (request)
      await audit(
        deps,
        request.id,
        e.actorArn,
        "session-ended",
        {
          sessionId,
          ...accountDetail(deps, e.accountId),
          reason: after.endReason,
          transcript: describeTranscript(transcript),
        },
        e.time,
      );
    await announce(deps, {
      type: "session-ended",
      session: after,
      request,
      outcome: "ended",
      actor: e.actorArn,
      transcript,
    });
    deps.metrics?.record("SessionsEnded", 1, { reason: "terminated" });
    return "ended";
  }

  if (e.name === "ResumeSession") {
    // A resume names only the session: the node and the grant are those of its start.
    const owner = known?.owner;
    if (owner ? owner !== e.actorArn : !sessionIdBelongsTo(sessionId, e.actorArn)) {
      return alert(
        deps,
        e,
        "not-owner",
        `${e.actorArn} resumed session ${sessionId}${owner ? `, which ${owner} started` : ", which another caller started"}`,
        known,
      );
    }
    const request = known?.requestId ? await deps.store.get(known.requestId) : undefined;
    if (known?.startAnnounced && request) {
      const detail = { sessionId, ...accountDetail(deps, e.accountId) };
      await audit(deps, request.id, e.actorArn, "session-resumed", detail, e.time);
      return "resumed";
    }
    if (known?.target && !e.target) e = { ...e, target: known.target };
  }
  const { held, covering } = await grantsAt(deps, e);
  const { before, after } = await updateSession(
    deps,
    sessionId,
    (s) => ({
      ...s,
      accountId: s.accountId ?? e.accountId,
      owner: e.actorArn,
      target: e.target ?? s.target,
      region: e.region,
      // A start without DocumentName used the default shell; a resume names no document at all.
      document: s.document ?? (e.name === "StartSession" ? (e.document ?? SHELL_DOCUMENT) : undefined),
      startedAt: s.startedAt ?? e.time,
      requestId: s.requestId ?? covering?.id,
      startAnnounced: true,
    }),
    () => blank(e, sessionId),
  );
  if (!covering) {
    const kind = held.length > 0 ? "outside-grant" : "no-grant";
    if (before?.startAnnounced) return kind;
    return alert(deps, e, kind, driftDetail(deps, e, held), after);
  }
  if (before?.startAnnounced) return "started";
  await audit(
    deps,
    covering.id,
    e.actorArn,
    "session-started",
    { sessionId, target: e.target, region: e.region, ...accountDetail(deps, e.accountId) },
    e.time,
  );
  const late = before?.endedAt ? "This session had already ended when its start arrived." : undefined;
  await announce(deps, {
    type: "session-started",
    session: after,
    request: covering,
    outcome: "started",
    actor: e.actorArn,
    detail: late,
  });
  deps.metrics?.record("SessionsStarted", 1, { profile: covering.profileId });
  return "started";
}

/**
 * A StartSession whose id a record of another account already holds. The record keeps its account
 * (records are keyed by session id), so this start is not recorded; it is announced as an alert
 * instead: judged in its own account like any start, and saying which account named its id first.
 */
async function startNamedElsewhere(
  deps: Deps,
  e: SessionEvent,
  sessionId: string,
  known: SessionRecord,
): Promise<SessionOutcome> {
  const { held, covering } = await grantsAt(deps, e);
  const elsewhere = label(deps.config, known.accountId ?? deps.config.accountId);
  const named = `its id ${sessionId} was already named in ${elsewhere} by ${known.owner}, so it is not recorded as a session`;
  if (covering)
    return alert(
      deps,
      e,
      "not-owner",
      `${e.actorArn} started session ${sessionId} in ${label(deps.config, e.accountId)} under ${covering.id}; ${named}`,
    );
  const kind = held.length > 0 ? "outside-grant" : "no-grant";
  return alert(deps, e, kind, `${driftDetail(deps, e, held)}; ${named}`);
}

/**
 * Why a session is standing access: the caller held no grant, or none covering this node. With
 * several accounts it names the account the session ran in and the accounts the caller's grants are
 * in, so a grant in prod is not mistaken for one in staging by whoever reads the alert.
 */
function driftDetail(deps: Deps, e: SessionEvent, held: AccessRequest[]): string {
  const where = namesAccounts(deps) ? ` in ${label(deps.config, e.accountId)}` : "";
  if (held.length === 0)
    return `${e.actorArn} started a session${where} while holding no grant: standing access outside this product`;
  const grants = held.map((r) => `${r.profileId} (${r.id})`).join(", ");
  const grantedIn = [...new Set(held.flatMap(grantAccountIds))].map((id) => label(deps.config, id));
  const tail = namesAccounts(deps) ? `; the grants are in ${grantedIn.join(", ")}` : "";
  return `${e.actorArn} holds ${grants}, which does not cover ${e.target ?? "this node"}${where}${tail}`;
}

/**
 * Session ids are `<caller name>-<id>`: the IAM user name, or the role session name of an assumed role
 * (AWS: "the session ID is the IAM user name or role session name followed by a unique identifier").
 */
function sessionIdBelongsTo(sessionId: string, actorArn: string): boolean {
  const name = actorArn.split("/").pop() ?? "";
  return name !== "" && sessionId.startsWith(`${name}-`) && !sessionId.slice(name.length + 1).includes("-");
}

type AlertKind = AlertRecord["kind"];

const alertOf = (e: SessionEvent, kind: AlertKind, detail: string): AlertRecord => ({
  eventId: e.eventId,
  kind,
  at: e.time,
  actor: e.actorArn,
  target: e.target,
  detail,
});

async function alert(
  deps: Deps,
  e: SessionEvent,
  kind: AlertKind,
  detail: string,
  session?: SessionRecord,
): Promise<SessionOutcome> {
  await deps.sessionLog.saveAlert(alertOf(e, kind, detail));
  deps.metrics?.record("SessionAlerts", 1, { kind });
  const record = session ?? { ...blank(e, e.sessionId ?? `attempt-${e.eventId}`), target: e.target };
  await announce(deps, { type: "session-alert", session: record, outcome: kind, actor: e.actorArn, detail });
  return kind;
}

/**
 * The sweeper's part: sessions that ended by `exit` or idle timeout make no API call, so they are
 * found with DescribeSessions (State=History) and announced once, with their duration.
 */
export async function announceEndedSessions(deps: Deps, since: Date): Promise<string[]> {
  // Called once per account with that account's deps (the sweeper): they say where these sessions are.
  const accountId = accountOf(deps);
  const announced: string[] = [];
  for (const ended of await deps.sessions.endedSessions(since)) {
    try {
      const known = await deps.sessionLog.getSession(ended.sessionId);
      // A record of this id written for another account is not this session (records from before
      // issue 12 carry no account and are taken as they are).
      if (known?.accountId !== undefined && known.accountId !== accountId) {
        log.warn("ended session's id is recorded in another account; left alone", {
          sessionId: ended.sessionId,
          accountId,
          sessionAccountId: known.accountId,
        });
        continue;
      }
      const { before, after } = await updateSession(
        deps,
        ended.sessionId,
        (s) => ({
          ...s,
          accountId: s.accountId ?? accountId,
          target: s.target ?? ended.target,
          region: s.region ?? ended.region,
          document: s.document ?? ended.document,
          startedAt: s.startedAt ?? ended.startDate,
          endedAt: s.endedAt ?? ended.endDate ?? deps.clock.now().toISOString(),
          endReason: s.endReason ?? "exit or idle timeout",
          endAnnounced: true,
        }),
        () => ({
          sessionId: ended.sessionId,
          accountId,
          owner: ended.owner,
          startAnnounced: false,
          endAnnounced: false,
          version: 0,
        }),
      );
      if (before?.endAnnounced) continue;
      const request = after.requestId ? await deps.store.get(after.requestId) : undefined;
      const transcript = transcriptFor(deps, after);
      if (request)
        await audit(deps, request.id, "sweeper", "session-ended", {
          sessionId: after.sessionId,
          ...accountDetail(deps, accountId),
          reason: after.endReason,
          transcript: describeTranscript(transcript),
        });
      await announce(deps, {
        type: "session-ended",
        session: after,
        request,
        outcome: "ended",
        actor: after.owner,
        transcript,
      });
      deps.metrics?.record("SessionsEnded", 1, { reason: "exit-or-idle" });
      announced.push(after.sessionId);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return announced;
}
