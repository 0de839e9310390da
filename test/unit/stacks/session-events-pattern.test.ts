/**
 * The EventBridge rules' patterns let exactly the session calls through (checked on the fixtures),
 * and the hub's rule takes them from the hub and every account the config names (issue 12), not from
 * the hub alone and not from the organization's other accounts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { AccessConfig } from "../../../core/config/load.ts";
import { hubSessionEventPattern, SESSION_EVENT_PATTERN } from "../../../stacks/session-event-pattern.ts";
import { HUB, multiAccountConfig, STAGING, TEAM_A } from "../../helpers/accounts.ts";
import { exampleConfig } from "../../helpers/config.ts";

type Json = Record<string, unknown>;

/** EventBridge's matching for the pattern forms used here: arrays of exact values, nested objects. */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = event[key];
    if (Array.isArray(expected)) return expected.includes(value);
    return typeof value === "object" && value !== null && matches(expected as Json, value as Json);
  });
}

const { detailType, ...rest } = SESSION_EVENT_PATTERN;
const pattern: Json = { ...rest, "detail-type": detailType };
const dir = new URL("../../fixtures/cloudtrail/", import.meta.url);
const fixtures = readdirSync(dir).map(
  (f) => [f, JSON.parse(readFileSync(new URL(f, dir), "utf8"))] as [string, Json],
);
/** A fixture as a member's spoke forwards it: EventBridge's `account` is the member's. */
const fromAccount = (event: Json, account: string): Json => ({ ...structuredClone(event), account });

describe("the session events rule", () => {
  it.each(fixtures)("lets %s through", (_name, event) => {
    expect(matches(pattern, event)).toBe(true);
  });

  it("keeps other SSM calls out", () => {
    const [, event] = fixtures[0] as [string, Json];
    const other = structuredClone(event) as { detail: Json };
    other.detail.eventName = "SendCommand";
    expect(matches(pattern, other)).toBe(false);
  });
});

describe("the hub's rule (several accounts)", () => {
  const hub = hubSessionEventPattern(multiAccountConfig()) as Json;

  it.each([
    ["the hub", HUB],
    ["staging", STAGING],
    ["team-a", TEAM_A],
  ])("lets every session call from %s through", (_name, account) => {
    for (const [, event] of fixtures) expect(matches(hub, fromAccount(event, account))).toBe(true);
  });

  it("keeps out an organization account the config does not name, and other SSM calls", () => {
    const [, event] = fixtures[0] as [string, Json];
    expect(matches(hub, fromAccount(event, "999999999999"))).toBe(false);
    const other = fromAccount(event, STAGING) as { detail: Json };
    other.detail.eventName = "SendCommand";
    expect(matches(hub, other)).toBe(false);
  });

  it("is the calls pattern in EventBridge's form plus the accounts, each once", () => {
    expect(hub).toEqual({
      source: ["aws.ssm"],
      "detail-type": ["AWS API Call via CloudTrail"],
      account: [HUB, STAGING, TEAM_A],
      detail: SESSION_EVENT_PATTERN.detail,
    });
  });

  it("with a config of one account, takes the hub's calls only", () => {
    const single: AccessConfig = { ...exampleConfig(), accounts: undefined };
    expect(hubSessionEventPattern(single).account).toEqual([single.accountId]);
  });
});

/** SST's `sst.aws.Bus.subscribe`, as far as stacks/session-events.ts uses it: each call recorded. */
const subscriptions: { name: string; bus: unknown; subscriber: unknown; args: Json }[] = [];
afterEach(() => {
  subscriptions.length = 0;
  delete (globalThis as Record<string, unknown>).sst;
});
/** Imported by a path tsc does not follow (SST's types come from `npm run check:infra`). */
const SESSION_EVENTS_STACK: string = "../../../stacks/session-events.ts";
const { subscribeSessionEvents } = (await import(SESSION_EVENTS_STACK)) as {
  subscribeSessionEvents: (fn: { arn: string }, config: AccessConfig, home: string) => unknown;
};

describe("the hub's subscription (stacks/session-events.ts)", () => {
  it("puts the accounts on the rule itself: SST's pattern carries only source, detail-type and detail", () => {
    // Prepare
    Object.assign(globalThis, {
      sst: {
        aws: {
          Bus: {
            subscribe: (name: string, bus: unknown, subscriber: unknown, args: Json) =>
              subscriptions.push({ name, bus, subscriber, args }),
          },
        },
      },
    });
    const config = multiAccountConfig();

    // Act
    subscribeSessionEvents(
      { arn: "arn:aws:lambda:eu-west-1:123456789012:function:session-events" },
      config,
      "eu-west-1",
    );

    // Assess: the rule SST makes is the pattern with its fields, then the transform's (merged over them).
    const [subscription] = subscriptions;
    expect(subscription?.bus).toBe("arn:aws:events:eu-west-1:123456789012:event-bus/default");
    const transform = subscription?.args.transform as { rule: { eventPattern: string } };
    const rule = JSON.parse(transform.rule.eventPattern) as Json;
    expect(rule).toEqual(hubSessionEventPattern(config));
    expect(rule.account).toEqual([HUB, STAGING, TEAM_A]);
  });
});
