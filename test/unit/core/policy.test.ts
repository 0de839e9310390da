/**
 * The grant policy, evaluated as IAM would with @cloud-copilot/iam-simulate: the generated documents
 * themselves are the subject, not a description of them.
 */
import { describe, expect, it } from "vitest";
import type { Profile } from "../../../core/config/load.ts";
import { QuotaExceededError, ValidationError } from "../../../core/errors.ts";
import {
  assertFitsInlineQuota,
  buildGrantPolicy,
  embeddedExpiry,
  encodePolicy,
  type GrantPolicy,
  grantsThatFit,
  INLINE_POLICY_QUOTA,
  policySize,
} from "../../../core/policy.ts";
import { type Principal, resolvePrincipal } from "../../../core/principal.ts";
import { exampleConfig, exampleProfile } from "../../helpers/config.ts";
import { decide } from "../../helpers/simulate.ts";

/** An IAM policy variable, as a hostile config or email would carry it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
const VARIABLE = "${aws:username}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
const USERID_VARIABLE = "${aws:userid}";

const config = exampleConfig();
const ACCOUNT = config.accountId;
const EXPIRY = new Date("2026-11-26T10:00:00Z");
const BEFORE = "2026-11-26T09:59:59Z";
const AFTER = "2026-11-26T10:00:01Z";

/** A caller as IAM sees it: the request principal and the global keys it brings. */
interface Caller {
  label: string;
  principal: Principal;
  arn: string;
  keys: Record<string, string>;
}

const alice: Caller = {
  label: "dedicated role",
  principal: resolvePrincipal(config, { slackUserId: "U01ALICE" }),
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/jit-alice/alice`,
  keys: { "aws:userid": "AROAALICEEXAMPLE:alice" },
};
const bob: Caller = {
  label: "IAM user",
  principal: resolvePrincipal(config, { slackUserId: "U02BOB" }),
  arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
  keys: { "aws:userid": "AIDABOBEXAMPLE", "aws:username": "bob" },
};
const sharedRoleName = "AWSReservedSSO_OnCall_0123456789abcdef";
const dan: Caller = {
  label: "shared role",
  principal: resolvePrincipal(config, { slackUserId: "U09DAN", email: "dan@example.com" }),
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${sharedRoleName}/dan@example.com`,
  keys: { "aws:userid": "AROASHAREDEXAMPLE:dan@example.com" },
};
const callers = [alice, bob, dan];

function grantFor(profile: Profile, caller: Caller): GrantPolicy {
  return buildGrantPolicy({
    profile,
    principal: caller.principal,
    accountId: ACCOUNT,
    requestId: "20261126-abcdefgh",
    expiresAt: EXPIRY,
  });
}

const instance = (region = "eu-west-1") => `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0123456789abcdef0`;
const managedInstance = `arn:aws:ssm:eu-west-1:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`;
const documentArn = (name: string, region = "eu-west-1") =>
  `arn:aws:ssm:${region}:${ACCOUNT}:document/${name}`;

/** Asks IAM (simulated) whether `caller`, holding `grant`, may call StartSession on a node with `tags`. */
function startOnNode(
  grant: GrantPolicy,
  caller: Caller,
  tags: Record<string, string>,
  time = BEFORE,
  resource = instance(),
) {
  const context: Record<string, string> = {
    ...caller.keys,
    "aws:CurrentTime": time,
    "ssm:SessionDocumentAccessCheck": "true",
  };
  for (const [key, value] of Object.entries(tags)) context[`ssm:resourceTag/${key}`] = value;
  return decide({
    principalArn: caller.arn,
    action: "ssm:StartSession",
    resource,
    policies: [{ name: grant.policyName, policy: grant.document }],
    context,
  });
}

function startWithDocument(grant: GrantPolicy, caller: Caller, document: string, time = BEFORE) {
  return decide({
    principalArn: caller.arn,
    action: "ssm:StartSession",
    resource: documentArn(document),
    policies: [{ name: grant.policyName, policy: grant.document }],
    context: { ...caller.keys, "aws:CurrentTime": time },
  });
}

