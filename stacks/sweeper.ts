/// <reference path="../.sst/platform/config.d.ts" />
/** The sweeper's schedule: every five minutes, the reconciliation that finishes what the workflow could not. */

export function scheduleSweeper(sweeper: sst.aws.Function) {
  return new sst.aws.CronV2("SweeperSchedule", { schedule: "rate(5 minutes)", function: sweeper.arn });
}
