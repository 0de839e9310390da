/**
 * The sweeper: a scheduled reconciliation that finishes whatever the workflow could not. It revokes
 * overdue grants, deletes leftover `jit-*` policies (even with no record of them), and settles
 * requests whose workflow execution died. One failure never stops the rest of the pass.
 */
import { embeddedExpiry, requestIdOfPolicy } from "../policy.ts";
import type { Deps } from "../ports.ts";
import { type Principal, parsePrincipalArn } from "../principal.ts";
import { isTerminal, type Status } from "../request.ts";
import { loadRequest, notifySafely, retryOnConflict, transition } from "./common.ts";
import { revokeAccess } from "./revoke.ts";
import { announceEndedSessions } from "./session-events.ts";

export interface SweepReport {
  revokedOverdue: string[];
  /** Sessions found ended (exit, idle timeout) and announced. */
  endedSessions: string[];
  deletedPolicies: { principal: string; policyName: string; why: string }[];
  settledRequests: { requestId: string; from: Status; to: Status }[];
  errors: { step: string; subject: string; error: string }[];
}

/** Executions in these states will never move their request on. */
const DEAD = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);
/** How far back the sweeper looks for ended sessions; the records make overlap harmless. */
const ENDED_LOOKBACK_MS = 60 * 60 * 1000;
/** A request younger than this may simply not have started its execution yet. */
const START_GRACE_MS = 5 * 60 * 1000;

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** Runs one reconciliation pass and reports what it fixed. */
export async function sweep(deps: Deps): Promise<SweepReport> {
  const report: SweepReport = {
    revokedOverdue: [],
    endedSessions: [],
    deletedPolicies: [],
    settledRequests: [],
    errors: [],
  };
  const now = deps.clock.now();
  const attempt = async (step: string, subject: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      report.errors.push({ step, subject, error: describe(error) });
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
        });
        if (!result.alreadyRevoked) {
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

  // 3. Leftover policies on every configured principal, judged by their record and their own expiry.
  for (const principal of sweepPrincipals(deps)) {
    await attempt("list policies", principal.arn, async () => {
      for (const grant of await deps.broker.listGrants(principal)) {
        await attempt("delete policy", `${principal.arn} ${grant.policyName}`, async () => {
          const requestId = requestIdOfPolicy(grant.policyName);
          const record = requestId ? await deps.store.get(requestId) : undefined;
          const expiry = embeddedExpiry(grant.document);
          let why: string | undefined;
          if (!record) why = "no request record";
          else if (isTerminal(record.status)) why = `request is ${record.status}`;
          else if (expiry && expiry <= now) why = "its embedded expiry has passed";
          if (!why) return;
          await deps.broker.deleteGrant(principal, grant.policyName);
          report.deletedPolicies.push({ principal: principal.arn, policyName: grant.policyName, why });
        });
      }
    });
  }
  // 4. Sessions that ended without an API call (exit, idle timeout): announced once.
  await attempt("ended sessions", "DescribeSessions", async () => {
    report.endedSessions.push(
      ...(await announceEndedSessions(deps, new Date(now.getTime() - ENDED_LOOKBACK_MS))),
    );
  });
  // Leftovers found in step 3 may belong to requests step 1 would revoke next time; it is idempotent.
  return report;
}

/** Every principal the config names, in the form the broker needs. */
function sweepPrincipals(deps: Deps): Principal[] {
  const arns = new Set(Object.values(deps.config.principals.map));
  if (deps.config.principals.sharedRole) arns.add(deps.config.principals.sharedRole.arn);
  return [...arns].map((arn) => {
    const parsed = parsePrincipalArn(arn);
    return { kind: parsed.type, arn, name: parsed.name };
  });
}
