/**
 * Session events through the real Lambda handler: CloudTrail records as EventBridge delivers them
 * (fixtures shaped like CloudTrail's own), tied to grants on dynalite, announced to a fake Slack and
 * to SNS (aws-sdk-client-mock), each once.
 */
import { readFileSync } from "node:fs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SnsNotifier } from "../../adapters/aws/sns.ts";
import { FanOutNotifier } from "../../adapters/fan-out.ts";
import { SlackNotifier } from "../../adapters/slack/notifier.ts";
import { resolvePrincipal } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { withManagedLogGroup } from "../../core/transcripts.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { announceEndedSessions } from "../../core/usecases/session-events.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { handler } from "../../functions/session-events.ts";
import { slackClient } from "../../functions/slack-client.ts";
import { type FakeSlack, startFakeSlack } from "../../local/fake-slack.ts";
import { NODE, OWNER, PEOPLE } from "../fixtures/nodes.ts";
import { exampleConfig } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";
import { aRequest } from "../helpers/requests.ts";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely to spoil or vary them
type Event = Record<string, any>;
const fixture = (name: string): Event =>
  JSON.parse(readFileSync(new URL(`../fixtures/cloudtrail/${name}.json`, import.meta.url), "utf8"));
const context = {} as Context;
const sns = mockClient(SNSClient);
const config = exampleConfig();

let slack: FakeSlack;
let h: Harness;

beforeAll(async () => {
  slack = await startFakeSlack();
  process.env.SLACK_API_URL = slack.url;
});
afterAll(async () => slack.stop());
beforeEach(async () => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m" });
  slack.calls.length = 0;
  h = await startHarness({
    notifier: ({ store, sessions }) =>
      new FanOutNotifier([
        {
          name: "slack",
          notifier: new SlackNotifier({
            client: slackClient("xoxb-test"),
            config,
            store,
            sessions,
            now: () => new Date("2026-11-26T09:20:00Z"),
          }),
        },
        {
          name: "sns",
          notifier: new SnsNotifier(
            "arn:aws:sns:eu-west-1:123456789012:notices",
            new SNSClient({ region: "eu-west-1" }),
            config.notices,
          ),
        },
      ]),
  });
});
afterEach(async () => {
  await h.stop();
  vi.restoreAllMocks();
});

/** An active grant, written as the workflow would have left it. */
async function grant(person: keyof typeof PEOPLE, profileId: string, id: string): Promise<AccessRequest> {
  const request = aRequest({
    id,
    requester: PEOPLE[person],
    profileId,
    principal: resolvePrincipal(config, PEOPLE[person]),
    status: "ACTIVE",
    reason: `${person} needs ${profileId}`,
    grantedAt: "2026-11-26T09:00:00.000Z",
    expiresAt: "2026-11-26T10:00:00.000Z",
  });
  await h.deps.store.create(request);
  return request;
}

/**
 * Delivers one event to the real handler. Its one info line per event is captured, not printed, and
 * checked: it names the event and the outcome the handler returned. Every line of the delivery is
 * kept in `delivered` for the test to read.
 */
let delivered: Record<string, unknown>[] = [];
async function deliver(event: Event): Promise<{ outcome?: string; rejected?: string }> {
  const logs = captureLogs();
  delivered = [];
  const result = (await handler(event as never, context).finally(() => {
    delivered = logs.lines();
  })) as { outcome?: string; rejected?: string };
  if (result.outcome) {
    expect(
      logs
        .lines()
        .filter((l) => l.level === "INFO")
        .at(-1),
    ).toMatchObject({
      level: "INFO",
      message: "session event",
      eventId: event.detail?.eventID,
      outcome: result.outcome,
    });
  }
  logs.restore();
  return result;
}
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const audits = () => slack.of("chat.postMessage").filter((m) => m.channel === "C0AUDITLOG");

