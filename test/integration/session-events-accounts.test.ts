/**
 * Issue 12, item 6: session events from the accounts of an organization, through the real Lambda
 * handler. The sandbox is the organization of test/helpers/accounts.ts (hub prod, staging, team-a);
 * alice's `staging` grant spans prod and staging. Events are CloudTrail's own shape (the fixtures),
 * moved to another account the way a spoke's forwarding rule delivers them: the envelope's `account`
 * and CloudTrail's `recipientAccountId` both name it.
 *
 * Each case is an attacker's question about one field: is a grant in prod taken for one in staging,
 * a node looked up in the wrong account, an unknown account's event recorded, a forged account field
 * believed, another account's session ended by a caller who names its id?
 */
import { readFileSync } from "node:fs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SnsNotifier } from "../../adapters/aws/sns.ts";
import { FanOutNotifier } from "../../adapters/fan-out.ts";
import type { SandboxNode } from "../../adapters/local/account.ts";
import { SlackNotifier } from "../../adapters/slack/notifier.ts";
import { accountLabel } from "../../core/accounts.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import type { AccessRequest } from "../../core/request.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { inAccount, resolveGrantTargets } from "../../core/usecases/in-account.ts";
import { announceEndedSessions } from "../../core/usecases/session-events.ts";
import { handler } from "../../functions/session-events.ts";
import { slackClient } from "../../functions/slack-client.ts";
import { type FakeSlack, startFakeSlack } from "../../local/fake-slack.ts";
import { PEOPLE } from "../fixtures/nodes.ts";
import {
  HUB,
  multiAccountConfig,
  STAGING,
  STAGING_ALICE,
  TEAM_A,
  TEAM_A_ALICE,
} from "../helpers/accounts.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";
import { aRequest } from "../helpers/requests.ts";

const HUB_ALICE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
/** A staging node of the hub (eu-west-1, Env=staging): the staging profile's tags, in prod. */
const HUB_STG = "i-0stg1000000000005";
const STG_WEST = "i-0aaa1000000000011";
/** A node in staging tagged like prod's web servers (Env=prod, App=web): prod-web's tags, in staging. */
const STG_PRODLIKE = "i-0aaa3000000000013";
const TEAM_A_NODE = "i-0bbb1000000000021";
const MEMBER_NODES: Record<string, SandboxNode[]> = {
  [STAGING]: [
    { id: STG_WEST, region: "eu-west-1", tags: { Env: "staging", App: "api" } },
    { id: STG_PRODLIKE, region: "eu-west-1", tags: { Env: "prod", App: "web" } },
  ],
  [TEAM_A]: [{ id: TEAM_A_NODE, region: "eu-west-1", tags: { Env: "staging", Owner: "team-a" } }],
};

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely to vary them
type Event = Record<string, any>;
const fixture = (name: string): Event =>
  JSON.parse(readFileSync(new URL(`../fixtures/cloudtrail/${name}.json`, import.meta.url), "utf8"));
const context = {} as Context;
const sns = mockClient(SNSClient);

let slack: FakeSlack;
let h: Harness;
let config: AccessConfig;

beforeAll(async () => {
  slack = await startFakeSlack();
  process.env.SLACK_API_URL = slack.url;
});
afterAll(async () => slack.stop());
beforeEach(async () => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m" });
  slack.calls.length = 0;
  config = multiAccountConfig();
  h = await startHarness({
    config,
    memberNodes: MEMBER_NODES,
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
            (id) => accountLabel(config, id),
          ),
        },
      ]),
  });
});
afterEach(async () => h.stop());

/** Alice's live grant of `profileId`, recorded in every account the profile spans, as the workflow does. */
async function grant(profileId: string, id: string): Promise<AccessRequest> {
  const profile = config.profiles[profileId];
  if (!profile) throw new Error(`no profile ${profileId}`);
  const grants = resolveGrantTargets(config, profile, PEOPLE.alice);
  const [first] = grants;
  if (!first) throw new Error(`profile ${profileId} spans no account`);
  const request = aRequest({
    id,
    requester: PEOPLE.alice,
    profileId,
    principal: first.principal,
    grants,
    status: "ACTIVE",
    reason: `alice needs ${profileId}`,
    grantedAt: "2026-11-26T09:00:00.000Z",
    expiresAt: "2026-11-26T10:00:00.000Z",
  });
  await h.deps.store.create(request);
  return request;
}

