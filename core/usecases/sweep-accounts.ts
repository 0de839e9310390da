/**
 * The sweep across accounts (issue 12): one reconciliation per account and region, at most `limit`
 * at a time, so 50 accounts finish inside the sweeper's run without one slow account holding the
 * others back or all of them at once tripping the APIs' throttles. An account the hub cannot reach
 * (its broker refused AssumeRole, STS throttled) is reported for the alarm, its other regions are
 * skipped this run, and nothing remembers it: the next run tries it again from scratch. Pure: the
 * per-target sweep is handed in.
 */

import { AccountUnreachableError, type UnreachableReason } from "../accounts.ts";
import { describeError } from "../log.ts";

/**
 * How many account-region sweeps run at once by default. Each is a short chain of mostly sequential
 * IAM and Session Manager reads in its own account, so accounts do not share those APIs' quotas;
 * what they share is the sweeper's one Lambda (its sockets, its 300 s). At 10, 50 accounts × 2
 * regions take about 4 s at 50 ms a call (`npm run bench -- --only sweep-accounts`).
 */
export const DEFAULT_ACCOUNT_CONCURRENCY = 10;

/** One place the sweep acts in. */
export interface SweepTarget {
  accountId: string;
  region: string;
}

/** An account that could not be reached this run: raise the alarm; the next run tries again. */
export interface UnreachableAccount {
  accountId: string;
  reason: UnreachableReason;
  error: string;
}

/** What a pass across accounts found. */
export interface AccountsSweepReport<T, G extends { accountId: string } = SweepTarget> {
  /** Targets swept, with what each sweep reported. */
  swept: { target: G; result: T }[];
  unreachable: UnreachableAccount[];
  /** Targets whose sweep failed for another reason (reached, but something broke). */
  failed: { target: G; error: string }[];
}

/** Every account × region, each account's regions together, in a stable order. */
export function sweepTargets(
  accountIds: string[],
  regionsOf: (accountId: string) => string[],
): SweepTarget[] {
  return [...new Set(accountIds)]
    .sort()
    .flatMap((accountId) =>
      [...new Set(regionsOf(accountId))].sort().map((region) => ({ accountId, region })),
    );
}

/**
 * Sweeps every target with at most `limit` sweeps running at once. Never throws for a target's
 * failure: each lands in the report. A target is an account and region, or an account alone when
 * the per-target work covers the account's regions itself (core/usecases/sweep.ts does).
 */
export async function sweepAccounts<T, G extends { accountId: string } = SweepTarget>(
  targets: G[],
  sweepOne: (target: G) => Promise<T>,
  limit: number,
): Promise<AccountsSweepReport<T, G>> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`the concurrency limit must be a whole number ≥ 1, not ${limit}`);
  const report: AccountsSweepReport<T, G> = { swept: [], unreachable: [], failed: [] };
  const unreachable = new Set<string>();
  const queue = [...targets];
  const worker = async () => {
    for (let target = queue.shift(); target; target = queue.shift()) {
      // Its account already refused us this run: the same AssumeRole would be refused again.
      if (unreachable.has(target.accountId)) continue;
      try {
        report.swept.push({ target, result: await sweepOne(target) });
      } catch (error) {
        if (error instanceof AccountUnreachableError && error.accountId === target.accountId) {
          if (unreachable.has(target.accountId)) continue;
          unreachable.add(target.accountId);
          report.unreachable.push({
            accountId: target.accountId,
            reason: error.reason,
            error: error.message,
          });
        } else {
          report.failed.push({ target, error: describeError(error) });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, targets.length) }, worker));
  return report;
}