describe("session starts", () => {
  it.each([
    ["an assumed role", "alice", "prod-web", "start-session-assumed-role", NODE.web1],
    ["an IAM user", "bob", "sandbox", "start-session-iam-user", NODE.sbx1],
    [
      "an Identity Center user on the shared role",
      "dan",
      "staging",
      "start-session-identity-center",
      NODE.stg1,
    ],
  ] as const)(
    "by %s is tied to its grant, recorded and announced",
    async (_name, person, profile, file, node) => {
      // Prepare
      const request = await grant(person, profile, `20261126-${person.padEnd(8, "0")}`);
      const event = fixture(file);

      // Act
      const result = await deliver(event);

      // Assess
      expect(result).toEqual({ outcome: "started" });
      const trail = await auditTrail(h.deps, request.id);
      expect(trail.find((e) => e.action === "session-started")).toMatchObject({
        detail: { sessionId: event.detail.responseElements.sessionId, target: node, region: "eu-west-1" },
      });
      const [message] = published();
      expect(message?.MessageAttributes).toMatchObject({
        event: { DataType: "String", StringValue: "session-started" },
        outcome: { StringValue: "started" },
        profile: { StringValue: profile },
        requester: { StringValue: PEOPLE[person].slackUserId },
        node: { StringValue: node },
      });
      expect(JSON.parse(message?.Message ?? "{}")).toMatchObject({
        requestId: request.id,
        reason: request.reason,
        node,
      });
      const text = JSON.stringify(audits()[0]?.blocks);
      expect(text).toContain(
        `Session started* · \`${event.detail.responseElements.sessionId}\` on \`${node}\` (eu-west-1)`,
      );
      expect(text).toContain(`Request \`${request.id}\` · *${profile}* · ${request.reason}`);
      expect(text).toContain("(40m left)");
      expect(slack.of("chat.postMessage").some((m) => m.channel === PEOPLE[person].slackUserId)).toBe(true);
    },
  );

  it("tolerates fields CloudTrail adds later", async () => {
    await grant("alice", "prod-web", "20261126-alice000");
    const event = fixture("start-session-assumed-role");
    event.detail.additionalEventData = { newThing: { nested: true } };
    event.newTopLevelField = "x";
    expect(await deliver(event)).toEqual({ outcome: "started" });
  });
});

describe("delivery", () => {
  it("announces and records a duplicate delivery once", async () => {
    const request = await grant("alice", "prod-web", "20261126-alice000");
    const event = fixture("start-session-assumed-role");
    expect(await deliver(event)).toEqual({ outcome: "started" });
    expect(await deliver(structuredClone(event))).toEqual({ outcome: "duplicate" });
    expect(published()).toHaveLength(1);
    expect((await auditTrail(h.deps, request.id)).filter((e) => e.action === "session-started")).toHaveLength(
      1,
    );
  });

  it("handles an end that arrives before its start: each announced once, both recorded", async () => {
    const request = await grant("alice", "prod-web", "20261126-alice000");
    expect(await deliver(fixture("terminate-session"))).toEqual({ outcome: "ended" });
    expect(await deliver(fixture("start-session-assumed-role"))).toEqual({ outcome: "started" });
    expect(await deliver(fixture("terminate-session"))).toEqual({ outcome: "duplicate" });
    expect(published().map((p) => p.MessageAttributes?.event?.StringValue)).toEqual([
      "session-ended",
      "session-started",
    ]);
    const session = await h.deps.sessionLog.getSession("alice-0a1b2c3d4e5f60001");
    expect(session).toMatchObject({
      requestId: request.id,
      startedAt: "2026-11-26T09:20:00Z",
      endedAt: "2026-11-26T09:40:00Z",
    });
    expect(JSON.stringify(audits().at(-1)?.blocks)).toContain(
      "This session had already ended when its start arrived.",
    );
  });

  it("records a resume on the grant without announcing a second start", async () => {
    const request = await grant("alice", "prod-web", "20261126-alice000");
    await deliver(fixture("start-session-assumed-role"));
    expect(await deliver(fixture("resume-session"))).toEqual({ outcome: "resumed" });
    expect(published()).toHaveLength(1);
    expect((await auditTrail(h.deps, request.id)).map((e) => e.action)).toContain("session-resumed");
  });

  it("announces a normal end with its duration, and the grant's trail has it", async () => {
    const request = await grant("alice", "prod-web", "20261126-alice000");
    await deliver(fixture("start-session-assumed-role"));
    await deliver(fixture("terminate-session"));
    expect(JSON.stringify(audits().at(-1)?.blocks)).toContain("Ended by terminated by its owner after 20m");
    expect((await auditTrail(h.deps, request.id)).map((e) => e.action)).toContain("session-ended");
  });
});

