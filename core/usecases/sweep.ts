/**
 * The sweeper: a scheduled reconciliation that finishes whatever the workflow could not. It revokes
 * overdue grants, deletes leftover `jit-*` policies (even with no record of them), writes back the
 * policy of a live grant that lost it, ends sessions that outlived their grant, and settles requests
 * whose workflow execution died. One failure never stops the rest of the pass.
 *
 * Across an organization (issue 12) the steps that read an account's IAM and sessions (leftover
 * policies, slots, ended sessions) run once in every account, a bounded number at a time; the steps
 * that start from a record act in every account of that record through enforce.ts and revoke.ts.
 * An account the hub cannot reach is reported and alarmed, and the next run simply tries it again.
 */
import { AccountUnreachableError, memberAccountIds } from "../accounts.ts";
import { describeError } from "../log.ts";
import type { PolicyDocument, Statement } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest, Status } from "../request.ts";
import { type ChaseReport, chaseReviews } from "./break-glass-chase.ts";
import { loadRequest, notifySafely, retryOnConflict, transition } from "./common.ts";
import { endUncoveredSessions } from "./enforce.ts";
import { grantAccountIds, inAccount, label } from "./in-account.ts";
import { revokeAccess } from "./revoke.ts";
import { announceEndedSessions } from "./session-events.ts";
import { DEFAULT_ACCOUNT_CONCURRENCY, sweepAccounts, type UnreachableAccount } from "./sweep-accounts.ts";
import { measureSweep } from "./sweep-metrics.ts";
import { sweepPolicies } from "./sweep-policies.ts";
import { reapplyLiveGrants } from "./sweep-reapply.ts";
import { sweepSlots } from "./sweep-slots.ts";

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
  /**
   * Accounts the hub could not reach this pass (AssumeRole on their broker refused or throttled):
   * their leftovers and ended sessions wait for the next pass, which tries them again.
   */
  unreachableAccounts: UnreachableAccount[];
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
    unreachableAccounts: [],
    errors: [],
  };
  const now = deps.clock.now();
  const attempt: Attempt = async (step, subject, work) => {
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

  // 3. Leftovers in every account: `jit-*` policies on the principals configured there or named by
  //    an open or recent record, judged by their record and their own expiry; then (3b) the shared
  //    role's slots there. Live grants whose policy is missing or stale are written again.
  const listed = await listSafely(deps, "ACTIVE", attempt);
  const records = await recentRecords(deps, now, attempt);
  const policies = new Map<string, PolicyDocument>();
  const slots = new Map<string, Statement[]>();
  const reached = await inEveryAccount(sweptAccountIds(deps, records), report, async (id, guard) => {
    for (const [key, document] of await sweepPolicies(deps, id, records, now, report, guard))
      policies.set(key, document);
    for (const [requestId, statements] of await sweepSlots(deps, id, now, report, guard))
      slots.set(`${id} ${requestId}`, statements);
  });
  const unreachable = new Set(report.unreachableAccounts.map((u) => u.accountId));
  await reapplyLiveGrants(deps, listed ?? [], { policies, slots, unreachable }, now, report, attempt);

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

  // 5. Sessions that ended without an API call (exit, idle timeout): announced once, each account's
  //    own. An account that refused us in step 3 is not asked again this pass.
  const ended = new Date(now.getTime() - ENDED_LOOKBACK_MS);
  await inEveryAccount(reached, report, async (id, guard) => {
    await guard(
      "ended sessions",
      id === deps.config.accountId ? "DescribeSessions" : `DescribeSessions in ${label(deps.config, id)}`,
      async () => {
        report.endedSessions.push(...(await announceEndedSessions(inAccount(deps, id), ended)));
      },
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

type Attempt = (step: string, subject: string, work: () => Promise<void>) => Promise<void>;

/**
 * The accounts swept: the hub's, every member a profile spans, and any other account an open or
 * recent record grants in (a profile that dropped an account still has its grants there settled).
 */
function sweptAccountIds(deps: Deps, records: AccessRequest[]): string[] {
  const ids = [deps.config.accountId, ...memberAccountIds(deps.config), ...records.flatMap(grantAccountIds)];
  return [...new Set(ids)];
}

/**
 * Runs `work` once per account, at most DEFAULT_ACCOUNT_CONCURRENCY at a time, and returns the
 * accounts that did not refuse us. The unit is the account, not an account and region: IAM
 * (policies, slots) is global to an account, and an account's SessionControl already asks each of
 * its regions, at once; a unit per region would repeat the IAM pass, or need a port per region that
 * nothing else wants.
 *
 * `work` gets an attempt that records a step's failure and goes on, except when the account itself
 * cannot be reached: that ends the account's unit, which lands in `unreachableAccounts` (once).
 */
async function inEveryAccount(
  accountIds: string[],
  report: SweepReport,
  work: (accountId: string, guard: Attempt) => Promise<void>,
): Promise<string[]> {
  const guarded =
    (accountId: string): Attempt =>
    async (step, subject, run) => {
      try {
        await run();
      } catch (error) {
        if (error instanceof AccountUnreachableError && error.accountId === accountId) throw error;
        report.errors.push({ step, subject, error: describeError(error) });
      }
    };
  const targets = accountIds.map((accountId) => ({ accountId }));
  const swept = await sweepAccounts(
    targets,
    ({ accountId }) => work(accountId, guarded(accountId)),
    DEFAULT_ACCOUNT_CONCURRENCY,
  );
  const known = new Set(report.unreachableAccounts.map((u) => u.accountId));
  for (const u of swept.unreachable) if (!known.has(u.accountId)) report.unreachableAccounts.push(u);
  for (const f of swept.failed)
    report.errors.push({ step: "sweep account", subject: f.target.accountId, error: f.error });
  const refused = new Set(swept.unreachable.map((u) => u.accountId));
  return accountIds.filter((id) => !refused.has(id));
}

const OPEN = ["PENDING", "APPROVED", "ACTIVE"] as const;

/** Open records and those revoked in the last hour: the principals and accounts they name are swept. */
async function recentRecords(deps: Deps, now: Date, attempt: Attempt): Promise<AccessRequest[]> {
  const since = new Date(now.getTime() - ENDED_LOOKBACK_MS).toISOString();
  const records: AccessRequest[] = [];
  await attempt("list records", "open and recently revoked", async () => {
    const lists = await Promise.all([
      ...OPEN.map((status) => deps.store.listByStatus(status)),
      deps.store.listByStatus("REVOKED", undefined, since),
    ]);
    records.push(...lists.flat());
  });
  return records;
}

/** Lists requests in `status`; a failure is recorded by `attempt` and yields undefined. */
async function listSafely(
  deps: Deps,
  status: Status,
  attempt: Attempt,
): Promise<AccessRequest[] | undefined> {
  let found: AccessRequest[] | undefined;
  await attempt("list live", status, async () => {
    found = await deps.store.listByStatus(status);
  });
  return found;
}