/**
 * A CloudTrail call made in `account` by `principal` (a role: its session is `alice`), as that
 * account's spoke forwards it. `recipient` lets a test make the two account fields disagree.
 */
function callIn(
  account: string,
  principal: string,
  options: { file?: string; target?: string; sessionId?: string; eventId?: string; recipient?: string } = {},
): Event {
  const event = fixture(options.file ?? "start-session-assumed-role");
  const callerAccount = principal.split(":")[4];
  const role = principal.split("/").pop();
  event.account = account;
  event.detail.recipientAccountId = options.recipient ?? account;
  event.detail.userIdentity.arn = `arn:aws:sts::${callerAccount}:assumed-role/${role}/alice`;
  event.detail.userIdentity.accountId = callerAccount;
  event.detail.userIdentity.sessionContext.sessionIssuer.arn = principal;
  event.detail.userIdentity.sessionContext.sessionIssuer.accountId = callerAccount;
  if (options.target) event.detail.requestParameters.target = options.target;
  if (options.sessionId) {
    event.detail.responseElements.sessionId = options.sessionId;
    if (event.detail.requestParameters.sessionId)
      event.detail.requestParameters.sessionId = options.sessionId;
  }
  event.detail.eventID =
    options.eventId ?? `${event.detail.eventName}-${account}-${options.sessionId ?? "s"}`;
  return event;
}

let delivered: Record<string, unknown>[] = [];
async function deliver(event: Event): Promise<{ outcome?: string; rejected?: string }> {
  const logs = captureLogs();
  try {
    return (await handler(event as never, context)) as { outcome?: string; rejected?: string };
  } finally {
    delivered = logs.lines();
    logs.restore();
  }
}
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const auditPosts = () =>
  slack
    .of("chat.postMessage")
    .filter((m) => m.channel === "C0AUDITLOG")
    .map((m) => JSON.stringify(m.blocks));
const alerts = () => h.deps.sessionLog.listAlerts();

describe("a session in one account is never explained by a grant in another", () => {
  // Written first (the attack). Before this change the hub ignored staging's events altogether; with
  // the account check alone it would have matched alice's prod principal against her prod grant and
  // looked the node up in the hub, where it does not exist, or, here, tied the staging node that
  // carries prod-web's tags to her prod-web grant.
  it("alice's prod principal in staging, holding prod-web in prod only: outside her grant, naming staging", async () => {
    // Prepare
    const request = await grant("prod-web", "20261126-alice000");
    const event = callIn(STAGING, HUB_ALICE, { target: STG_PRODLIKE, sessionId: "alice-0a1b2c3d4e5f6a001" });

    // Act
    const result = await deliver(event);

    // Assess
    expect(result).toEqual({ outcome: "outside-grant" });
    const [alert] = await alerts();
    expect(alert).toMatchObject({ kind: "outside-grant", target: STG_PRODLIKE });
    expect(alert?.detail).toContain(`which does not cover ${STG_PRODLIKE} in staging (444455556666)`);
    expect(alert?.detail).toContain("the grants are in prod (123456789012)");
    const record = await h.deps.sessionLog.getSession("alice-0a1b2c3d4e5f6a001");
    expect(record?.accountId).toBe(STAGING);
    expect(record?.requestId).toBeUndefined();
    expect((await auditTrail(h.deps, request.id)).map((e) => e.action)).not.toContain("session-started");
  });

  it("alice's staging principal, holding prod-web in prod only: no grant, naming staging", async () => {
    await grant("prod-web", "20261126-alice000");
    const event = callIn(STAGING, STAGING_ALICE, {
      target: STG_PRODLIKE,
      sessionId: "alice-0a1b2c3d4e5f6a002",
    });
    expect(await deliver(event)).toEqual({ outcome: "no-grant" });
    expect((await alerts())[0]?.detail).toBe(
      `arn:aws:sts::${STAGING}:assumed-role/jit-alice/alice started a session in staging (444455556666) while holding no grant: standing access outside this product`,
    );
  });

  it("a grant whose record spans staging, under a profile that no longer does: outside the grant", async () => {
    // Prepare: the grant was written in prod and staging; the profile now spans prod alone.
    await grant("staging", "20261126-alice000");
    const staging = config.profiles.staging;
    if (!staging) throw new Error("no staging profile");
    h.deps.config = {
      ...config,
      profiles: { ...config.profiles, staging: { ...staging, accounts: ["prod"] } },
    };
    const event = callIn(STAGING, STAGING_ALICE, { target: STG_WEST, sessionId: "alice-0a1b2c3d4e5f6a003" });

    // Act / Assess
    expect(await deliver(event)).toEqual({ outcome: "outside-grant" });
  });

  it("looks the node up in the session's account: a hub node's id in a staging event is not covered", async () => {
    // The hub has HUB_STG with the staging profile's tags; staging has no such node.
    await grant("staging", "20261126-alice000");
    const event = callIn(STAGING, STAGING_ALICE, { target: HUB_STG, sessionId: "alice-0a1b2c3d4e5f6a004" });
    expect(await deliver(event)).toEqual({ outcome: "outside-grant" });
  });
});

