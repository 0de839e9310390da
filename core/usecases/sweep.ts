/**
 * The sweeper: a scheduled reconciliation that finishes whatever the workflow could not. It revokes
 * overdue grants, deletes leftover `jit-*` policies (even with no record of them), writes back the
 * policy of a live grant that lost it, ends sessions that outlived their grant, and settles requests
 * whose workflow execution died. One failure never stops the rest of the pass.
 */
import { describeError } from "../log.ts";
import {
  embeddedExpiry,
  type PolicyDocument,
  policyName,
  requestIdOfPolicy,
  type Statement,
} from "../policy.ts";
import type { Deps } from "../ports.ts";
import { configuredPrincipalArns, type Principal, parsePrincipalArn } from "../principal.ts";
import { type AccessRequest, isTerminal, type Status } from "../request.ts";
import { isIdentityCenterRole } from "../slots.ts";
import { type ChaseReport, chaseReviews } from "./break-glass-chase.ts";
import { loadRequest, notifySafely, retryOnConflict, transition } from "./common.ts";
import { applyRecord, endUncoveredSessions } from "./enforce.ts";
import { grantPolicyOf } from "./grant-policy.ts";
import { grantProblems } from "./grantable.ts";
import { revokeAccess } from "./revoke.ts";
import { announceEndedSessions } from "./session-events.ts";
import { slotGrant } from "./slot-writes.ts";
import { measureSweep } from "./sweep-metrics.ts";
import { stillLive, sweepSlots } from "./sweep-slots.ts";

export interface SweepReport {
  revokedOverdue: string[];
  /** Sessions found ended (exit, idle timeout) and announced. */
  endedSessions: string[];
  deletedPolicies: { principal: string; policyName: string; why: string }[];
  /** Live grants whose policy was missing or out of date, written again from the record. */
  reappliedGrants: string[];
  /** Sessions that started after a grant of their person ended and that no live grant covers. */
  lateSessions: string[];
  settledRequests: { requestId: string; from: Status; to: Status }[];
  /** Break-glass reviews chased this pass (reminders, escalations); absent when there were none. */
  breakGlassReviews?: ChaseReport | undefined;
  errors: { step: string; subject: string; error: string }[];
}

/** Executions in these states will never move their request on. */
const DEAD = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);
/** How far back the sweeper looks for ended sessions; the records make overlap harmless. */
const ENDED_LOOKBACK_MS = 60 * 60 * 1000;
/** A request younger than this may simply not have started its execution yet. */
const START_GRACE_MS = 5 * 60 * 1000;

