/**
 * The weekly access report rendered from the seeded sandbox history (the same one `jit audit` is
 * tested over): the JSON, the Slack summary (snapshot), SNS's size limit, and the Lambda function
 * end to end (dynalite, a fake Slack Web API, SNS mocked) reading only what its week holds.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoRequestStore } from "../../adapters/aws/dynamodb.ts";
import { SnsReportPublisher } from "../../adapters/aws/sns-report.ts";
import { createRequestsTable, type LocalDynamo, startLocalDynamo } from "../../adapters/local/dynamo.ts";
import { weeklyReportMessage } from "../../adapters/slack/weekly-report.ts";
import { FakeClock } from "../../core/clock.ts";
import type { Deps } from "../../core/ports.ts";
import { buildWeeklyReport, sendWeeklyReport, type WeeklyReport } from "../../core/report.ts";
import { reportMessage, SNS_MAX_MESSAGE_BYTES } from "../../core/report-message.ts";
import { auditReport } from "../../core/usecases/audit.ts";
import { useDeps } from "../../functions/runtime.ts";
import { handler } from "../../functions/weekly-report.ts";
import { type FakeSlack, startFakeSlack } from "../../local/fake-slack.ts";
import { seededAlerts, seededHistory, writeHistory } from "../../local/seed-history.ts";
import { exampleConfig } from "../helpers/config.ts";

const config = exampleConfig();
// The week before Monday 2026-11-23 09:00 UTC, when the report runs (a few seconds late).
const NOW = "2026-11-23T09:00:04.000Z";
const WEEK_START = new Date("2026-11-16T09:00:00.000Z");
const history = seededHistory({
  config,
  count: 60,
  start: new Date("2026-11-16T09:30:00.000Z"),
  everyMinutes: 150,
  transcriptFile: (id) => `.jit/transcripts/${id}.log`,
});
let dynamo: LocalDynamo;
let deps: Pick<Deps, "config" | "store" | "sessionLog" | "clock">;
let report: WeeklyReport;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createRequestsTable(dynamo.client, "weekly");
  const store = new DynamoRequestStore("weekly", dynamo.client);
  await writeHistory(store, history);
  // The week before and the hour after are not this report's.
  const [first] = seededHistory({ config, count: 1, start: new Date("2026-11-16T08:59:59.999Z") });
  if (first)
    await writeHistory(store, [{ ...first, request: { ...first.request, id: "20261116-before01" } }]);
  for (const alert of seededAlerts(WEEK_START, 8)) await store.saveAlert(alert);
  await store.saveAlert({
    eventId: "refused-1",
    kind: "refused",
    at: "2026-11-18T10:00:00.000Z",
    actor: "arn:aws:sts::123456789012:assumed-role/jit-alice/alice",
    detail: "AccessDenied",
  });
  deps = { config, store, sessionLog: store, clock: new FakeClock(NOW) };
  report = await buildWeeklyReport(deps);
});
afterAll(async () => dynamo.stop());

describe("the weekly report's JSON", () => {
  it("covers the seven days before the hour it runs, and nothing else", async () => {
    expect([report.from, report.to]).toEqual(["2026-11-16T09:00:00.000Z", "2026-11-23T09:00:00.000Z"]);
    expect(report.requests.map((r) => r.requestId)).toEqual(history.map((h) => h.request.id));
    // The rows are exactly what `jit audit` prints for the same window.
    expect(report.requests).toEqual((await auditReport(deps, { from: report.from, to: report.to })).rows);
  });

  it("counts what the history holds", () => {
    const requests = history.map((h) => h.request);
    const of = (status: string) => requests.filter((r) => r.status === status).length;
    expect(report.totals).toMatchObject({
      requests: 60,
      granted: requests.filter((r) => r.grantedAt).length,
      denied: of("DENIED"),
      expired: of("EXPIRED"),
      cancelled: of("CANCELLED"),
      failed: of("FAILED"),
      breakGlass: requests.filter((r) => r.breakGlass).length,
      onCall: requests.filter((r) => r.onCall?.approved).length,
      driftAlerts: 7,
      refusedAttempts: 1,
    });
    expect(report.totals.approvedByApprovers + report.totals.autoApproved).toBeGreaterThan(0);
    expect(report.totals.onCall).toBeGreaterThan(0);
    expect(report.grantsPerProfile.reduce((n, g) => n + g.grants, 0)).toBe(report.totals.granted);
    expect(report.breakGlass.map((b) => b.reviewed).sort()).toEqual([false, true]);
    expect(report.denied.every((d) => d.reason === "use the runbook instead")).toBe(true);
  });

  it("lists the ten longest sessions, longest first", () => {
    const durations = report.longestSessions.map((s) => s.durationSeconds);
    const all = report.requests.flatMap((r) => r.sessions.map((s) => s.durationSeconds ?? -1));
    expect(durations).toEqual([...all].sort((a, b) => b - a).slice(0, 10));
  });

  it("matches its snapshot (everything but the rows, which the audit tests cover)", () => {
    const { requests, ...summary } = report;
    expect(requests).toHaveLength(60);
    expect(summary).toMatchSnapshot();
  });
});

describe("the Slack summary", () => {
  it("matches its snapshot, within Slack's limits, with outside text escaped", () => {
    const message = weeklyReportMessage(report);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const block of message.blocks) {
      if (block.type === "section") expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(message)).not.toMatch(/<http|<!channel|<!here/);
    expect(message).toMatchSnapshot();
  });

  it("says so when the week was quiet", () => {
    const quiet = weeklyReportMessage({
      ...report,
      grantsPerProfile: [],
      people: [],
      breakGlass: [],
      denied: [],
    });
    const text = JSON.stringify(quiet.blocks);
    expect(text).toContain("no grants this week");
    expect(text).toContain("nobody asked for access");
  });
});

describe("the SNS message", () => {
  const big = (): WeeklyReport => {
    const row = report.requests[0];
    if (!row) throw new Error("no rows");
    const requests = Array.from({ length: 3000 }, (_, i) => ({
      ...row,
      requestId: `r${i}`,
      reason: "x".repeat(200),
    }));
    return { ...report, requests };
  };

  it("is the whole report when it fits", () => {
    const { message, omitted } = reportMessage(report, SNS_MAX_MESSAGE_BYTES);
    expect(omitted).toBeUndefined();
    expect(JSON.parse(message)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it("keeps the summary and as many rows as fit under the limit, and says what is left out", () => {
    const full = big();
    const { message, omitted } = reportMessage(full, SNS_MAX_MESSAGE_BYTES - 200);
    const parsed = JSON.parse(message) as WeeklyReport & { omitted: NonNullable<typeof omitted> };
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES - 200);
    expect(parsed.totals).toEqual(full.totals);
    expect(parsed.requests.length + parsed.omitted.requests).toBe(3000);
    expect(parsed.omitted.requests).toBeGreaterThan(0);
    // Not one row more would have fitted.
    const oneMore = JSON.stringify({
      ...parsed,
      requests: full.requests.slice(0, parsed.requests.length + 1),
    });
    expect(Buffer.byteLength(oneMore)).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES - 200);
    expect(parsed.omitted.allOf).toBe(`jit audit --from ${report.from} --to ${report.to} --format json`);
  });

  it("is published with its attributes, body and attributes together under 262,144 bytes", async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    await new SnsReportPublisher("arn:aws:sns:eu-west-1:123456789012:jit", new SNSClient({})).publishFull(
      big(),
    );
    const [call] = sns.commandCalls(PublishCommand);
    const input = call?.args[0].input;
    const attributes = Object.entries(input?.MessageAttributes ?? {});
    const attributeBytes = attributes.reduce(
      (n, [k, v]) =>
        n +
        Buffer.byteLength(k) +
        Buffer.byteLength(v.DataType ?? "") +
        Buffer.byteLength(v.StringValue ?? ""),
      0,
    );
    expect(Buffer.byteLength(input?.Message ?? "") + attributeBytes).toBeLessThanOrEqual(262_144);
    expect(input?.MessageAttributes?.event?.StringValue).toBe("weekly-report");
    expect(input?.MessageAttributes?.complete?.StringValue).toBe("false");
    sns.restore();
  });
});

describe("sending", () => {
  it("gives each outlet its copy even when the other fails, then fails loudly", async () => {
    const got: string[] = [];
    const outlets = {
      postSummary: async () => {
        throw new Error("channel_not_found");
      },
      publishFull: async (r: WeeklyReport) => void got.push(r.from),
    };
    await expect(sendWeeklyReport(deps, outlets)).rejects.toThrow("Slack: Error: channel_not_found");
    expect(got).toEqual([report.from]);
  });
});

describe("the weekly report function", () => {
  let slack: FakeSlack;
  const sns = mockClient(SNSClient);
  beforeAll(async () => {
    slack = await startFakeSlack();
    Object.assign(process.env, {
      SLACK_API_URL: slack.url,
      SLACK_BOT_TOKEN: "xoxb-test",
      TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:jit",
    });
  });
  beforeEach(() => sns.reset());
  afterAll(async () => {
    for (const name of ["SLACK_API_URL", "SLACK_BOT_TOKEN", "TOPIC_ARN"]) delete process.env[name];
    sns.restore();
    useDeps(undefined);
    await slack.stop();
  });

  it("posts the summary to the audit channel and the report to the topic", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    useDeps({ ...deps } as Deps);
    const result = await handler({ source: "aws.scheduler" }, {} as Context);
    expect(result).toMatchObject({ from: report.from, to: report.to, requests: 60 });
    const [posted] = slack.of("chat.postMessage");
    expect(posted?.channel).toBe(config.slack.auditChannel);
    expect(posted?.blocks).toEqual(JSON.parse(JSON.stringify(weeklyReportMessage(report).blocks)));
    const published = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(JSON.parse(published?.Message ?? "{}").totals).toEqual(report.totals);
  });
});
