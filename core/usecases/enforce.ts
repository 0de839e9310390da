/**
 * Making IAM and the live sessions follow the record. The record is the arbiter: every writer settles
 * or moves the record first (a conditional write), and only then touches IAM. A writer whose policy
 * write lands after the record moved on (a lost race) reads the record again, takes its own write
 * back, and ends the sessions that write may have allowed.
 */
import { StillChangingError } from "../errors.ts";
import { policyName, policySize } from "../policy.ts";
import type { Deps, SessionInfo } from "../ports.ts";
import type { Principal } from "../principal.ts";
import type { AccessRequest } from "../request.ts";
import { audit, loadRequest } from "./common.ts";
import { grantPolicyOf } from "./grant-policy.ts";
import { assertGrantable, grantProblems } from "./grantable.ts";
import { accountOf, eachAccount, inAccountRequest, principalIn } from "./in-account.ts";
import { placeInSlot, removeFromSlots, slotGrant } from "./slot-writes.ts";

/**
 * How long IAM may keep honouring a deleted policy. Authorization is eventually consistent: a deleted
 * policy kept authorizing for about 4 seconds in OFFENSAI's 2025 measurements (shared/DESIGN.md).
 * The second TerminateSession pass waits this long after revocation.
 */
export const IAM_PROPAGATION_SECONDS = 10;

/** Whose sessions a grant allowed: the request and its principals (for a shared role, the person). */
export type Grantee = Pick<AccessRequest, "id" | "principal" | "grants">;

/** Same person: same principal ARN and, on a shared role, the same role session name. */
export const samePerson = (a: Principal, b: Principal): boolean =>
  a.arn === b.arn &&
  (a.kind !== "shared-role" || (b.kind === "shared-role" && a.sessionName === b.sessionName));

/**
 * Whether another grant of this person, still in force, allows the session as it is: its node (by
 * the profile's tags), its region and its document. Only such a session outlives this grant. Runs in
 * one account (scoped deps): only grants in that account, by the person's principal there, count.
 */
async function coveredByOthers(
  deps: Deps,
  hub: Deps,
  request: Grantee,
): Promise<(session: SessionInfo) => boolean> {
  // Only grants still in force: an ACTIVE record past its expiry (its workflow died) covers nothing.
  const now = deps.clock.now();
  const account = accountOf(deps);
  const mine = principalIn(request, account) ?? request.principal;
  const others = (await deps.store.listByStatus("ACTIVE")).filter((r) => {
    const theirs = principalIn(r, account);
    return (
      r.id !== request.id &&
      theirs !== undefined &&
      samePerson(theirs, mine) &&
      r.expiresAt !== undefined &&
      new Date(r.expiresAt) > now &&
      // A record that does not hold up against the config (forged in the table, which the Slack
      // function can write) keeps no session alive: judged from the hub, as the grant step judges it.
      grantProblems(hub, r).length === 0
    );
  });
  const grants: { regions: string[]; documents: string[]; nodes: Set<string> }[] = [];
  for (const other of others) {
    const profile = deps.config.profiles[other.profileId];
    if (!profile) continue;
    const nodes = new Set(await deps.sessions.matchingNodes(profile.tags, profile.regions));
    grants.push({ regions: profile.regions, documents: profile.documents, nodes });
  }
  return (session) =>
    grants.some(
      (g) =>
        g.nodes.has(session.target) &&
        (session.region === undefined || g.regions.includes(session.region)) &&
        session.document !== undefined &&
        g.documents.includes(session.document),
    );
}

/** The person's live sessions in one account (scoped deps) that no other grant there covers, ended. */
async function endUncoveredIn(
  deps: Deps,
  hub: Deps,
  request: Grantee,
  principal: Principal,
  startedSince?: Date,
): Promise<string[]> {
  const live = (await deps.sessions.liveSessions(principal)).filter(
    (s: SessionInfo) => !startedSince || !s.startDate || new Date(s.startDate) >= startedSince,
  );
  if (live.length === 0) return [];
  const covered = await coveredByOthers(deps, hub, request);
  const targets = live.filter((s) => !covered(s));
  for (const session of targets) await deps.sessions.terminateSession(session);
  return targets.map((s) => s.sessionId);
}

/**
 * Ends the person's live sessions that no other ACTIVE grant of theirs covers, in every account the
 * grant spans. `startedSince` limits it to sessions that began at or after that time (the sweeper's
 * late-session pass); a session with no start time is ended (it cannot be shown to predate the
 * grant). An account that fails does not stop the others; its error is thrown at the end.
 */
export async function endUncoveredSessions(
  deps: Deps,
  request: Grantee,
  startedSince?: Date,
): Promise<string[]> {
  const ended = await eachAccount(
    deps,
    request,
    (scoped, target) => endUncoveredIn(scoped, deps, request, target.principal, startedSince),
    { keepGoing: true },
  );
  return ended.flatMap((e) => e.result);
}

export interface Removal {
  policyDeleted: boolean;
  terminatedSessions: string[];
}

/**
 * Takes a grant away in every account it spans: deletes its policy and ends the sessions it allowed.
 * Sessions are ended even when the delete is refused, and every account is cleaned even when one
 * fails; the first refusal is thrown afterwards, naming its account, so the caller retries or alarms.
 */