/** Runs one reconciliation pass and reports what it fixed. */
export async function sweep(deps: Deps): Promise<SweepReport> {
  const report: SweepReport = {
    revokedOverdue: [],
    endedSessions: [],
    deletedPolicies: [],
    reappliedGrants: [],
    lateSessions: [],
    settledRequests: [],
    errors: [],
  };
  const now = deps.clock.now();
  const attempt = async (step: string, subject: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      report.errors.push({ step, subject, error: describeError(error) });
    }
  };

  // 1. Grants past their expiry that are still recorded ACTIVE.
  await attempt("list overdue", "ACTIVE", async () => {
    for (const request of await deps.store.listByStatus("ACTIVE", now.toISOString())) {
      await attempt("revoke overdue", request.id, async () => {
        const result = await revokeAccess(deps, {
          requestId: request.id,
          actor: "sweeper",
          reason: "overdue at sweep",
          ifDue: true,
        });
        if (!result.alreadyRevoked && !result.extended) {
          report.revokedOverdue.push(request.id);
          await notifySafely(deps, {
            type: "revoked",
            request: await loadRequest(deps, request.id),
            detail: { ...result },
          });
        }
      });
    }
  });

  // 2. Requests whose workflow died before they were settled.
  for (const status of ["PENDING", "APPROVED"] as const) {
    await attempt("list unsettled", status, async () => {
      for (const request of await deps.store.listByStatus(status)) {
        if (now.getTime() - new Date(request.createdAt).getTime() < START_GRACE_MS) continue;
        await attempt("settle", request.id, async () => {
          const execution = await deps.workflow.status(request.id);
          if (execution !== undefined && !DEAD.has(execution)) {
            // Approved but the hand-off to the waiting workflow may have been lost: send it again.
            if (status === "APPROVED" && request.taskToken) {
              await deps.workflow.sendTaskSuccess(request.taskToken, {
                approvedBy: request.approvals.map((a) => a.approver),
              });
            }
            return;
          }
          const failure = `its workflow ${execution ? `ended ${execution}` : "never started"}`;
          const settled = await retryOnConflict(deps, request.id, async (current) =>
            current.status === status
              ? transition(
                  deps,
                  current,
                  "FAILED",
                  "sweeper",
                  { failure, endedAt: now.toISOString() },
                  { failure },
                )
              : undefined,
          );
          if (!settled) return;
          report.settledRequests.push({ requestId: request.id, from: status, to: "FAILED" });
          await notifySafely(deps, { type: "failed", request: settled, detail: { failure } });
        });
      }
    });
  }

  // 3. Leftover policies on every principal the config or a record names, judged by their record and
  //    their own expiry; live grants whose policy is missing or stale are written again.
  const principals = await sweepPrincipals(deps, now);
  const listed = await listSafely(deps, "ACTIVE", attempt);
  const live = listed ?? [];
  const found = new Map<string, PolicyDocument>();
  for (const principal of principals) {
    await attempt("list policies", principal.arn, async () => {
      for (const grant of await deps.broker.listGrants(principal)) {
        const expiry = embeddedExpiry(grant.document);
        found.set(`${principal.arn} ${grant.policyName}`, grant.document);
        await attempt("delete policy", `${principal.arn} ${grant.policyName}`, async () => {
          const requestId = requestIdOfPolicy(grant.policyName);
          const record = requestId ? await deps.store.get(requestId) : undefined;
          let why: string | undefined;
          if (!record) why = "no request record";
          else if (isTerminal(record.status)) why = `request is ${record.status}`;
          else if (expiry && expiry <= now && !stillLive(record, now)) why = "its embedded expiry has passed";
          if (!why) return;
          await deps.broker.deleteGrant(principal, grant.policyName);
          report.deletedPolicies.push({ principal: principal.arn, policyName: grant.policyName, why });
          // Nothing we know of explains that policy: the sessions it may have allowed go too.
          if (!record)
            report.lateSessions.push(
              ...(await endUncoveredSessions(deps, { id: requestId ?? grant.policyName, principal })),
            );
        });
      }
    });
  }
  // 3b. The shared role's slots: statements of settled, unknown or expired grants go, with the
  //     sessions of their people; statements that are not grants of ours go too.
  const held = await sweepSlots(deps, now, report, attempt);
  for (const request of live) {
    if (!request.expiresAt || new Date(request.expiresAt) <= now) continue;
    // The live grant's policy must be exactly what its record calls for: missing, stale (an
    // extension whose write was lost) or changed by someone else, it is written again.
    const shared = request.principal.kind === "shared-role";
    const expiresAt = new Date(request.expiresAt);
    const actual = shared
      ? held.get(request.id)
      : found.get(`${request.principal.arn} ${policyName(request.id)}`);
    const expected = shared
      ? slotGrant(deps, request, expiresAt)
      : grantPolicyOf(deps, request, expiresAt).document;
    if (actual !== undefined && canonical(actual) === canonical(expected)) continue;
    // It needs writing, but the record does not hold up against the config (forged, say): it is
    // revoked instead, with an alarm. A grant whose policy is in place is left to its expiry even
    // when the rules changed since it was approved.
    const problems = grantProblems(deps, request);
    if (problems.length > 0) {
      await attempt("revoke ungrantable", request.id, async () => {
        const reason = `not grantable: ${problems.join("; ")}`;
        const result = await revokeAccess(deps, { requestId: request.id, actor: "sweeper", reason });
        report.revokedOverdue.push(request.id);
        await notifySafely(deps, {
          type: "alarm",
          request: await loadRequest(deps, request.id),
          detail: { problem: reason, ...result },
        });
      });
      continue;
    }
    await attempt("reapply grant", request.id, async () => {
      const applied = await applyRecord(deps, request.id, "sweeper");
      if (applied.outcome === "granted") report.reappliedGrants.push(request.id);
      const changed =
        actual !== undefined &&
        embeddedExpiry(asDocument(actual))?.getTime() === expiresAt.setMilliseconds(0);
      if (changed) {
        await notifySafely(deps, {
          type: "alarm",
          request: applied.request,
          detail: {
            problem: "the grant's policy differed from what its record calls for; it was written again",
          },
        });
      }
    });
  }

  // 4. Late sessions: started after a grant of their person began, still live after that grant ended
  //    (revoked during IAM propagation, or a revoke that died), and covered by no live grant.
  for (const status of ["REVOKED", "FAILED"] as const) {
    const since = new Date(now.getTime() - ENDED_LOOKBACK_MS).toISOString();
    await attempt("list settled", status, async () => {
      for (const request of await deps.store.listByStatus(status, undefined, since)) {
        if (!request.grantedAt) continue;
        await attempt("late sessions", request.id, async () => {
          const ended = await endUncoveredSessions(deps, request, new Date(request.grantedAt ?? 0));
          report.lateSessions.push(...ended);
        });
      }
    });
  }

  // 5. Sessions that ended without an API call (exit, idle timeout): announced once.
  await attempt("ended sessions", "DescribeSessions", async () => {
    report.endedSessions.push(
      ...(await announceEndedSessions(deps, new Date(now.getTime() - ENDED_LOOKBACK_MS))),
    );
  });
  await attempt("break-glass reviews", "unreviewed", async () => {
    const chased = await chaseReviews(deps, (subject, error) =>
      report.errors.push({ step: "break-glass review", subject, error: describeError(error) }),
    );
    if (chased.reminded.length + chased.escalated.length > 0) report.breakGlassReviews = chased;
  });
  // Leftovers found in step 3 may belong to requests step 1 would revoke next time; it is idempotent.
  await measureSweep(deps, report, listed?.length);
  return report;
}

