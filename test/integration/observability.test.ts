/**
 * What a lifecycle writes for its operators, read back as CloudWatch would receive it: Powertools'
 * JSON log lines and embedded-format metrics on stdout and stderr, from the real handlers run by the
 * real workflow (request, approval, grant, warning, expiry, revoke), then a sweep.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EmfMetrics } from "../../adapters/observability/metrics.ts";
import { DIMENSION_NAMES, METRIC_NAMESPACE, METRICS } from "../../core/metrics.ts";
import type { Notice, Notifier } from "../../core/ports.ts";
import { approve } from "../../core/usecases/approval.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { handler as askApprovers } from "../../functions/ask-approvers.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, OWNER, PEOPLE } from "../fixtures/nodes.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";

const SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543";
const BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx";
const ALICE_ROLE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
const dave = { slackUserId: "U03DAVE" };

// Read once, when the logger and the metrics are built, as on Lambda: the level the stack sets (here
// every line), and the initialization type Lambda sets (Powertools counts a cold start only for
// "on-demand").
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = "on-demand";
});
afterAll(() => {
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
});

let h: Harness | undefined;
beforeEach(() => {
  vi.stubEnv("SLACK_SIGNING_SECRET", SIGNING_SECRET);
  vi.stubEnv("SLACK_BOT_TOKEN", BOT_TOKEN);
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/**
 * A Slack that fails the way a real client can: its errors quote what it was handed (a token, a
 * request's task token). Every failure is logged by the use case; none of those values may be.
 */
class LeakyNotifier implements Notifier {
  readonly seen: Notice[] = [];
  async notify(n: Notice): Promise<void> {
    this.seen.push(n);
    if (n.type === "approval-needed")
      throw new Error(`invalid_auth: token ${BOT_TOKEN} refused for task ${n.request.taskToken}`);
    if (n.type === "granted") throw new Error(`signature mismatch with ${SIGNING_SECRET}`);
  }
  async notifySession(): Promise<void> {}
}

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

describe("a lifecycle's logs and metrics", () => {
  it("carry the request's keys and the Lambda context, low-cardinality metrics, and no secret", async () => {
    // Prepare: EMF metrics as on Lambda; alice opens a session while her grant is live.
    const out = captureLogs();
    const notifier = new LeakyNotifier();
    const x = await startHarness({
      metrics: new EmfMetrics(),
      notifier,
      wrap: (state, task) =>
        state === S.warnExpiry
          ? async (input) => {
              x.account.openSession(OWNER.alice, NODE.web1);
              return task(input);
            }
          : task,
    });
    h = x;

    // Act: request, approval, grant, warning, expiry, revoke; then a sweep finds nothing to repair.
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      duration: "1h",
      reason: "disk full on web-3",
      ticket: "INC-42",
    });
    const { taskToken } = await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    await x.workflow.quiescent();
    const report = await sweep(x.deps);

    // Assess: the log lines of the handlers carry the Lambda context and the request's keys.
    const lines = out.lines();
    const handled = lines.filter((l) => l.message === "handler finished");
    expect(handled.map((l) => l.handler)).toEqual(
      expect.arrayContaining(["ask-approvers", "grant-access", "announce", "check-expiry", "revoke-access"]),
    );
    for (const line of handled) {
      expect(line).toMatchObject({
        level: "DEBUG",
        service: "jit-access",
        timestamp: expect.any(String),
        function_name: "local",
        function_request_id: "local",
        cold_start: expect.any(Boolean),
        requestId: request.id,
        profile: "prod-web",
        principal: ALICE_ROLE,
      });
    }
    // The failed notices were logged with their request, each error masked where it quoted a secret:
    // the approval request's by the use case (it goes on), the grant's by the handler (retried).
    const failed = [
      ...lines.filter((l) => l.message === "notice not delivered" && l.notice === "approval-needed"),
      ...lines.filter((l) => l.message === "handler failed" && l.handler === "announce"),
    ];
    expect(failed.length).toBeGreaterThanOrEqual(2);
    for (const line of failed) {
      expect(line).toMatchObject({ level: "ERROR", requestId: request.id, profile: "prod-web" });
      expect(String(line.error)).toContain("[redacted]");
    }
    // Nothing written anywhere holds a secret or the task token, in any line or metric.
    const raw = out.raw();
    expect(taskToken).toBeTruthy();
    for (const secret of [SIGNING_SECRET, BOT_TOKEN, String(taskToken)]) expect(raw).not.toContain(secret);

    // The metrics: EMF documents in our namespace, names from the catalog, dimensions from it only.
    const docs = out.metrics() as unknown as Emf[];
    const allowed = new Set(["service", "function_name", ...DIMENSION_NAMES]);
    const names = new Set<string>();
    for (const doc of docs) {
      const [directive] = doc._aws.CloudWatchMetrics;
      expect(directive?.Namespace).toBe(METRIC_NAMESPACE);
      for (const set of directive?.Dimensions ?? []) for (const d of set) expect(allowed).toContain(d);
      for (const m of directive?.Metrics ?? []) names.add(m.Name);
      // No value anywhere in a document names the request, a person or a principal.
      for (const value of Object.values(doc).filter((v) => typeof v === "string")) {
        expect(value).not.toContain(request.id);
        expect(value).not.toMatch(/arn:|U0[0-9A-Z]+|alice|dave/);
      }
    }
    expect([...names].every((n) => n === "ColdStart" || n in METRICS)).toBe(true);
    const requests = docs.filter((d) => "Requests" in d);
    expect(requests.map((d) => [d.outcome, d.profile])).toEqual([
      ["requested", "prod-web"],
      ["approved", "prod-web"],
      ["active", "prod-web"],
      ["revoked", "prod-web"],
    ]);
    // Published under the total, the outcome, and the outcome by profile.
    expect(requests[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ["service"],
      ["service", "outcome"],
      ["service", "outcome", "profile"],
    ]);
    for (const name of [
      "ColdStart",
      "ApprovalWait",
      "ApproveToEffective",
      "RevokeLag",
      "SessionsEnded",
      "SweepCompleted",
    ])
      expect(names).toContain(name);
    const one = (name: string) => docs.find((d) => name in d);
    expect(docs.filter((d) => "ColdStart" in d)).toEqual([
      expect.objectContaining({ ColdStart: 1, function_name: "local", service: "jit-access" }),
    ]);
    expect(one("RevokeLag")?.RevokeLag).toBe(0); // the fake clock revokes on the expiry second
    expect(one("SessionsEnded")).toMatchObject({ SessionsEnded: 1, reason: "terminated" });
    expect(one("GrantsActive")?.GrantsActive).toBe(0);
    expect(report.errors).toEqual([]);
    expect(docs.filter((d) => "SweeperRepairs" in d).map((d) => d.SweeperRepairs)).toEqual([0, 0, 0, 0, 0]);
  });

  it("never logs a task token from an event the handler refuses", async () => {
    const out = captureLogs();
    const token = "AQCEAAAAKgAAAAMAAAAAAAAAAQ9Ymqf3tDcvZ8xEZ3o9r5l4pX6zY7pVwW";
    await expect(askApprovers({ requestId: "not an id", taskToken: token }, {} as never)).rejects.toThrow(
      /malformed event/,
    );
    expect(out.lines()).toContainEqual(expect.objectContaining({ message: "rejected malformed event" }));
    expect(out.raw()).not.toContain(token);
  });
});