// Profiles with one tag, several tags, several allowed values, and a wildcard value.
const profileCases: {
  id: string;
  match: Record<string, string>[];
  miss: Record<string, string>[];
  allowedDoc: string;
  otherDoc: string;
}[] = [
  {
    id: "staging",
    match: [{ Env: "staging" }, { Env: "staging", App: "anything" }],
    miss: [{ Env: "prod" }, { Env: "Staging" }, {}],
    allowedDoc: "AWS-StartSSHSession",
    otherDoc: "AWS-StartPortForwardingSession",
  },
  {
    id: "prod-web",
    match: [{ Env: "prod", App: "web" }],
    miss: [{ Env: "prod", App: "db" }, { Env: "prod" }, { App: "web" }, { Env: "staging", App: "web" }],
    allowedDoc: "SSM-SessionManagerRunShell",
    otherDoc: "AWS-StartSSHSession",
  },
  {
    id: "prod-db",
    match: [
      { Env: "prod", Role: "db-primary" },
      { Env: "prod", Role: "db-replica" },
    ],
    miss: [{ Env: "prod", Role: "db-backup" }, { Env: "prod" }, { Role: "db-primary" }],
    allowedDoc: "AWS-StartPortForwardingSessionToRemoteHost",
    otherDoc: "SSM-SessionManagerRunShell",
  },
  {
    id: "sandbox",
    match: [{ Env: "sandbox", Owner: "team-payments" }],
    miss: [{ Env: "sandbox", Owner: "payments" }, { Env: "sandbox" }],
    allowedDoc: "SSM-SessionManagerRunShell",
    otherDoc: "AWS-StartSSHSession",
  },
];

describe.each(profileCases)("grant for profile $id", ({ id, match, miss, allowedDoc, otherDoc }) => {
  const profile = exampleProfile(id, config);

  describe.each(callers)("held by a $label", (caller) => {
    const grant = grantFor(profile, caller);

    it.each(match)("allows StartSession on a node tagged %j before expiry", async (tags) => {
      expect(await startOnNode(grant, caller, tags)).toBe("Allowed");
    });

    it.each(match)("denies StartSession on a node tagged %j one second after expiry", async (tags) => {
      expect(await startOnNode(grant, caller, tags, AFTER)).toBe("ImplicitlyDenied");
    });

    it.each(miss)("denies StartSession on a node tagged %j", async (tags) => {
      expect(await startOnNode(grant, caller, tags)).toBe("ImplicitlyDenied");
    });

    it("allows the profile's document and denies another", async () => {
      expect(await startWithDocument(grant, caller, allowedDoc)).toBe("Allowed");
      expect(await startWithDocument(grant, caller, otherDoc)).toBe("ImplicitlyDenied");
      expect(await startWithDocument(grant, caller, allowedDoc, AFTER)).toBe("ImplicitlyDenied");
    });
  });
});

describe("the node statement", () => {
  const profile = exampleProfile("prod-db", config);
  const grant = grantFor(profile, alice);

  it("covers hybrid managed nodes as well as EC2 instances", async () => {
    expect(
      await startOnNode(grant, alice, { Env: "prod", Role: "db-primary" }, BEFORE, managedInstance),
    ).toBe("Allowed");
  });

  it("covers every region of the profile and no other", async () => {
    const tags = { Env: "prod", Role: "db-primary" };
    expect(await startOnNode(grant, alice, tags, BEFORE, instance("eu-central-1"))).toBe("Allowed");
    expect(await startOnNode(grant, alice, tags, BEFORE, instance("us-east-1"))).toBe("ImplicitlyDenied");
  });

  it("refuses a session whose document access check was switched off", async () => {
    const context = { ...alice.keys, "aws:CurrentTime": BEFORE, "ssm:SessionDocumentAccessCheck": "false" };
    context["ssm:resourceTag/Env" as keyof typeof context] = "prod";
    const result = await decide({
      principalArn: alice.arn,
      action: "ssm:StartSession",
      resource: instance(),
      policies: [{ name: grant.policyName, policy: grant.document }],
      context: { ...context, "ssm:resourceTag/Role": "db-primary" },
    });
    expect(result).toBe("ImplicitlyDenied");
  });
});