describe("alerts", () => {
  it("raises a no-grant alert for a session nobody granted (standing access drift)", async () => {
    expect(await deliver(fixture("start-session-assumed-role"))).toEqual({ outcome: "no-grant" });
    const [alert] = await h.deps.sessionLog.listAlerts();
    expect(alert).toMatchObject({ kind: "no-grant", actor: OWNER.alice, target: NODE.web1 });
    expect(published()[0]?.MessageAttributes?.outcome?.StringValue).toBe("no-grant");
    expect(JSON.stringify(audits()[0]?.blocks)).toContain("Session with no grant");
  });

  it("raises an outside-grant alert for a node the grant does not cover", async () => {
    await grant("alice", "prod-web", "20261126-alice000");
    const event = fixture("start-session-assumed-role");
    event.detail.requestParameters.target = NODE.stg1;
    expect(await deliver(event)).toEqual({ outcome: "outside-grant" });
    expect((await h.deps.sessionLog.listAlerts())[0]?.detail).toContain(
      "holds prod-web (20261126-alice000), which does not cover i-0stg1000000000005",
    );
  });

  it("records and announces a refused attempt", async () => {
    expect(await deliver(fixture("start-session-access-denied"))).toEqual({ outcome: "refused" });
    const [alert] = await h.deps.sessionLog.listAlerts();
    expect(alert).toMatchObject({ kind: "refused", target: NODE.db1 });
    expect(alert?.detail).toMatch(
      /^AccessDenied: User: arn:aws:sts::123456789012:assumed-role\/jit-alice\/alice is not authorized/,
    );
    expect(published()[0]?.MessageAttributes?.event?.StringValue).toBe("session-alert");
  });
});

describe("malformed events", () => {
  it.each([
    ["no event name", (e: Event) => delete e.detail.eventName, "detail.eventName"],
    ["another service", (e: Event) => (e.source = "aws.ec2"), "source"],
    ["no caller", (e: Event) => delete e.detail.userIdentity.arn, "detail.userIdentity.arn"],
    ["a bad time", (e: Event) => (e.detail.eventTime = "yesterday"), "detail.eventTime"],
  ])("rejects an event with %s, logging why and recording nothing", async (_name, spoil, path) => {
    const event = fixture("start-session-assumed-role");
    spoil(event);
    const result = await deliver(event);
    expect(result.rejected).toContain(path);
    expect(delivered).toContainEqual(
      expect.objectContaining({
        level: "ERROR",
        message: "rejected malformed event",
        handler: "session-events",
      }),
    );
    expect(await h.deps.sessionLog.listAlerts()).toEqual([]);
    expect(await h.deps.sessionLog.claimEvent(event.detail.eventID)).toBe(true);
    expect(published()).toEqual([]);
  });
});

describe("sessions that end without an API call", () => {
  it("are found by the sweeper and announced once, with their duration", async () => {
    // Prepare: a session started (announced from CloudTrail), then the person typed `exit`.
    const request = await grant("alice", "prod-web", "20261126-alice000");
    const opened = h.account.openSession(OWNER.alice, NODE.web1);
    const start = fixture("start-session-assumed-role");
    start.detail.responseElements.sessionId = opened.sessionId;
    await deliver(start);
    h.clock.set("2026-11-26T09:35:00Z");
    const live = h.account.sessions.get(opened.sessionId);
    if (live)
      Object.assign(live, {
        status: "Terminated",
        endDate: "2026-11-26T09:35:00.000Z",
        startDate: "2026-11-26T09:20:00.000Z",
      });

    // Act
    const first = await sweep(h.deps);
    const second = await sweep(h.deps);

    // Assess
    expect(first.endedSessions).toEqual([opened.sessionId]);
    expect(second.endedSessions).toEqual([]);
    expect(JSON.stringify(audits().at(-1)?.blocks)).toContain("Ended by exit or idle timeout after 15m");
    expect((await auditTrail(h.deps, request.id)).map((e) => e.action)).toContain("session-ended");
  });
});

/**
 * Issue 10, items 3 and 8. Each failed on main before this change (691944f): an event from account
 * 999999999999 was handled ("no-grant", an alert announced); dan's start through an Identity Center
 * role named in CloudTrail without the region segment of the configured path was "no-grant"; carol
 * resuming alice's session was "resumed" on alice's grant; 30 refused attempts raised 30 alerts.
 */
