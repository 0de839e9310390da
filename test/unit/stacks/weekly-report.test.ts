/**
 * The weekly report in the stack: no schedule unless the config turns it on, then a weekly UTC cron
 * on the configured day and hour; its function reads and publishes, nothing else (iam-simulate).
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../core/config/load.ts";
import { asPolicyDocument, functionPermissions, type ResourceArns } from "../../../stacks/permissions.ts";
import { weeklyReportSchedule } from "../../../stacks/report-schedule.ts";
import { exampleConfig, exampleConfigText } from "../../helpers/config.ts";
import { decide } from "../../helpers/simulate.ts";

/**
 * stacks/report.ts uses SST's globals and their types (.sst/platform, written by `npm run check:infra`,
 * which type-checks it): imported by a path tsc does not follow, so `npm run typecheck` on a fresh
 * clone does not need those types. The globals themselves are stubbed below.
 */
const REPORT_STACK: string = "../../../stacks/report.ts";
const { scheduleWeeklyReport } = (await import(REPORT_STACK)) as {
  scheduleWeeklyReport: (config: ReturnType<typeof exampleConfig>, report: never) => unknown;
};

const withReport = (report: string) => parseConfig(`${exampleConfigText()}\nreport:\n${report}\n`);

describe("the weekly report's schedule", () => {
  it("is off by default: the example config has none", () => {
    expect(exampleConfig().report.weekly).toEqual({ enabled: false, day: "monday", hour: 9 });
    expect(weeklyReportSchedule(exampleConfig())).toBeUndefined();
  });

  it.each([
    ["  weekly: { enabled: true }", "cron(0 9 ? * MON *)"],
    ["  weekly: { enabled: true, day: friday, hour: 16 }", "cron(0 16 ? * FRI *)"],
    ["  weekly: { enabled: true, day: sunday, hour: 0 }", "cron(0 0 ? * SUN *)"],
  ])("%s runs at %s", (report, cron) => {
    expect(weeklyReportSchedule(withReport(report))).toBe(cron);
  });

  it("stays off when day and hour are set but enabled is not", () => {
    expect(weeklyReportSchedule(withReport("  weekly: { day: friday, hour: 16 }"))).toBeUndefined();
  });

  it.each([
    ["  weekly: { enabled: true, hour: 24 }", "report.weekly.hour"],
    ["  weekly: { enabled: true, hour: 9.5 }", "report.weekly.hour"],
    ["  weekly: { enabled: true, day: someday }", "report.weekly.day"],
    ["  weekly: { enabled: yes-please }", "report.weekly.enabled"],
    ["  weekly: { enabled: true, cron: '* * * * ? *' }", "report.weekly"],
  ])("refuses %s in the config (%s)", (report, path) => {
    expect(() => withReport(report)).toThrow(path);
  });
});

describe("the stack", () => {
  const made: { name: string; args: Record<string, unknown> }[] = [];
  const fn = { arn: "arn:aws:lambda:eu-west-1:123456789012:function:jit-WeeklyReport" };
  // SST's global, as the deploy provides it: only the component this file creates.
  const stub = {
    aws: {
      CronV2: class {
        constructor(name: string, args: Record<string, unknown>) {
          made.push({ name, args });
        }
      },
    },
  };
  afterEach(() => {
    made.length = 0;
    delete (globalThis as { sst?: unknown }).sst;
  });

  it("creates no schedule when the report is off", () => {
    Object.assign(globalThis, { sst: stub });
    expect(scheduleWeeklyReport(exampleConfig(), fn as never)).toBeUndefined();
    expect(made).toEqual([]);
  });

  it("creates one UTC schedule invoking the report function when it is on", () => {
    Object.assign(globalThis, { sst: stub });
    scheduleWeeklyReport(withReport("  weekly: { enabled: true, day: tuesday, hour: 7 }"), fn as never);
    expect(made).toEqual([
      {
        name: "WeeklyReportSchedule",
        args: { schedule: "cron(0 7 ? * TUE *)", timezone: "UTC", function: fn.arn },
      },
    ]);
  });
});

describe("the weekly report function's permissions", () => {
  const config = exampleConfig();
  const arns: ResourceArns = {
    table: "arn:aws:dynamodb:eu-west-1:123456789012:table/jit-prod-Requests",
    topic: "arn:aws:sns:eu-west-1:123456789012:jit-prod-Notices",
    topicKey: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    stateMachine: "arn:aws:states:eu-west-1:123456789012:stateMachine:jit-prod-access",
  };
  const policy = asPolicyDocument(functionPermissions(config, arns).weeklyReport);
  const can = (action: string, resource: string) =>
    decide({
      principalArn: "arn:aws:sts::123456789012:assumed-role/jit-prod-weeklyReport/session",
      action,
      resource,
      policies: [{ name: "weeklyReport", policy }],
      context: {},
    });

  it.each([
    ["dynamodb:Query", `${arns.table}/index/byCreatedDay`],
    ["dynamodb:Query", arns.table],
    ["sns:Publish", arns.topic],
  ])("may %s on %s", async (action, resource) => {
    expect(await can(action, resource)).toBe("Allowed");
  });

  it("may use the topic's key, and no other (the key policy decides the rest, so it is read, not simulated)", () => {
    const kms = functionPermissions(config, arns).weeklyReport.filter((p) =>
      p.actions.some((a) => a.startsWith("kms:")),
    );
    expect(kms).toEqual([{ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [arns.topicKey] }]);
  });

  it.each([
    ["dynamodb:PutItem", arns.table],
    ["dynamodb:GetItem", arns.table],
    ["dynamodb:DeleteItem", arns.table],
    ["dynamodb:Scan", arns.table],
    ["dynamodb:Query", "arn:aws:dynamodb:eu-west-1:123456789012:table/payments"],
    ["sns:Publish", "arn:aws:sns:eu-west-1:123456789012:other-topic"],
    ["iam:PutRolePolicy", "arn:aws:iam::123456789012:role/oncall/jit-alice"],
    ["ssm:TerminateSession", "arn:aws:ssm:eu-west-1:123456789012:session/alice-0a1b2c3d4e5f60001"],
    ["states:StartExecution", arns.stateMachine],
  ])("may not %s on %s", async (action, resource) => {
    expect(await can(action, resource)).toBe("ImplicitlyDenied");
  });
});