export async function removeAccess(deps: Deps, request: AccessRequest): Promise<Removal> {
  let policyDeleted = false;
  const terminatedSessions: string[] = [];
  await eachAccount(
    deps,
    request,
    async (scoped, target) => {
      const here = inAccountRequest(request, target);
      let refused: unknown;
      try {
        const deleted =
          target.principal.kind === "shared-role"
            ? await removeFromSlots(scoped, request.id)
            : await scoped.broker.deleteGrant(target.principal, policyName(request.id));
        policyDeleted ||= deleted;
      } catch (error) {
        refused = error;
      }
      terminatedSessions.push(...(await endUncoveredIn(scoped, deps, here, target.principal)));
      if (refused !== undefined) throw refused;
    },
    { keepGoing: true },
  );
  return { policyDeleted, terminatedSessions };
}

/**
 * Writes the grant where its carrier keeps it, in every account the request spans (stopping at the
 * first that fails: the caller undoes the rest): an inline `jit-<id>` policy on a one-person role or
 * user, or statements in a slot of a shared role. Returns the largest size written.
 */
async function writeGrant(deps: Deps, request: AccessRequest, expiresAt: Date): Promise<number> {
  const sizes = await eachAccount(deps, request, async (scoped, target) => {
    const here = inAccountRequest(request, target);
    if (target.principal.kind === "shared-role") {
      await placeInSlot(scoped, here, expiresAt);
      return policySize({ Version: "2012-10-17", Statement: slotGrant(scoped, here, expiresAt) });
    }
    const grant = grantPolicyOf(scoped, here, expiresAt);
    await scoped.broker.putGrant(target.principal, grant.policyName, grant.document);
    return grant.size;
  });
  return Math.max(0, ...sizes.map((s) => s.result));
}

/** Whether the record still calls for the policy: ACTIVE and not yet expired. */
const wantsPolicy = (deps: Deps, r: AccessRequest): r is AccessRequest & { expiresAt: string } =>
  r.status === "ACTIVE" && r.expiresAt !== undefined && new Date(r.expiresAt) > deps.clock.now();

/** What `applyRecord` did. */
export type Applied =
  | { outcome: "granted"; request: AccessRequest; size: number }
  | { outcome: "removed"; request: AccessRequest; removal: Removal }
  | { outcome: "nothing"; request: AccessRequest };

/**
 * Writes the policy the record calls for (ACTIVE: the grant ending at the recorded expiry), then reads
 * the record again: if it moved on meanwhile (revoked, failed, extended again) the write is redone or
 * taken back, with the sessions it allowed. A settled record gets its policy removed. Idempotent.
 */
export async function applyRecord(deps: Deps, requestId: string, actor: string): Promise<Applied> {
  let request = await loadRequest(deps, requestId);
  let written: string | undefined;
  for (let round = 0; round < 5 && wantsPolicy(deps, request); round++) {
    await assertGrantable(deps, request);
    const size = await writeGrant(deps, request, new Date(request.expiresAt));
    written = request.expiresAt;
    const after = await loadRequest(deps, requestId);
    if (wantsPolicy(deps, after) && after.expiresAt === written)
      return { outcome: "granted", request: after, size };
    request = after;
  }
  if (wantsPolicy(deps, request)) {
    // Extended again on every round: the record is still moving; the workflow retries the task.
    throw new StillChangingError(`request ${request.id} kept changing while its policy was written`);
  }
  if (request.status === "ACTIVE" || request.status === "APPROVED" || request.status === "PENDING") {
    // Still live but not (or no longer) calling for a policy: expired and not yet revoked, or not yet
    // granted. The workflow's own steps handle those; a write of ours, if any, goes.
    if (written !== undefined) {
      const removal = await removeAccess(deps, request);
      return { outcome: "removed", request, removal };
    }
    return { outcome: "nothing", request };
  }
  const removal = await removeAccess(deps, request);
  if (written !== undefined) {
    await audit(deps, request.id, actor, "late-write-undone", {
      status: request.status,
      terminatedSessions: removal.terminatedSessions,
    });
  }
  return { outcome: "removed", request, removal };
}

/** The time the late-session pass runs: the propagation delay after now. */
export const lateCheckTime = (deps: Deps): string =>
  new Date(deps.clock.now().getTime() + IAM_PROPAGATION_SECONDS * 1000).toISOString();

/** Workflow task "Close late sessions": a settled grant's sessions that started during IAM propagation. */
export async function closeLateSessions(
  deps: Deps,
  input: { requestId: string },
): Promise<{ terminatedSessions: string[] }> {
  const request = await loadRequest(deps, input.requestId);
  if (request.status === "ACTIVE" || request.status === "APPROVED" || request.status === "PENDING") {
    return { terminatedSessions: [] };
  }
  // Anything ours still attached goes too (a write that lost a race and has not been taken back yet).
  const { terminatedSessions } = await removeAccess(deps, request);
  if (terminatedSessions.length > 0) {
    await audit(deps, request.id, "workflow", "late-sessions-closed", { terminatedSessions });
  }
  return { terminatedSessions };
}

/** What the workflow's "Apply the record" passes on to the late-session pass. */
export interface ApplyResult {
  /** The record is settled and access was taken away: the late-session pass follows. */
  removed: boolean;
  /** Always true here: the front door that settled the record announced it. */
  alreadyRevoked: true;
  policyDeleted: boolean;
  terminatedSessions: string[];
  lateCheckAt: string;
}

/** Workflow task "Apply the record" (the sync execution a front door starts). */
export async function applyRecordTask(deps: Deps, input: { requestId: string }): Promise<ApplyResult> {
  const applied = await applyRecord(deps, input.requestId, "workflow");
  const removal = applied.outcome === "removed" ? applied.removal : undefined;
  return {
    removed: removal !== undefined,
    alreadyRevoked: true,
    policyDeleted: removal?.policyDeleted ?? false,
    terminatedSessions: removal?.terminatedSessions ?? [],
    lateCheckAt: lateCheckTime(deps),
  };
}