describe("a session in a member account under a grant there", () => {
  it("is started on alice's grant, recorded in staging, and every notice and audit event names staging", async () => {
    // Prepare
    const request = await grant("staging", "20261126-alice000");
    const sessionId = "alice-0a1b2c3d4e5f6b001";
    const event = callIn(STAGING, STAGING_ALICE, { target: STG_WEST, sessionId });

    // Act
    const result = await deliver(event);

    // Assess: the record, the grant's trail, Slack and SNS
    expect(result).toEqual({ outcome: "started" });
    expect(await h.deps.sessionLog.getSession(sessionId)).toMatchObject({
      accountId: STAGING,
      requestId: request.id,
      target: STG_WEST,
    });
    const started = (await auditTrail(h.deps, request.id)).find((e) => e.action === "session-started");
    expect(started?.detail).toMatchObject({
      sessionId,
      target: STG_WEST,
      accountId: STAGING,
      account: "staging (444455556666)",
    });
    expect(auditPosts()[0]).toContain(
      `Session started* · \`${sessionId}\` on \`${STG_WEST}\` (eu-west-1) in staging (444455556666)`,
    );
    const [message] = published();
    expect(JSON.parse(message?.Message ?? "{}")).toMatchObject({
      event: "session-started",
      accountId: STAGING,
      account: "staging",
      requestId: request.id,
    });
    expect(message?.MessageAttributes?.account).toEqual({ DataType: "String", StringValue: STAGING });
    expect(delivered).toContainEqual(
      expect.objectContaining({ message: "session event", accountId: STAGING, outcome: "started" }),
    );
  });

  it("its end from staging ends it there and names staging; a TerminateSession from team-a naming it does not", async () => {
    // Prepare: alice's session in staging is open.
    const request = await grant("staging", "20261126-alice000");
    const sessionId = "alice-0a1b2c3d4e5f6b002";
    await deliver(callIn(STAGING, STAGING_ALICE, { target: STG_WEST, sessionId }));

    // Act 1: someone in team-a terminates "that" session id (the id is theirs to write).
    const forged = callIn(TEAM_A, TEAM_A_ALICE, {
      file: "terminate-session",
      sessionId,
      eventId: "t-team-a",
    });
    const fromTeamA = await deliver(forged);

    // Assess 1: nothing ended, nothing announced, the reason logged
    expect(fromTeamA).toEqual({ outcome: "ignored" });
    expect((await h.deps.sessionLog.getSession(sessionId))?.endedAt).toBeUndefined();
    expect(published()).toHaveLength(1);
    expect(delivered).toContainEqual(
      expect.objectContaining({ level: "WARN", sessionId, accountId: TEAM_A, sessionAccountId: STAGING }),
    );

    // Act 2: alice ends it in staging.
    const end = await deliver(callIn(STAGING, STAGING_ALICE, { file: "terminate-session", sessionId }));

    // Assess 2
    expect(end).toEqual({ outcome: "ended" });
    expect((await h.deps.sessionLog.getSession(sessionId))?.endedAt).toBeDefined();
    const ended = (await auditTrail(h.deps, request.id)).find((e) => e.action === "session-ended");
    expect(ended?.detail).toMatchObject({ accountId: STAGING, account: "staging (444455556666)" });
    expect(auditPosts().at(-1)).toContain(`on \`${STG_WEST}\` (eu-west-1) in staging (444455556666)`);
  });

  it("the sweeper's pass over staging records a session that ended by exit there, naming staging", async () => {
    // Prepare: a staging session started under the grant, then ended by `exit` (no API call).
    const request = await grant("staging", "20261126-alice000");
    const member = h.organization.account(STAGING);
    const opened = member.openSession(`arn:aws:sts::${STAGING}:assumed-role/jit-alice/alice`, STG_WEST);
    await deliver(callIn(STAGING, STAGING_ALICE, { target: STG_WEST, sessionId: opened.sessionId }));
    h.clock.set("2026-11-26T09:35:00Z");
    member.exitSession(opened.sessionId);

    // Act: the sweeper calls it with staging's deps.
    const announced = await announceEndedSessions(
      inAccount(h.deps, STAGING),
      new Date("2026-11-26T09:00:00Z"),
    );

    // Assess
    expect(announced).toEqual([opened.sessionId]);
    expect(await h.deps.sessionLog.getSession(opened.sessionId)).toMatchObject({
      accountId: STAGING,
      endReason: "exit or idle timeout",
    });
    const ended = (await auditTrail(h.deps, request.id)).find((e) => e.action === "session-ended");
    expect(ended?.detail).toMatchObject({ accountId: STAGING, account: "staging (444455556666)" });
    expect(JSON.parse(published().at(-1)?.Message ?? "{}")).toMatchObject({
      event: "session-ended",
      accountId: STAGING,
    });
  });

  it("the sweeper's pass over the hub records a session that ended there in the hub", async () => {
    const hubOpened = h.account.openSession(
      "arn:aws:sts::123456789012:assumed-role/jit-alice/alice",
      HUB_STG,
    );
    h.account.exitSession(hubOpened.sessionId);
    await announceEndedSessions(h.deps, new Date("2026-11-26T09:00:00Z"));
    expect((await h.deps.sessionLog.getSession(hubOpened.sessionId))?.accountId).toBe(HUB);
  });
});

