/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The weekly access report's schedule: created only when the config turns the report on, in UTC
 * (stacks/report-schedule.ts). The function itself always exists; without a schedule it never runs.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { weeklyReportSchedule } from "./report-schedule.ts";

export function scheduleWeeklyReport(config: AccessConfig, report: sst.aws.Function) {
  const schedule = weeklyReportSchedule(config);
  if (!schedule) return undefined;
  return new sst.aws.CronV2("WeeklyReportSchedule", { schedule, timezone: "UTC", function: report.arn });
}
