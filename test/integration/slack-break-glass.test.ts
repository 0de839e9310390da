/**
 * Break-glass and on-call through Slack, end to end: signed requests to the real Lambda handler, the
 * fake Slack Web API on 127.0.0.1, the real workflow on the sandbox. `/access … --break-glass` and the
 * modal's checkbox grant at once and tell the audit channel and every approver; "Reviewed: OK" and
 * "Revoke" are authorized on the server (approvers only, not the requester); a replayed click is
 * harmless.
 */
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PagerDutyOnCall } from "../../adapters/oncall/pagerduty.ts";
import { SlackNotifier } from "../../adapters/slack/notifier.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import { handler } from "../../functions/slack.ts";
import { slackClient } from "../../functions/slack-client.ts";
import { startFakePagerDuty } from "../../local/fake-oncall.ts";
import { type FakeSlack, startFakeSlack } from "../../local/fake-slack.ts";
import { parseSchedule } from "../../local/oncall-schedule.ts";
import { exampleConfig } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import {
  buttonClick,
  interaction,
  SIGNING_SECRET,
  signedEvent,
  slashCommand,
  viewSubmission,
} from "../helpers/slack-requests.ts";

const ALICE = "U01ALICE";
const BOB = "U02BOB";
const DAVE = "U03DAVE";
const ERIN = "U04ERIN";
const AUDIT = "C0AUDITLOG";
const REASON = "checkout is down and nobody answers the pager";
const context = {} as Context;

function config(): AccessConfig {
  const c = exampleConfig();
  const web = c.profiles["prod-web"];
  if (!web) throw new Error("example config has no prod-web");
  c.profiles["web-bg"] = {
    ...web,
    id: "web-bg",
    breakGlass: { maxDuration: "1h", reviewWindow: "24h", reminderInterval: "4h" },
  };
  return c;
}

let slack: FakeSlack;
let h: Harness;
beforeAll(async () => {
  slack = await startFakeSlack({
    emails: { [ALICE]: "alice@example.com", [BOB]: "bob@example.com", [DAVE]: "dave@example.com" },
  });
  process.env.SLACK_SIGNING_SECRET = SIGNING_SECRET;
  process.env.SLACK_BOT_TOKEN = "xoxb-test-token";
  process.env.SLACK_API_URL = slack.url;
});
afterAll(async () => slack.stop());
beforeEach(async () => {
  slack.calls.length = 0;
  h = await startHarness({
    config: config(),
    notifier: ({ store, sessions, config }) =>
      new SlackNotifier({ client: slackClient("xoxb-test-token"), config, store, sessions }),
  });
});
afterEach(async () => h.stop());

type Response = { statusCode: number; body: string };
const send = async (body: string) => (await handler(signedEvent(body) as never, context)) as Response;
const text = (r: Response) => String((JSON.parse(r.body || "{}") as { text?: string }).text);
/** What the clicker was told (an ephemeral in a channel, a DM from a view). */
const toldTo = (user: string) =>
  slack
    .of("chat.postMessage")
    .concat(slack.of("chat.postEphemeral"))
    .filter((m) => m.channel === user || m.user === user)
    .map((m) => String(m.text));

/** Polls until `find` returns something (a notice is posted after the status it follows). */
async function eventually<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("never happened");
}

async function breakGlassViaCommand(words: string) {
  const reply = text(await send(slashCommand(BOB, words)));
  const id = /`(\d{8}-[0-9a-z]{8})`/.exec(reply)?.[1];
  return { id, reply };
}

describe("on call in Slack", () => {
  it("an on-call requester is granted at once; the approvers get an FYI whose Revoke works for them only", async () => {
    // Prepare: alice (mapped by Slack ID; her email comes from Slack) is on call in PWEBPRI
    const schedule = parseSchedule({
      pagerduty: {
        users: [{ id: "PALICE1", name: "Alice", email: "alice@example.com" }],
        oncalls: [
          {
            user: "PALICE1",
            escalationPolicy: "PWEBPOL",
            level: 1,
            schedule: "PWEBPRI",
            start: "-1h",
            end: "+8h",
          },
        ],
      },
    });
    const pd = await startFakePagerDuty({ schedule: () => schedule, token: "t", now: () => h.clock.now() });
    h.deps.onCall = { pagerduty: new PagerDutyOnCall({ token: "t", apiUrl: pd.url, timeoutMs: 1000 }) };
    try {
      // Act
      const reply = text(await send(slashCommand(ALICE, "prod-web 1h INC-7 pager says checkout is slow")));
      // Assess
      expect(reply).toContain("you are on call, so it is granted now");
      const id = /`(\d{8}-[0-9a-z]{8})`/.exec(reply)?.[1] ?? "";
      await h.waitForStatus(id, "ACTIVE");
      const fyi = slack
        .of("chat.postMessage")
        .filter((m) => JSON.stringify(m.blocks ?? "").includes("on_call_revoke"));
      expect(fyi.map((m) => m.channel).sort()).toEqual(["U03DAVE", "U04ERIN", "U0ADMIN01"]);
      expect(JSON.stringify(fyi[0]?.blocks)).toContain("Approved as on call");
      expect(
        slack
          .of("chat.postMessage")
          .some((m) => m.channel === AUDIT && String(m.text).includes("ON-CALL APPROVED")),
      ).toBe(true);
      // Act: the requester cannot, an approver can
      await send(buttonClick(ALICE, "on_call_revoke", id));
      expect(toldTo(ALICE).join("\n")).toContain("cannot review or revoke your own grant");
      await send(buttonClick(DAVE, "on_call_revoke", id));
      expect(await h.deps.store.get(id)).toMatchObject({ status: "REVOKED", endedBy: DAVE });
      // Assess, after the revoke (which races the grant's expiry in simulated time): the requester's
      // "access active" DM says why no approver was asked: on call, where, until when.
      const granted = await eventually(() =>
        slack
          .of("chat.postMessage")
          .find((m) => m.channel === ALICE && String(m.text).startsWith("Access active: prod-web")),
      );
      const shiftEnd = Math.floor(Date.parse("2026-11-26T17:00:00Z") / 1000);
      expect(JSON.stringify(granted.blocks)).toContain(
        ` Approved as on call (PagerDuty schedule PWEBPRI, level 1, on call until <!date^${shiftEnd}^`,
      );
    } finally {
      await pd.stop();
    }
  });
});