describe("the same principal's session in an account its grant does not span", () => {
  it("alice's staging principal in team-a, under her prod and staging grant: an alert naming team-a", async () => {
    // Prepare
    await grant("staging", "20261126-alice000");
    const sessionId = "alice-0a1b2c3d4e5f6c001";
    const event = callIn(TEAM_A, STAGING_ALICE, { target: TEAM_A_NODE, sessionId });

    // Act
    const result = await deliver(event);

    // Assess
    expect(result).toEqual({ outcome: "outside-grant" });
    const [alert] = await alerts();
    expect(alert?.detail).toContain(`which does not cover ${TEAM_A_NODE} in team-a (777788889999)`);
    expect(alert?.detail).toContain("the grants are in prod (123456789012), staging (444455556666)");
    expect(await h.deps.sessionLog.getSession(sessionId)).toMatchObject({ accountId: TEAM_A });
    expect(auditPosts()[0]).toContain("Session outside its grant");
    expect(auditPosts()[0]).toContain("in team-a (777788889999)");
    expect(JSON.parse(published()[0]?.Message ?? "{}")).toMatchObject({
      event: "session-alert",
      outcome: "outside-grant",
      accountId: TEAM_A,
      account: "team-a",
    });
  });

  it("alice's own team-a role, which her grant does not span: no grant, naming team-a", async () => {
    await grant("staging", "20261126-alice000");
    const event = callIn(TEAM_A, TEAM_A_ALICE, { target: TEAM_A_NODE, sessionId: "alice-0a1b2c3d4e5f6c002" });
    expect(await deliver(event)).toEqual({ outcome: "no-grant" });
    expect((await alerts())[0]?.detail).toContain("started a session in team-a (777788889999)");
  });
});

