/**
 * Slack end to end: correctly signed requests shaped like Slack's go to the real Lambda handler
 * (Bolt's AwsLambdaReceiver); the Web API is a fake on 127.0.0.1 that records every call; behind it
 * the real workflow runs on the sandbox.
 */
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SlackNotifier } from "../../adapters/slack/notifier.ts";
import { handler } from "../../functions/slack.ts";
import { slackClient } from "../../functions/slack-client.ts";
import { type FakeSlack, startFakeSlack } from "../../local/fake-slack.ts";
import { NODE } from "../fixtures/nodes.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";
import {
  buttonClick,
  eventCallback,
  SIGNING_SECRET,
  signedEvent,
  slashCommand,
  viewSubmission,
} from "../helpers/slack-requests.ts";

const ALICE = "U01ALICE";
const DAVE = "U03DAVE";
const ERIN = "U04ERIN";
const APPROVALS = "C0APPROVALS";
const context = {} as Context;

let slack: FakeSlack;
let h: Harness;

beforeAll(async () => {
  slack = await startFakeSlack({
    emails: {
      [ALICE]: "alice@example.com",
      U03DAVE: "dave@example.com",
      U06CAROL: "carol@example.com",
      U09DAN: "dan@example.com",
    },
  });
  process.env.SLACK_SIGNING_SECRET = SIGNING_SECRET;
  process.env.SLACK_BOT_TOKEN = "xoxb-test-token";
  process.env.SLACK_API_URL = slack.url;
});
afterAll(async () => slack.stop());
beforeEach(async () => {
  slack.calls.length = 0;
  h = await startHarness({
    notifier: ({ store, sessions, config }) =>
      new SlackNotifier({ client: slackClient("xoxb-test-token"), config, store, sessions }),
  });
});
afterEach(async () => {
  await h.stop();
  vi.restoreAllMocks();
});

type Response = { statusCode: number; body: string };
const send = async (body: string, options: Parameters<typeof signedEvent>[1] = {}) =>
  (await handler(signedEvent(body, options) as never, context)) as Response;
const json = (r: Response) => JSON.parse(r.body || "{}") as Record<string, unknown>;

/** Waits until the approvals message for a request is posted, and returns where it is. */
async function approvalPosted(requestId: string) {
  const record = await h.waitFor(requestId, (r) => r.approvalMessage !== undefined);
  return record.approvalMessage as { channel: string; ts: string };
}

async function requestViaCommand(text: string, user = ALICE) {
  const response = await send(slashCommand(user, text));
  expect(response.statusCode).toBe(200);
  const reply = String(json(response).text);
  const id = /`(\d{8}-[0-9a-z]{8})`/.exec(reply)?.[1];
  if (!id) throw new Error(`no request id in ${reply}`);
  return { id, reply };
}

describe("requesting", () => {
  it("takes a direct /access request, records it and asks the approvers", async () => {
    // Act
    const { id, reply } = await requestViaCommand("prod-web 1h INC-123 disk full on web-3");
    const message = await approvalPosted(id);

    // Assess
    expect(reply).toContain("for *prod-web* (1h): the approvers have been asked");
    expect(await h.deps.store.get(id)).toMatchObject({
      status: "PENDING",
      ticket: "INC-123",
      reason: "disk full on web-3",
    });
    const posted = slack.of("chat.postMessage").find((m) => m.channel === APPROVALS);
    expect(message.channel).toBe(APPROVALS);
    const blocks = JSON.stringify(posted?.blocks);
    expect(blocks).toContain("<@U01ALICE>* asks for *prod-web* for *1h*");
    expect(blocks).toContain("Env=prod and App=web");
    expect(blocks).toContain("2 nodes match right now");
    expect(blocks).toContain('"action_id":"approve"');
    expect(blocks).toContain(`"value":"${id}"`);
  });

  it("answers with a specific message for a request it refuses, and records nothing", async () => {
    const cases: [string, string][] = [
      ["prod-web 9h INC-1 long job", "9h is over the maximum 4h"],
      ["prod-web 1h no ticket here", "needs a ticket matching"],
      ["nope 1h x", 'No profile or command "nope"'],
      ["prod-web", "Say for how long"],
    ];
    for (const [text, message] of cases) {
      const response = await send(slashCommand(ALICE, text));
      expect(json(response)).toMatchObject({ response_type: "ephemeral" });
      expect(String(json(response).text)).toContain(message);
    }
    expect(await h.deps.store.listByRequester(ALICE)).toEqual([]);
  });

  it("never creates a second request when Slack retries the same command", async () => {
    const body = slashCommand(ALICE, "staging 2h check logs", "trigger-retry-1");
    const first = await send(body);
    const retry = await send(body, { retryNum: 1 });
    expect(json(retry).text).toBe(json(first).text);
    expect(await h.deps.store.listByRequester(ALICE)).toHaveLength(1);
  });

  it("opens the modal with only the profiles this user may request, and shows field errors in it", async () => {
    await send(slashCommand(ALICE, ""));
    const view = slack.of("views.open")[0]?.view as {
      callback_id: string;
      blocks: { block_id: string; element: { options?: { value: string }[] } }[];
    };
    expect(view.callback_id).toBe("access_request");
    expect(view.blocks.find((b) => b.block_id === "profile")?.element.options?.map((o) => o.value)).toEqual([
      "prod-web",
      "prod-db",
      "staging",
      "sandbox",
      "web-release",
      "lab",
    ]);

    const bad = await send(
      viewSubmission(ALICE, "access_request", {
        profile: "prod-web",
        duration: "8h",
        reason: "x",
        ticket: "INC-1",
      }),
    );
    expect(json(bad)).toEqual({
      response_action: "errors",
      // Every problem at once; the modal shows them at the first field's block.
      errors: {
        duration:
          '8h is over the maximum 4h; the reason "x" is too short: the prod-web profile needs at least 3 characters',
      },
    });
    const noTicket = await send(
      viewSubmission(ALICE, "access_request", { profile: "prod-web", duration: "1h", reason: "disk" }),
    );
    expect(json(noTicket)).toMatchObject({
      response_action: "errors",
      errors: { ticket: expect.stringContaining("needs a ticket") },
    });
    expect(await h.deps.store.listByRequester(ALICE)).toEqual([]);

    const good = await send(
      viewSubmission(ALICE, "access_request", { profile: "staging", duration: "2h", reason: "logs" }),
    );
    expect(good.statusCode).toBe(200);
    expect(await h.deps.store.listByRequester(ALICE)).toHaveLength(1);
  });

  it("answers help, list and unknown words", async () => {
    expect(String(json(await send(slashCommand(ALICE, "help"))).text)).toContain(
      "/access <profile> <duration>",
    );
    expect(json(await send(slashCommand(ALICE, "list"))).text).toBe("You have no requests yet.");
    await requestViaCommand("staging 1h tail logs");
    expect(String(json(await send(slashCommand(ALICE, "list"))).text)).toMatch(/\*staging\* pending/);
  });
});

