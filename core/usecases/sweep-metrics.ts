/**
 * What a sweep found, as metrics: each kind of repair (something the workflow left behind: rare, and
 * each one worth a look), the steps that failed, the accounts it could not reach (the
 * AccountUnreachable alarm), one `SweepCompleted` (its absence is the "sweeper not running" alarm),
 * and the grants live at this pass (a gauge every five minutes).
 */
import type { UnreachableReason } from "../accounts.ts";
import type { Deps } from "../ports.ts";
import type { SweepReport } from "./sweep.ts";

/** Repair kinds, named as the dashboard and the runbook name them. */
export const REPAIRS = {
  "overdue-grant": (r: SweepReport) => r.revokedOverdue.length,
  "leftover-policy": (r: SweepReport) => r.deletedPolicies.length,
  "reapplied-grant": (r: SweepReport) => r.reappliedGrants.length,
  "late-session": (r: SweepReport) => r.lateSessions.length,
  "dead-execution": (r: SweepReport) => r.settledRequests.length,
} as const;

/** Why an account was out of reach, each recorded every pass (zeros too). */
const UNREACHABLE_REASONS = ["denied", "throttled", "failed"] as const satisfies readonly UnreachableReason[];

/**
 * Records the sweep's metrics. `liveGrants` is the number of ACTIVE records the sweep itself listed
 * (no second read); undefined when that listing failed, and then no gauge is published.
 */
export async function measureSweep(
  deps: Deps,
  report: SweepReport,
  liveGrants: number | undefined,
): Promise<void> {
  const metrics = deps.metrics;
  if (!metrics) return;
  // Zeros too: a dashboard line that drops to nothing would look like a sweeper that stopped.
  for (const [repair, count] of Object.entries(REPAIRS))
    metrics.record("SweeperRepairs", count(report), { repair });
  metrics.record("SweepErrors", report.errors.length, {});
  for (const reason of UNREACHABLE_REASONS) {
    const count = report.unreachableAccounts.filter((u) => u.reason === reason).length;
    metrics.record("AccountsUnreachable", count, { reason });
  }
  if (liveGrants !== undefined) metrics.record("GrantsActive", liveGrants, {});
  metrics.record("SweepCompleted", 1, {});
}