describe("events from accounts the configuration does not name", () => {
  it("are dropped with the reason logged: no claim, no record, no alert, no notice", async () => {
    // Prepare: the caller even uses alice's staging principal and her grant is live.
    await grant("staging", "20261126-alice000");
    const sessionId = "alice-0a1b2c3d4e5f6d001";
    const event = callIn("999999999999", STAGING_ALICE, { target: STG_WEST, sessionId });

    // Act
    const result = await deliver(event);

    // Assess
    expect(result).toEqual({ outcome: "ignored" });
    expect(delivered).toContainEqual(
      expect.objectContaining({
        level: "WARN",
        accountId: "999999999999",
        eventId: event.detail.eventID,
        reason: "the account is neither the hub nor one of the configuration's accounts",
      }),
    );
    expect(await h.deps.sessionLog.getSession(sessionId)).toBeUndefined();
    expect(await alerts()).toEqual([]);
    expect(published()).toEqual([]);
    expect(await h.deps.sessionLog.claimEvent(event.detail.eventID)).toBe(true);
  });
});

describe("an event whose account fields disagree", () => {
  it.each([
    ["staging's envelope, the hub as recipient", STAGING, HUB],
    ["the hub's envelope, staging as recipient", HUB, STAGING],
    ["a named account's envelope, an unknown recipient", TEAM_A, "999999999999"],
  ])("is refused with the reason logged, nothing recorded: %s", async (_name, account, recipient) => {
    // Prepare: alice's grant would explain the session in either account.
    await grant("staging", "20261126-alice000");
    const sessionId = "alice-0a1b2c3d4e5f6e001";
    const event = callIn(account, STAGING_ALICE, { target: STG_WEST, sessionId, recipient });

    // Act
    const result = await deliver(event);

    // Assess
    expect(result.rejected).toContain("detail.recipientAccountId: differs from the event's account");
    expect(delivered).toContainEqual(
      expect.objectContaining({
        level: "ERROR",
        message: "rejected malformed event",
        handler: "session-events",
      }),
    );
    expect(await h.deps.sessionLog.getSession(sessionId)).toBeUndefined();
    expect(await alerts()).toEqual([]);
    expect(published()).toEqual([]);
  });

  it.each([
    ["an account that is not 12 digits", (e: Event) => (e.account = "44445555666")],
    ["an account with a space", (e: Event) => (e.account = `${STAGING} `)],
    ["a recipient that is not an account", (e: Event) => (e.detail.recipientAccountId = "staging")],
  ])("is refused: %s", async (_name, spoil) => {
    const event = callIn(STAGING, STAGING_ALICE, { target: STG_WEST, sessionId: "alice-0a1b2c3d4e5f6e002" });
    spoil(event);
    expect((await deliver(event)).rejected).toMatch(/is not a 12-digit AWS account id/);
  });

  it("an event without recipientAccountId is taken in the envelope's account", async () => {
    await grant("staging", "20261126-alice000");
    const sessionId = "alice-0a1b2c3d4e5f6e003";
    const event = callIn(STAGING, STAGING_ALICE, { target: STG_WEST, sessionId });
    delete event.detail.recipientAccountId;
    expect(await deliver(event)).toEqual({ outcome: "started" });
    expect((await h.deps.sessionLog.getSession(sessionId))?.accountId).toBe(STAGING);
  });
});
