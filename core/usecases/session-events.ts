/**
 * Session events: every session start and end is tied to the grant that allowed it, recorded in that
 * request's audit trail and announced once, however often and in whatever order CloudTrail delivers
 * it. A session no grant explains, or a refused attempt, is recorded and announced as an alert.
 */
import { ConflictError } from "../errors.ts";
import { log } from "../log.ts";
import type { AlertRecord, Deps, SessionNotice, SessionRecord } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { isIdentityCenterRole } from "../slots.ts";
import { describeTranscript, transcriptOf } from "../transcripts.ts";
import { audit } from "./common.ts";

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

/**
 * Whether two IAM role or user ARNs name the same identity: same partition, account, kind and name.
 * The path is ignored: CloudTrail's `sessionIssuer.arn` carries the role's real path (Identity Center
 * roles exist with and without a region in it), while the config may name the role without it. Role
 * and user names are unique per account whatever their path (IAM's naming rules).
 */
export function sameIamIdentity(a: string, b: string): boolean {
  const key = (arn: string) => {
    const m = /^arn:([^:]+):iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
    return m ? `${m[1]}|${m[2]}|${m[3]}|${m[4]}` : undefined;
  };
  const ka = key(a);
  return ka !== undefined && ka === key(b);
}

/** The grants this caller held at the event's time (any node), and the one among them covering `target`. */
async function grantsAt(
  deps: Deps,
  e: SessionEvent,
): Promise<{ held: AccessRequest[]; covering?: AccessRequest }> {
  const candidates = [
    ...(await deps.store.listByStatus("ACTIVE")),
    ...(await deps.store.listByStatus("REVOKED")),
  ];
  const at = new Date(e.time).getTime();
  const held = candidates.filter((r) => {
    const p = r.principal;
    if (!e.principalArn || !sameIamIdentity(p.arn, e.principalArn)) return false;
    if (p.kind === "shared-role" && p.sessionName !== e.sessionName) return false;
    const from = r.grantedAt ? new Date(r.grantedAt).getTime() : Number.POSITIVE_INFINITY;
    const until = Math.min(
      r.expiresAt ? new Date(r.expiresAt).getTime() : 0,
      r.endedAt ? new Date(r.endedAt).getTime() : Number.POSITIVE_INFINITY,
    );
    return from <= at && at < until;
  });
  for (const r of held) {
    const profile = deps.config.profiles[r.profileId];
    // A grant covers only its profile's regions: a matching node elsewhere is standing access.
    if (!profile || !e.target || !profile.regions.includes(e.region)) continue;
    const nodes = await deps.sessions.matchingNodes(profile.tags, [e.region]);
    if (nodes.includes(e.target)) return { held, covering: r };
  }
  return { held };
}

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
    { sessionId: s.sessionId, region: s.region, document: s.document },
    deps.transcriptFile,
  );

async function announce(deps: Deps, notice: SessionNotice): Promise<void> {
  await deps.notifier.notifySession(notice);
}

/** Handles one CloudTrail session event; safe to call again with the same event. */
export async function handleSessionEvent(deps: Deps, e: SessionEvent): Promise<SessionOutcome> {
  if (!knownAccounts(deps).has(e.accountId)) {
    // Another account's bus may forward to ours by mistake (or on purpose): nothing of it is recorded.
    log.warn("session event from an account the configuration does not name; dropped", {
      eventId: e.eventId,
      accountId: e.accountId,
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

/** The accounts whose session events this deployment handles. */
const knownAccounts = (deps: Deps): ReadonlySet<string> => new Set([deps.config.accountId]);

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
        { sessionId, reason: after.endReason, transcript: describeTranscript(transcript) },
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
    const known = await deps.sessionLog.getSession(sessionId);
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
      await audit(deps, request.id, e.actorArn, "session-resumed", { sessionId }, e.time);
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
    const detail =
      kind === "outside-grant"
        ? `${e.actorArn} holds ${held.map((r) => `${r.profileId} (${r.id})`).join(", ")}, which does not cover ${e.target ?? "this node"}`
        : `${e.actorArn} started a session while holding no grant: standing access outside this product`;
    if (before?.startAnnounced) return kind;
    return alert(deps, e, kind, detail, after);
  }
  if (before?.startAnnounced) return "started";
  await audit(
    deps,
    covering.id,
    e.actorArn,
    "session-started",
    { sessionId, target: e.target, region: e.region },
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
  const announced: string[] = [];
  for (const ended of await deps.sessions.endedSessions(since)) {
    try {
      const { before, after } = await updateSession(
        deps,
        ended.sessionId,
        (s) => ({
          ...s,
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