describe("events we must not trust as they come", () => {
  it("drops an event from an account the configuration does not name, recording nothing", async () => {
    const event = fixture("start-session-assumed-role");
    event.account = "999999999999";
    event.detail.recipientAccountId = "999999999999";
    expect(await deliver(event)).toEqual({ outcome: "ignored" });
    expect(await h.deps.sessionLog.listAlerts()).toEqual([]);
    expect(published()).toEqual([]);
    expect(delivered).toContainEqual(
      expect.objectContaining({ level: "WARN", accountId: "999999999999", eventId: event.detail.eventID }),
    );
  });

  it("ties a session to the grant when CloudTrail's role path differs from the configured one", async () => {
    // Prepare: CloudTrail names the Identity Center role without the region segment of the config.
    const request = await grant("dan", "staging", "20261126-dan00000");
    const event = fixture("start-session-identity-center");
    event.detail.userIdentity.sessionContext.sessionIssuer.arn =
      "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_OnCall_0123456789abcdef";

    // Act / Assess
    expect(await deliver(event)).toEqual({ outcome: "started" });
    expect((await auditTrail(h.deps, request.id)).map((e) => e.action)).toContain("session-started");
  });

  it("does not match a role of the same name in another account", async () => {
    await grant("dan", "staging", "20261126-dan00000");
    const event = fixture("start-session-identity-center");
    event.detail.userIdentity.sessionContext.sessionIssuer.arn =
      "arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_0123456789abcdef";
    expect(await deliver(event)).toEqual({ outcome: "no-grant" });
  });

  it("alerts when someone resumes a session another caller started", async () => {
    // Prepare: alice's session is known; carol resumes it.
    await grant("alice", "prod-web", "20261126-alice000");
    await deliver(fixture("start-session-assumed-role"));
    const resume = fixture("resume-session");
    resume.detail.eventID = "resume-by-carol";
    resume.detail.userIdentity.arn = OWNER.carol;
    resume.detail.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::123456789012:role/jit-carol";

    // Act / Assess
    expect(await deliver(resume)).toEqual({ outcome: "not-owner" });
    const alerts = await h.deps.sessionLog.listAlerts();
    expect(alerts.map((a) => a.kind)).toEqual(["not-owner"]);
    expect(alerts[0]?.detail).toBe(
      `${OWNER.carol} resumed session alice-0a1b2c3d4e5f60001, which ${OWNER.alice} started`,
    );
  });

  it("alerts on a resume of an unknown session whose id names another caller", async () => {
    const resume = fixture("resume-session");
    resume.detail.userIdentity.arn = "arn:aws:sts::123456789012:assumed-role/jit-alice/ali";
    expect(await deliver(resume)).toEqual({ outcome: "not-owner" });
  });

  it("announces refused attempts once, then at 10, while recording every one", async () => {
    // Act: 30 refusals for the same caller within the hour.
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const event = fixture("start-session-access-denied");
      event.detail.eventID = `denied-${i}`;
      outcomes.push((await deliver(event)).outcome ?? "");
    }

    // Assess
    expect(outcomes.filter((o) => o === "refused")).toHaveLength(2);
    expect(outcomes.filter((o) => o === "refused-counted")).toHaveLength(28);
    expect(await h.deps.sessionLog.listAlerts()).toHaveLength(30);
    expect(published()).toHaveLength(2);
    expect(JSON.stringify(published()[1])).toContain("10 refused attempts by this caller since");
  });
});

describe("a refused-attempt alert whose announcement failed", () => {
  // Review 2026-11-29: the event was handed back and retried, counted again (2), and the first
  // alert was never announced.
  it("is announced by the retry", async () => {
    slack.failNext("chat.postMessage", "internal_error", 5);
    sns.on(PublishCommand).rejectsOnce(new Error("sns down"));
    const event = fixture("start-session-access-denied");

    await expect(deliver(event)).rejects.toThrow();
    // Announced (not merely counted) on the retry: the failed publish, then the delivered one.
    expect(await deliver(event)).toEqual({ outcome: "refused" });
    expect(published()).toHaveLength(2);
  });
});