describe("approving", () => {
  it("an approver's click grants; the message shows who decided, and the requester is told every step", async () => {
    // Prepare
    const { id } = await requestViaCommand("prod-web 1h INC-7 deploy hotfix");
    const message = await approvalPosted(id);

    // Act
    const response = await send(buttonClick(DAVE, "approve", id, message));
    await h.workflow.settled(id);

    // Assess
    expect(response.statusCode).toBe(200);
    const update = slack.of("chat.update").find((u) => u.ts === message.ts);
    expect(JSON.stringify(update?.blocks)).toContain("Approved by <@U03DAVE>");
    expect(JSON.stringify(update?.blocks)).not.toContain('"action_id":"approve"');
    const dms = slack
      .of("chat.postMessage")
      .filter((m) => m.channel === ALICE)
      .map((m) => String(m.text));
    expect(dms).toEqual([
      "Approved: prod-web",
      "Access active: prod-web until 2026-11-26T10:00:00.000Z",
      "Access to prod-web ends at 2026-11-26T10:00:00.000Z",
      "Revoked: prod-web",
    ]);
    const granted = JSON.stringify(
      slack.of("chat.postMessage").find((m) => String(m.text).startsWith("Access active"))?.blocks,
    );
    expect(granted).toContain(`aws ssm start-session --target ${NODE.web1} --region eu-west-1`);
    expect(granted).toContain("<!date^1795687200^{date_short_pretty} at {time}|2026-11-26 10:00 UTC>");
    const audit = slack
      .of("chat.postMessage")
      .filter((m) => m.channel === "C0AUDITLOG")
      .map((m) => String(m.text).split(" ")[0]);
    expect(audit).toEqual(["REQUESTED", "APPROVED", "GRANTED", "REVOKED"]);
  });

  it("refuses, with an ephemeral reason and no change, a non-approver, the requester, a second vote and a stale click", async () => {
    const db = await requestViaCommand("prod-db 30m replica lag", "U06CAROL");
    const dbMessage = await approvalPosted(db.id);
    const web = await requestViaCommand("prod-web 1h INC-9 self", DAVE);
    const webMessage = await approvalPosted(web.id);

    await send(buttonClick(ALICE, "approve", db.id, dbMessage));
    await send(buttonClick(DAVE, "approve", web.id, webMessage));
    await send(buttonClick(DAVE, "approve", db.id, dbMessage));
    await send(buttonClick(DAVE, "approve", db.id, dbMessage));

    const ephemeral = slack.of("chat.postEphemeral").map((e) => `${e.user}: ${e.text}`);
    expect(ephemeral).toEqual([
      "U01ALICE: :no_entry: you are not an approver of the prod-db profile",
      "U03DAVE: :no_entry: the prod-web profile does not allow approving your own request",
      "U03DAVE: :no_entry: you have already approved this request; another approver is needed",
    ]);
    const record = await h.deps.store.get(db.id);
    expect(record?.status).toBe("PENDING");
    expect(record?.approvals.map((a) => a.approver)).toEqual([DAVE]);
    const progress = slack.of("chat.update").find((u) => u.ts === dbMessage.ts);
    expect(JSON.stringify(progress?.blocks)).toContain("1 of 2 approvals: <@U03DAVE>");

    // A deny, then a stale approve on the denied request.
    await send(buttonClick(ERIN, "deny", db.id, dbMessage));
    const denyView = slack.of("views.open").at(-1)?.view as { private_metadata: string };
    await send(
      viewSubmission(
        ERIN,
        "deny_reason",
        { deny_reason: "use the replica dashboard" },
        denyView.private_metadata,
      ),
    );
    await send(buttonClick("U05FRANK", "approve", db.id, dbMessage));
    expect(slack.of("chat.postEphemeral").at(-1)).toMatchObject({
      user: "U05FRANK",
      text: ":no_entry: this request is already denied; nothing was changed",
    });
    expect((await h.deps.store.get(db.id))?.status).toBe("DENIED");
    // The denial is announced by the workflow's "Announce closure", after the click was answered.
    await h.workflow.settled(db.id);
    const dm = slack
      .of("chat.postMessage")
      .find((m) => m.channel === "U06CAROL" && String(m.text).startsWith("Denied"));
    expect(JSON.stringify(dm?.blocks)).toContain("denied by <@U04ERIN>: use the replica dashboard");
  });
});

