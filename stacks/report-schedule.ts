/**
 * When the weekly report runs, from the config: an EventBridge Scheduler cron expression in UTC, or
 * nothing when the report is off (the default). Pure, so the offline tests read it without SST.
 *
 * Scheduler cron: `cron(minutes hours day-of-month month day-of-week year)`, one of day-of-month and
 * day-of-week `?`, days of the week as SUN-SAT; evaluated in UTC unless a time zone is given
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
 */
import type { AccessConfig } from "../core/config/load.ts";

const DAY: Record<string, string> = {
  monday: "MON",
  tuesday: "TUE",
  wednesday: "WED",
  thursday: "THU",
  friday: "FRI",
  saturday: "SAT",
  sunday: "SUN",
};

/** The schedule expression of the weekly report, or undefined when the config leaves it off. */
export function weeklyReportSchedule(config: Pick<AccessConfig, "report">): `cron(${string})` | undefined {
  const weekly = config.report?.weekly;
  if (!weekly?.enabled) return undefined;
  const day = DAY[weekly.day];
  if (!day || !Number.isInteger(weekly.hour) || weekly.hour < 0 || weekly.hour > 23) {
    throw new Error(`report.weekly: day ${weekly.day} at hour ${weekly.hour} is not a weekly time`);
  }
  return `cron(0 ${weekly.hour} ? * ${day} *)`;
}