describe("break-glass in Slack", () => {
  it("/access <profile> <duration> --break-glass <reason> grants at once and tells the audit channel and every approver", async () => {
    // Act
    const { id, reply } = await breakGlassViaCommand(`web-bg 30m INC-9 --break-glass ${REASON}`);
    // Assess
    expect(reply).toContain("break-glass: granting now");
    if (!id) throw new Error(reply);
    await h.waitForStatus(id, "ACTIVE");
    const posts = slack.of("chat.postMessage");
    expect(posts.some((m) => m.channel === AUDIT && String(m.text).includes("BREAK-GLASS"))).toBe(true);
    const dms = posts.filter((m) => JSON.stringify(m.blocks ?? "").includes("break_glass_reviewed_ok"));
    expect(dms.map((m) => m.channel).sort()).toEqual(["U03DAVE", "U04ERIN", "U0ADMIN01"]);
    expect(JSON.stringify(dms[0]?.blocks)).toContain(`"value":"${id}"`);
    const granted = await eventually(() =>
      slack
        .of("chat.postMessage")
        .find((m) => m.channel === BOB && String(m.text).startsWith("Access active")),
    );
    expect(JSON.stringify(granted.blocks)).toContain(
      "*Break-glass*: the approvers and the audit channel were told",
    );
  });

  it("'Reviewed: OK' from the requester or a non-approver changes nothing; from an approver it closes; a replay is harmless", async () => {
    // Prepare: dave (an approver) breaks the glass himself; bob is no approver
    const reply = text(await send(slashCommand(DAVE, `web-bg --break-glass INC-9 ${REASON}`)));
    const id = /`(\d{8}-[0-9a-z]{8})`/.exec(reply)?.[1] ?? "";
    await h.waitForStatus(id, "ACTIVE");
    // Act / Assess
    await send(buttonClick(DAVE, "break_glass_reviewed_ok", id));
    expect(toldTo(DAVE).join("\n")).toContain("cannot review or revoke your own grant");
    await send(buttonClick(BOB, "break_glass_revoke", id));
    expect(toldTo(BOB).join("\n")).toContain("not an approver of the web-bg profile");
    expect((await h.deps.store.get(id))?.review).toBeUndefined();
    await send(buttonClick(ERIN, "break_glass_reviewed_ok", id));
    expect((await h.deps.store.get(id))?.review).toMatchObject({ outcome: "ok", by: ERIN });
    await send(buttonClick("U0ADMIN01", "break_glass_revoke", id));
    expect(toldTo("U0ADMIN01").join("\n")).toContain("was already reviewed");
    const after = await h.deps.store.get(id);
    expect(after?.review).toMatchObject({ outcome: "ok", by: ERIN });
    expect(after?.endedBy).not.toBe("U0ADMIN01");
  });

  it.each([
    [`web-bg 30m INC-9 --break-glass site down`, "at least 20 characters"],
    [
      `web-bg 3h INC-9 --break-glass ${REASON}`,
      "longer than break-glass allows on the web-bg profile (at most 1h)",
    ],
    [`prod-db 30m --break-glass ${REASON}`, "the prod-db profile does not allow break-glass"],
    ["web-bg --break-glass", "Say why"],
  ])("refuses %s", async (words, message) => {
    const { reply } = await breakGlassViaCommand(words);
    expect(reply).toContain(message);
    expect(await h.deps.store.listByRequester(BOB)).toEqual([]);
  });

  it("the modal offers the checkbox and a ticked box asks for break-glass", async () => {
    // Prepare: the modal's checkbox, as Slack sends a ticked one
    const body = new URLSearchParams(
      viewSubmission(BOB, "access_request", {
        profile: "web-bg",
        duration: "30m",
        reason: REASON,
        ticket: "INC-9",
      }),
    );
    const payload = JSON.parse(body.get("payload") ?? "{}");
    payload.view.state.values.break_glass = {
      value: {
        type: "checkboxes",
        selected_options: [{ value: "break-glass", text: { type: "plain_text", text: "x" } }],
      },
    };
    // Act
    const response = await send(interaction(payload));
    // Assess
    expect(response.statusCode).toBe(200);
    const [request] = await h.deps.store.listByRequester(BOB);
    expect(request?.breakGlass).toBeDefined();
    await h.waitForStatus(request?.id ?? "", "ACTIVE");
  });

  it("a ticked box over the break-glass maximum is refused on the duration field", async () => {
    const body = new URLSearchParams(
      viewSubmission(BOB, "access_request", {
        profile: "web-bg",
        duration: "4h",
        reason: REASON,
        ticket: "INC-9",
      }),
    );
    const payload = JSON.parse(body.get("payload") ?? "{}");
    payload.view.state.values.break_glass = {
      value: { type: "checkboxes", selected_options: [{ value: "break-glass" }] },
    };
    const response = await send(interaction(payload));
    expect(JSON.parse(response.body)).toMatchObject({
      response_action: "errors",
      errors: { duration: expect.stringContaining("longer than break-glass allows") },
    });
  });
});