describe("signatures", () => {
  const body = () => slashCommand(ALICE, "staging 1h forged");
  it.each([
    ["a bad signature", () => signedEvent(body(), { secret: "not-the-secret" })],
    [
      "a tampered body",
      () => {
        const event = signedEvent(body());
        return { ...event, body: event.body.replace("staging", "prod-web") };
      },
    ],
    [
      "a timestamp more than 5 minutes old",
      () => signedEvent(body(), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }),
    ],
    [
      // Bolt's receiver checks only the past; Slack's guide refuses five minutes either way.
      "a timestamp more than 5 minutes ahead",
      () => signedEvent(body(), { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }),
    ],
    [
      "missing signature headers",
      () => {
        const event = signedEvent(body());
        const { "x-slack-signature": _s, "x-slack-request-timestamp": _t, ...headers } = event.headers;
        return { ...event, headers };
      },
    ],
  ])("refuses %s with 401 and records nothing", async (_name, make) => {
    const response = (await handler(make() as never, context)) as Response;
    expect(response.statusCode).toBe(401);
    expect(await h.deps.store.listByRequester(ALICE)).toEqual([]);
    expect(slack.calls).toEqual([]);
  });
});

describe("following", () => {
  it("revokes from the DM button and publishes App Home", async () => {
    let revokeClicked = false;
    await h.stop();
    h = await startHarness({
      notifier: ({ store, sessions, config }) =>
        new SlackNotifier({ client: slackClient("xoxb-test-token"), config, store, sessions }),
      wrap: (state, task) =>
        state === "Warn expiry is near"
          ? async (input) => {
              if (!revokeClicked) {
                revokeClicked = true;
                const home = await send(
                  eventCallback({
                    type: "app_home_opened",
                    user: ALICE,
                    channel: "D0ALICE",
                    tab: "home",
                    event_ts: "1764147600.1",
                  }),
                  { contentType: "application/json" },
                );
                expect(home.statusCode).toBe(200);
                await send(buttonClick(ALICE, "revoke_now", String(input.requestId)));
              }
              return task(input);
            }
          : task,
    });
    const { id } = await requestViaCommand("sandbox 1h playing");
    await h.workflow.settled(id);
    const home = slack.of("views.publish")[0] as { user_id: string; view: { blocks: unknown[] } };
    expect(home.user_id).toBe(ALICE);
    expect(JSON.stringify(home.view.blocks)).toContain(`*sandbox* · \`${id}\``);
    expect(await h.deps.store.get(id)).toMatchObject({ status: "REVOKED", endedBy: ALICE });
    expect(
      slack
        .of("chat.postMessage")
        .filter((m) => m.channel === ALICE)
        .map((m) => m.text),
    ).toContain(`:lock: Revoked \`${id}\`; its policy is being removed and its live sessions closed.`);
    // The click only settled the record; the sync execution it started removed the policy.
    await h.workflow.quiescent();
    expect(h.account.leftoverGrants()).toEqual([]);
  });

  it("keeps the request when Slack fails to post: the record and the workflow are the truth", async () => {
    const errors = captureLogs("error");
    slack.failNext("chat.postMessage", "internal_error", 20);
    const { id } = await requestViaCommand("sandbox 30m still works");
    expect((await h.workflow.settled(id)).status).toBe("SUCCEEDED");
    expect((await h.deps.store.get(id))?.status).toBe("REVOKED");
    // Each failed post is logged with its request, and only that.
    expect(errors.lines().length).toBeGreaterThan(0);
    for (const line of errors.lines()) {
      expect(line).toMatchObject({
        level: "ERROR",
        requestId: id,
        error: expect.stringContaining("internal_error"),
      });
    }
  });
});