describe("own sessions only", () => {
  // Failed on main for IAM users: the statement was `session/${aws:username}-*`, so user `bob` could
  // resume or terminate `bob-admin`'s and `bob-x`'s sessions (iam-simulate said "Allowed", expected
  // "ImplicitlyDenied"). Roles and shared-role sessions already matched exactly; they are here so a
  // change of form cannot reopen the hole for them.
  const profile = exampleProfile("prod-web", config);
  const HEX = "0a1b2c3d4e5f6a7b8";

  /** A person of each principal kind, named `name`, as IAM and Session Manager see them. */
  const kinds: Record<string, (name: string) => Caller> = {
    "IAM user": (name) => ({
      label: `IAM user ${name}`,
      principal: { kind: "user", arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, name },
      arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
      keys: { "aws:userid": `AIDA${name.toUpperCase().replace(/\W/g, "")}EXAMPLE`, "aws:username": name },
    }),
    "dedicated role": (name) => ({
      label: `session ${name} of a dedicated role`,
      principal: { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/jit-ops`, name: "jit-ops" },
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/jit-ops/${name}`,
      keys: { "aws:userid": `AROAOPSEXAMPLE:${name}` },
    }),
    "shared role": (name) => ({
      label: `${name} on the shared role`,
      principal: {
        kind: "shared-role",
        arn: `arn:aws:iam::${ACCOUNT}:role/${sharedRoleName}`,
        name: sharedRoleName,
        sessionName: name,
      },
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${sharedRoleName}/${name}`,
      keys: { "aws:userid": `AROASHAREDEXAMPLE:${name}` },
    }),
  };

  /** A live session as Session Manager records it: `<name>-<hex>`, tagged with its starter's user id. */
  const sessionOf = (caller: Caller) => ({
    arn: `arn:aws:ssm:eu-west-1:${ACCOUNT}:session/${caller.arn.split("/").pop()}-${HEX}`,
    owner: caller.keys["aws:userid"] ?? "",
  });

  const onSession = (
    caller: Caller,
    action: string,
    session: { arn: string; owner: string },
    time = BEFORE,
  ) =>
    decide({
      principalArn: caller.arn,
      action,
      resource: session.arn,
      policies: [{ name: "g", policy: grantFor(profile, caller).document }],
      context: {
        ...caller.keys,
        "aws:CurrentTime": time,
        "ssm:resourceTag/aws:ssmmessages:session-id": session.owner,
      },
    });

  const collisions = Object.keys(kinds).flatMap((kind) =>
    [
      ["bob", "bob-admin"],
      ["bob", "bob-x"],
      ["bob-admin", "bob"],
      ["bob-x", "bob"],
    ].flatMap(([me = "", other = ""]) =>
      ["ssm:TerminateSession", "ssm:ResumeSession"].map((action) => ({ kind, me, other, action })),
    ),
  );

  it.each(collisions)("$kind $me may $action their own session but not $other's", async (c) => {
    // Prepare
    const make = kinds[c.kind] as (name: string) => Caller;
    const me = make(c.me);
    const other = make(c.other);
    // Act
    const own = await onSession(me, c.action, sessionOf(me));
    const foreign = await onSession(me, c.action, sessionOf(other));
    // Assess
    expect(own).toBe("Allowed");
    expect(foreign).toBe("ImplicitlyDenied");
  });

  it.each(Object.keys(kinds))("a %s may no longer act on their own session after expiry", async (kind) => {
    const me = (kinds[kind] as (name: string) => Caller)("bob");
    expect(await onSession(me, "ssm:TerminateSession", sessionOf(me), AFTER)).toBe("ImplicitlyDenied");
  });

  it("uses one exact form for every principal kind: the session's owner tag equals the caller's user id", () => {
    for (const make of Object.values(kinds)) {
      const statement = grantFor(profile, make("bob")).document.Statement.find(
        (s) => s.Sid === "OwnSessions",
      );
      expect(statement?.Resource).toBe(`arn:aws:ssm:eu-west-1:${ACCOUNT}:session/*`);
      expect(statement?.Condition?.StringEquals).toEqual({
        "ssm:resourceTag/aws:ssmmessages:session-id": USERID_VARIABLE,
      });
    }
  });
});

describe("a grant on a shared role", () => {
  const profile = exampleProfile("prod-web", config);
  const grant = grantFor(profile, dan);
  const erin: Caller = {
    label: "another person on the shared role",
    principal: dan.principal,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${sharedRoleName}/erin@example.com`,
    keys: { "aws:userid": "AROASHAREDEXAMPLE:erin@example.com" },
  };

  it("gives another person's role session nothing", async () => {
    expect(await startOnNode(grant, dan, { Env: "prod", App: "web" })).toBe("Allowed");
    expect(await startOnNode(grant, erin, { Env: "prod", App: "web" })).toBe("ImplicitlyDenied");
    expect(await startWithDocument(grant, erin, "SSM-SessionManagerRunShell")).toBe("ImplicitlyDenied");
  });

  it("carries the aws:userid condition on every Allow", () => {
    for (const statement of grant.document.Statement) {
      expect(statement.Condition?.StringLike?.["aws:userid"]).toBe("*:dan@example.com");
    }
  });
});

describe("discovery calls", () => {
  it.each(["ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus"])(
    "allows %s until expiry",
    async (action) => {
      const grant = grantFor(exampleProfile("staging", config), alice);
      const call = (time: string) =>
        decide({
          principalArn: alice.arn,
          action,
          resource: action === "ssm:GetConnectionStatus" ? instance() : "*",
          policies: [{ name: "g", policy: grant.document }],
          context: { ...alice.keys, "aws:CurrentTime": time },
        });
      expect(await call(BEFORE)).toBe("Allowed");
      expect(await call(AFTER)).toBe("ImplicitlyDenied");
    },
  );
});

describe("policy shape and size", () => {
  const profile = exampleProfile("prod-web", config);

  it("is named after the request and carries the expiry on every Allow", () => {
    // Act
    const grant = grantFor(profile, alice);
    // Assess
    expect(grant.policyName).toBe("jit-20261126-abcdefgh");
    for (const statement of grant.document.Statement) {
      expect(statement.Effect).toBe("Allow");
      expect(statement.Condition?.DateLessThan).toEqual({ "aws:CurrentTime": "2026-11-26T10:00:00Z" });
    }
    expect(embeddedExpiry(grant.document)).toEqual(EXPIRY);
  });

  it("counts size as IAM does: characters that are not whitespace", () => {
    const grant = grantFor(profile, alice);
    expect(grant.size).toBe(encodePolicy(grant.document).length);
    expect(policySize(JSON.stringify(grant.document, null, 2))).toBe(grant.size);
  });

  it("refuses a grant that would go over the inline quota, with the numbers", () => {
    const size = grantFor(profile, alice).size;
    const fit = grantsThatFit(size);
    const existing = Array.from({ length: fit }, () => size);
    expect(() => assertFitsInlineQuota(alice.principal.arn, existing.slice(1), size)).not.toThrow();
    expect(() => assertFitsInlineQuota(alice.principal.arn, existing, size)).toThrow(QuotaExceededError);
    expect(() => assertFitsInlineQuota(alice.principal.arn, existing, size)).toThrow(
      `${fit * size} characters in use + ${size} needed > ${INLINE_POLICY_QUOTA}`,
    );
  });
});

describe("what reaches IAM raw is refused, nothing granted", () => {
  // Failed on main: buildGrantPolicy wrote any session name into `aws:userid` (a name `*` gave
  // `"aws:userid": "*:*"`, every person on the shared role) and any tag value into the condition (a
  // value `${aws:username}` became an IAM policy variable); it threw nothing.
  const profile = exampleProfile("prod-web", config);
  const build = (principal: Principal, p: Profile = profile) =>
    buildGrantPolicy({ profile: p, principal, accountId: ACCOUNT, requestId: "r1", expiresAt: EXPIRY });

  it.each(["*", "*@example.com", "dan?@example.com", VARIABLE, "dan smith", "x", "a".repeat(65)])(
    "refuses the shared-role session name %j",
    (sessionName) => {
      const principal: Principal = { ...(dan.principal as Principal & { kind: "shared-role" }), sessionName };
      expect(() => build(principal)).toThrow(ValidationError);
      expect(() => build(principal)).toThrow("IAM's role session name characters");
    },
  );

  it.each<[string, Record<string, string[]>]>([
    ["a policy variable in a value", { Env: [VARIABLE] }],
    ["a policy variable in a key", { [VARIABLE]: ["prod"] }],
    ["a wildcard in a key", { "Env*": ["prod"] }],
  ])("refuses %s", (_name, tags) => {
    expect(() => build(alice.principal, { ...profile, tags })).toThrow(ValidationError);
  });
});

describe("the session key, when sessions are encrypted", () => {
  // Failed on main: with sessionManager.encryptSessions the grant had no kms:GenerateDataKey, so
  // Session Manager refused every grantee (iam-simulate said "ImplicitlyDenied", expected "Allowed").
  const profile = exampleProfile("prod-db", config);
  const ALIAS = "alias/ssm-jit-access-sessions";
  const key = (region = "eu-west-1") =>
    `arn:aws:kms:${region}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  // KMS honours an IAM policy only when the key policy lets the account's IAM decide: the default key
  // policy, which the stack's key keeps (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
  const keyPolicy = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  };
  const generate = (caller: Caller, aliases: string[], time = BEFORE, resource = key(), document?: unknown) =>
    decide({
      principalArn: caller.arn,
      action: "kms:GenerateDataKey",
      resource,
      policies: [{ name: "g", policy: document ?? grantFor(profile, caller).document }],
      resourcePolicy: keyPolicy,
      context: { ...caller.keys, "aws:CurrentTime": time, "kms:ResourceAliases": aliases },
    });

  it("names the key's alias in the normalized profile", () => {
    expect(profile.sessionKeyAlias).toBe(ALIAS);
  });

  it.each(callers)(
    "lets a $label use the session key of each profile region until expiry",
    async (caller) => {
      expect(await generate(caller, [ALIAS])).toBe("Allowed");
      expect(await generate(caller, [ALIAS], BEFORE, key("eu-central-1"))).toBe("Allowed");
      expect(await generate(caller, [ALIAS], AFTER)).toBe("ImplicitlyDenied");
    },
  );

  it.each(callers)("gives a $label no other key", async (caller) => {
    expect(await generate(caller, ["alias/payments"])).toBe("ImplicitlyDenied");
    expect(await generate(caller, [])).toBe("ImplicitlyDenied");
    expect(await generate(caller, [ALIAS], BEFORE, key("us-east-1"))).toBe("ImplicitlyDenied");
  });

  it("gives another person on the shared role nothing", async () => {
    const erin: Caller = {
      ...dan,
      arn: dan.arn.replace("dan@", "erin@"),
      keys: { "aws:userid": "AROASHAREDEXAMPLE:erin@example.com" },
    };
    const dansGrant = grantFor(profile, dan).document;
    expect(await generate(dan, [ALIAS], BEFORE, key(), dansGrant)).toBe("Allowed");
    expect(await generate(erin, [ALIAS], BEFORE, key(), dansGrant)).toBe("ImplicitlyDenied");
  });

  it("is left out when sessions are not encrypted", () => {
    const plain: Profile = { ...profile, sessionKeyAlias: undefined };
    const sids = buildGrantPolicy({
      profile: plain,
      principal: alice.principal,
      accountId: ACCOUNT,
      requestId: "r1",
      expiresAt: EXPIRY,
    }).document.Statement.map((s) => s.Sid);
    expect(sids).toEqual(["Nodes", "Documents", "OwnSessions", "Discover"]);
  });
});
