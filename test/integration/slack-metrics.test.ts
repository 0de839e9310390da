/**
 * The Slack endpoint's own measurements: how long Slack waited (SlackAckTime) and how each request
 * was answered (SlackResponses: ok, rejected, error), and its log lines, Bolt's included, free of the
 * signing secret and the bot token.
 */
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryMetrics } from "../../adapters/observability/memory.ts";
import { handler } from "../../functions/slack.ts";
import { type FakeSlack, startFakeSlack } from "../../local/fake-slack.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";
import { SIGNING_SECRET, signedEvent, slashCommand } from "../helpers/slack-requests.ts";

const BOT_TOKEN = "xoxb-2222-3333-metricsTokenValue";
let slack: FakeSlack;
let h: Harness;
let metrics: MemoryMetrics;

beforeAll(async () => {
  slack = await startFakeSlack({ emails: { U01ALICE: "alice@example.com" } });
  process.env.SLACK_SIGNING_SECRET = SIGNING_SECRET;
  process.env.SLACK_BOT_TOKEN = BOT_TOKEN;
  process.env.SLACK_API_URL = slack.url;
});
afterAll(async () => slack.stop());
beforeEach(async () => {
  metrics = new MemoryMetrics();
  h = await startHarness({ metrics });
});
afterEach(async () => {
  await h.stop();
  vi.restoreAllMocks();
});

type Response = { statusCode: number; body: string };
const call = async (event: unknown) => (await handler(event as never, {} as Context)) as Response;

describe("the Slack endpoint's metrics", () => {
  it("times an answered command and counts it ok", async () => {
    const response = await call(signedEvent(slashCommand("U01ALICE", "help")));
    expect(response.statusCode).toBe(200);
    expect(metrics.of("SlackResponses")).toEqual([
      expect.objectContaining({ value: 1, dimensions: { outcome: "ok" } }),
    ]);
    const [ack] = metrics.of("SlackAckTime");
    expect(ack).toMatchObject({ unit: "Milliseconds", dimensions: {}, sets: [[]] });
    expect(ack?.value).toBeGreaterThanOrEqual(0);
    expect(ack?.value).toBeLessThan(3000);
  });

  it("counts a forged request as rejected, not as an error, and logs no secret", async () => {
    const out = captureLogs();
    const response = await call(signedEvent(slashCommand("U01ALICE", "help"), { secret: "not-the-secret" }));
    expect(response.statusCode).toBe(401);
    expect(metrics.of("SlackResponses")).toEqual([
      expect.objectContaining({ dimensions: { outcome: "rejected" } }),
    ]);
    for (const secret of [SIGNING_SECRET, BOT_TOKEN]) expect(out.raw()).not.toContain(secret);
  });
});