/**
 * Every principal the config names, plus those that open or recently settled records name: a person
 * removed from the config while holding a grant keeps being swept until that grant is settled.
 */
async function sweepPrincipals(deps: Deps, now: Date): Promise<Principal[]> {
  const byArn = new Map<string, Principal>();
  for (const arn of configuredPrincipalArns(deps.config)) {
    const parsed = parsePrincipalArn(arn);
    byArn.set(arn, { kind: parsed.type, arn, name: parsed.name });
  }
  const since = new Date(now.getTime() - ENDED_LOOKBACK_MS).toISOString();
  const lists = await Promise.all([
    ...OPEN.map((status) => deps.store.listByStatus(status)),
    deps.store.listByStatus("REVOKED", undefined, since),
  ]);
  for (const request of lists.flat()) {
    const p = request.principal;
    if (!byArn.has(p.arn))
      byArn.set(p.arn, p.kind === "user" ? p : { kind: "role", arn: p.arn, name: p.name });
  }
  // Identity Center roles can hold no inline policy (AWS refuses the write): their grants are in slots.
  return [...byArn.values()].filter((p) => !isIdentityCenterRole(p.arn));
}

const OPEN = ["PENDING", "APPROVED", "ACTIVE"] as const;

/** Lists requests in `status`; a failure is recorded by `attempt` and yields undefined. */
async function listSafely(
  deps: Deps,
  status: Status,
  attempt: (step: string, subject: string, work: () => Promise<void>) => Promise<void>,
): Promise<AccessRequest[] | undefined> {
  let found: AccessRequest[] | undefined;
  await attempt("list live", status, async () => {
    found = await deps.store.listByStatus(status);
  });
  return found;
}

const asDocument = (p: PolicyDocument | Statement[]): PolicyDocument =>
  Array.isArray(p) ? { Version: "2012-10-17", Statement: p } : p;

/** JSON with sorted keys: IAM may hand a document back with its keys in another order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
