/**
 * Grant slots, pure: what a grant adds to a slot, how slots fill and empty, and the refusal when none
 * has room. Before slots existed (691944f) the shared role got an inline `jit-<id>` policy, which AWS
 * refuses on Identity Center roles; a config naming such a role in principals.map was accepted.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkConfig } from "../../../core/config/load.ts";
import { ConfigError, QuotaExceededError } from "../../../core/errors.ts";
import { buildGrantPolicy, type PolicyDocument, policySize } from "../../../core/policy.ts";
import { type Principal, resolvePrincipal } from "../../../core/principal.ts";
import {
  basePolicyDocument,
  chooseSlot,
  emptySlot,
  grantsInSlot,
  MANAGED_POLICY_QUOTA,
  PLACEHOLDER,
  requestIdOfSid,
  slotArns,
  slotStatements,
  withGrant,
  withoutGrant,
} from "../../../core/slots.ts";
import { exampleConfig, exampleConfigText } from "../../helpers/config.ts";
import { decide } from "../../helpers/simulate.ts";

const config = exampleConfig();
const SHARED = config.principals.sharedRole?.arn ?? "";
const dan: Principal = {
  kind: "shared-role",
  arn: SHARED,
  name: "AWSReservedSSO_OnCall_0123456789abcdef",
  sessionName: "dan@example.com",
};
const expiresAt = new Date("2026-11-26T10:00:00Z");
const grantOf = (requestId: string, profileId = "staging", principal = dan) =>
  slotStatements(
    buildGrantPolicy({
      profile: config.profiles[profileId] ?? (undefined as never),
      principal,
      accountId: config.accountId,
      requestId,
      expiresAt,
    }).document,
    requestId,
  );

describe("slot statements", () => {
  it("carry the request id in every Sid, the person and the expiry, and leave the rest to the base", () => {
    const statements = grantOf("20261126-k3x9qa7m");
    expect(statements.map((s) => s.Sid)).toEqual(["J20261126k3x9qa7mN", "J20261126k3x9qa7mD"]);
    for (const s of statements) {
      expect(s.Condition?.StringLike?.["aws:userid"]).toBe("*:dan@example.com");
      expect(s.Condition?.DateLessThan?.["aws:CurrentTime"]).toBe("2026-11-26T10:00:00Z");
      expect(requestIdOfSid(s.Sid)).toBe("20261126-k3x9qa7m");
    }
    const base = basePolicyDocument(config).Statement.map((s) => s.Sid);
    expect(base).toEqual(["OwnSessions", "Discover", "SessionKey"]);
  });

  it.each([
    ["EmptySlot", undefined],
    ["OwnSessions", undefined],
    ["J20261126k3x9qa7mN", "20261126-k3x9qa7m"],
    ["J2026112k3x9qa7mN", undefined],
  ])("reads the request id of Sid %s as %s", (sid, id) => {
    expect(requestIdOfSid(sid)).toBe(id);
  });
});

describe("filling and emptying a slot", () => {
  it("replaces the placeholder with the first grant and puts it back after the last", () => {
    const one = withGrant(emptySlot(), "20261126-aaaaaaaa", grantOf("20261126-aaaaaaaa"));
    expect(one.Statement.map((s) => s.Sid)).not.toContain(PLACEHOLDER.Sid);
    const two = withGrant(one, "20261126-bbbbbbbb", grantOf("20261126-bbbbbbbb"));
    expect([...grantsInSlot(two).keys()]).toEqual(["20261126-aaaaaaaa", "20261126-bbbbbbbb"]);
    expect(withoutGrant(withoutGrant(two, "20261126-aaaaaaaa"), "20261126-bbbbbbbb")).toEqual(emptySlot());
  });

  it("rewrites a grant in place (an extension), never twice", () => {
    const one = withGrant(emptySlot(), "20261126-aaaaaaaa", grantOf("20261126-aaaaaaaa"));
    const again = withGrant(one, "20261126-aaaaaaaa", grantOf("20261126-aaaaaaaa"));
    expect(again.Statement).toHaveLength(one.Statement.length);
  });
});

describe("choosing a slot", () => {
  const full = (prefix: string): PolicyDocument => {
    let doc = emptySlot();
    for (let i = 0; ; i++) {
      const id = `20261126-${prefix}${String(i).padStart(4, "0")}`;
      const next = withGrant(doc, id, grantOf(id, "prod-db"));
      if (policySize(next) > MANAGED_POLICY_QUOTA) return doc;
      doc = next;
    }
  };
  const slots = slotArns(config);

  it("takes the first slot with room, and the one already holding the grant on a retry", () => {
    const docs = [
      { arn: slots[0] ?? "", document: full("aaaa") },
      { arn: slots[1] ?? "", document: emptySlot() },
    ];
    expect(chooseSlot(docs, "20261126-zzzzzzzz", grantOf("20261126-zzzzzzzz"), SHARED).arn).toBe(slots[1]);
    const held = withGrant(emptySlot(), "20261126-zzzzzzzz", grantOf("20261126-zzzzzzzz"));
    const retry = [
      { arn: slots[0] ?? "", document: emptySlot() },
      { arn: slots[1] ?? "", document: held },
    ];
    expect(chooseSlot(retry, "20261126-zzzzzzzz", grantOf("20261126-zzzzzzzz"), SHARED).arn).toBe(slots[1]);
  });

  it("refuses with the numbers when every slot is full", () => {
    const docs = slots.map((arn, i) => ({ arn, document: full(`b${i}aa`) }));
    const attempt = () =>
      chooseSlot(docs, "20261126-zzzzzzzz", grantOf("20261126-zzzzzzzz", "prod-db"), SHARED);
    expect(attempt).toThrow(QuotaExceededError);
    expect(attempt).toThrow(
      /no grant slot of AWSReservedSSO_OnCall_0123456789abcdef has room: .* > 6144 in each of its 4 slots/,
    );
  });
});

describe("the old mistake cannot come back", () => {
  it("refuses an Identity Center role mapped to one person, naming where and what to do", () => {
    const data = parse(exampleConfigText());
    data.principals.map.U09DAN = SHARED;
    let error: unknown;
    try {
      checkConfig(data);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as ConfigError).message)).toContain("principals.map.U09DAN");
    expect(String((error as ConfigError).message)).toContain(
      "is an Identity Center role (AWS refuses inline policies on it); declare it as principals.sharedRole",
    );
  });

  it("gives the shared role four slots by default, under /jit/", () => {
    expect(slotArns(config)).toEqual(
      [1, 2, 3, 4].map((n) => `arn:aws:iam::123456789012:policy/jit/jit-grants-${n}`),
    );
  });
});

describe("a multi-region node statement in a slot", () => {
  // Written before the compaction: the statement is shorter and must allow exactly what it did.
  const policy = withGrant(emptySlot(), "20261126-dbdbdbdb", grantOf("20261126-dbdbdbdb", "prod-db"));
  const ask = (region: string, userid: string) =>
    decide({
      principalArn: `arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_OnCall_0123456789abcdef/${userid}`,
      action: "ssm:StartSession",
      resource: `arn:aws:ec2:${region}:123456789012:instance/i-0db20000000000004`,
      policies: [{ name: "jit-grants-1", policy }],
      context: {
        "aws:userid": `AROAEXAMPLE:${userid}`,
        "aws:CurrentTime": "2026-11-26T09:59:59Z",
        "aws:RequestedRegion": region,
        "ssm:resourceTag/Env": "prod",
        "ssm:resourceTag/Role": "db-replica",
        "ssm:SessionDocumentAccessCheck": "true",
      },
    });

  it.each([
    ["eu-central-1", "dan@example.com", "Allowed"],
    ["eu-west-1", "dan@example.com", "Allowed"],
    ["us-east-1", "dan@example.com", "ImplicitlyDenied"],
    ["eu-central-1", "erin@example.com", "ImplicitlyDenied"],
  ])("in %s for %s: %s", async (region, userid, expected) => {
    expect(await ask(region, userid)).toBe(expected);
  });

  it("names each resource type once", () => {
    const nodes = policy.Statement.find((s) => s.Sid.endsWith("N"));
    expect(nodes?.Resource).toEqual([
      "arn:aws:ec2:*:123456789012:instance/*",
      "arn:aws:ssm:*:123456789012:managed-instance/*",
    ]);
  });
});

describe("who a shared role's statements are for", () => {
  const withShared = (shared: Record<string, unknown>) => {
    const data = parse(exampleConfigText());
    data.principals.sharedRole = { ...data.principals.sharedRole, ...shared };
    return () => checkConfig(data);
  };

  it("refuses an ordinary role as shared unless its trust policy pins the session name", () => {
    // Review 2026-11-29: on a role that is not Identity Center's, the caller picks the role session
    // name (--role-session-name dan@example.com) and with it someone else's slot statements.
    const plain = withShared({ arn: "arn:aws:iam::123456789012:role/oncall-shared" });
    expect(plain).toThrow(ConfigError);
    expect(plain).toThrow("principals.sharedRole.trustPinsSessionName");
    expect(
      withShared({ arn: "arn:aws:iam::123456789012:role/oncall-shared", trustPinsSessionName: true }),
    ).not.toThrow();
  });

  it.each([["*"], ["dan@example.com*"], ["${aws:username}"], ["a"]])(
    "refuses %s as a mapped role session name",
    (name) => {
      expect(withShared({ names: { U09DAN: name } })).toThrow(ConfigError);
    },
  );

  it("uses a mapped session name for that person", () => {
    const config = withShared({ names: { U09DAN: "dan.smith" } })();
    const statements = slotStatements(
      buildGrantPolicy({
        profile: config.profiles.staging ?? (undefined as never),
        principal: resolvePrincipal(config, { slackUserId: "U09DAN", email: "dan@example.com" }),
        accountId: config.accountId,
        requestId: "20261126-namedddd",
        expiresAt,
      }).document,
      "20261126-namedddd",
    );
    expect(statements.every((s) => s.Condition?.StringLike?.["aws:userid"] === "*:dan.smith")).toBe(true);
  });
});