describe("where a session's transcript is", () => {
  /** Preferences the stack manages: a log group of this stage and an S3 bucket. */
  function managePreferences(): void {
    h.deps.config = withManagedLogGroup(
      {
        ...config,
        sessionManager: {
          ...config.sessionManager,
          manage: true,
          cloudWatchLogs: true,
          s3LogBucket: "acme-session-logs",
        },
      },
      "ssm-jit-access",
      "production",
    );
  }
  const endMessage = () => JSON.parse(published().at(-1)?.Message ?? "{}");

  it("a shell session's end notice carries its CloudWatch stream and S3 key, with console links", async () => {
    // Prepare
    managePreferences();
    await grant("alice", "prod-web", "20261126-alice000");
    await deliver(fixture("start-session-assumed-role"));
    // Act
    await deliver(fixture("terminate-session"));
    // Assess
    const blocks = JSON.stringify(audits().at(-1)?.blocks);
    expect(blocks).toContain("/ssm-jit-access/production/sessions");
    expect(blocks).toContain(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fssm-jit-access$252Fproduction$252Fsessions/log-events/alice-0a1b2c3d4e5f60001",
    );
    expect(blocks).toContain("sessions/alice-0a1b2c3d4e5f60001.log");
    expect(endMessage().transcript).toEqual({
      kind: "logged",
      cloudWatch: expect.objectContaining({
        logGroup: "/ssm-jit-access/production/sessions",
        logStream: "alice-0a1b2c3d4e5f60001",
      }),
      s3: expect.objectContaining({
        bucket: "acme-session-logs",
        key: "sessions/alice-0a1b2c3d4e5f60001.log",
      }),
    });
  });

  it("routed to the requester, the session-ended DM carries the transcript too", async () => {
    // Prepare: session-ended notices routed to the requester as well (the default is audit and SNS)
    managePreferences();
    const routes = config.notices;
    config.notices = { ...routes, sessionEnded: ["audit", "requester", "sns"] };
    try {
      await grant("alice", "prod-web", "20261126-alice000");
      await deliver(fixture("start-session-assumed-role"));
      // Act
      await deliver(fixture("terminate-session"));
    } finally {
      config.notices = routes;
    }
    // Assess: the last DM to alice is the end notice, with the stream, its console link and the S3 key
    const dm = slack
      .of("chat.postMessage")
      .filter((m) => m.channel === PEOPLE.alice.slackUserId)
      .at(-1);
    const blocks = JSON.stringify(dm?.blocks);
    expect(blocks).toContain("/ssm-jit-access/production/sessions");
    expect(blocks).toContain(
      "log-group/$252Fssm-jit-access$252Fproduction$252Fsessions/log-events/alice-0a1b2c3d4e5f60001",
    );
    expect(blocks).toContain("sessions/alice-0a1b2c3d4e5f60001.log");
    expect(blocks).toEqual(JSON.stringify(audits().at(-1)?.blocks));
  });

  it("a port-forwarding session's end notice says it has no transcript", async () => {
    managePreferences();
    await grant("alice", "prod-web", "20261126-alice000");
    const start = fixture("start-session-assumed-role");
    start.detail.requestParameters.documentName = "AWS-StartPortForwardingSession";
    await deliver(start);
    await deliver(fixture("terminate-session"));
    expect(JSON.stringify(audits().at(-1)?.blocks)).toContain(
      "No transcript: Session Manager does not log AWS-StartPortForwardingSession sessions",
    );
    expect(endMessage().transcript).toEqual({
      kind: "not-logged",
      document: "AWS-StartPortForwardingSession",
    });
  });

  it("with unmanaged preferences and no configured location, the end notice says none is known", async () => {
    await grant("alice", "prod-web", "20261126-alice000");
    await deliver(fixture("start-session-assumed-role"));
    await deliver(fixture("terminate-session"));
    expect(JSON.stringify(audits().at(-1)?.blocks)).toContain("Transcript: none known");
    expect(endMessage().transcript).toMatchObject({ kind: "none-known" });
  });

  it("the grant's trail names the transcript, so jit show lists it", async () => {
    managePreferences();
    const request = await grant("alice", "prod-web", "20261126-alice000");
    await deliver(fixture("start-session-assumed-role"));
    await deliver(fixture("terminate-session"));
    const ended = (await auditTrail(h.deps, request.id)).find((e) => e.action === "session-ended");
    expect(ended?.detail?.transcript).toBe(
      "CloudWatch Logs /ssm-jit-access/production/sessions stream alice-0a1b2c3d4e5f60001 and s3://acme-session-logs/sessions/alice-0a1b2c3d4e5f60001.log",
    );
  });

  it("a session whose start was never seen takes its document from DescribeSessions", async () => {
    managePreferences();
    vi.spyOn(h.deps.sessions, "endedSessions").mockResolvedValue([
      {
        sessionId: "alice-0a1b2c3d4e5f60001",
        target: "i-0web1000000000001",
        owner: "arn:aws:sts::123456789012:assumed-role/jit-alice/alice",
        region: "eu-west-1",
        document: "AWS-StartSSHSession",
        endDate: "2026-11-26T09:30:00Z",
      },
    ]);
    await announceEndedSessions(h.deps, new Date("2026-11-26T09:00:00Z"));
    expect(endMessage().transcript).toEqual({ kind: "not-logged", document: "AWS-StartSSHSession" });
  });
});
