import { describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../../../core/errors.ts";
import {
  configuredPrincipalArns,
  principalFromReference,
  resolvePrincipal,
} from "../../../core/principal.ts";
import { exampleConfig } from "../../helpers/config.ts";

/** An IAM policy variable, as a hostile config or email would carry it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
const VARIABLE = "${aws:username}";

const config = exampleConfig();
const shared =
  "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_0123456789abcdef";

describe("resolvePrincipal", () => {
  it.each([
    [
      "a mapped Slack user on a role with a path",
      { slackUserId: "U01ALICE" },
      { kind: "role", name: "jit-alice" },
    ],
    ["a mapped IAM user", { slackUserId: "U02BOB" }, { kind: "user", name: "bob" }],
    [
      "a person mapped by email",
      { slackUserId: "U06CAROL", email: "Carol@Example.com" },
      { kind: "role", name: "jit-carol" },
    ],
    [
      "anyone else, on the shared role",
      { slackUserId: "U09DAN", email: "dan@example.com" },
      {
        kind: "shared-role",
        arn: shared,
        name: "AWSReservedSSO_OnCall_0123456789abcdef",
        sessionName: "dan@example.com",
      },
    ],
  ])("maps %s", (_name, person, expected) => {
    expect(resolvePrincipal(config, person)).toMatchObject(expected);
  });

  // Failed on main: a Slack email with * gave the session name "*@example.com", which the grant's
  // `aws:userid` StringLike then matched for other people (observed: a shared-role principal returned).
  it.each([
    ["a wildcard", "*@example.com"],
    ["a question mark", "d?n@example.com"],
    ["a policy variable", `${VARIABLE}@example.com`],
    ["a space", "dan smith@example.com"],
    ["an apostrophe", "o'brien@example.com"],
    ["a name over 64 characters", `${"d".repeat(60)}@example.com`],
  ])("refuses a shared-role session name with %s, granting nothing", (_name, email) => {
    const resolve = () => resolvePrincipal(config, { slackUserId: "U09DAN", email });
    expect(resolve).toThrow(ValidationError);
    expect(resolve).toThrow(
      `the role session name "${email}" is not made of IAM's role session name characters (letters, digits and + = , . @ _ -, 2 to 64 of them); nothing was granted`,
    );
  });

  it.each(["dan+oncall@example.com", "dan.o_neil=x,y@example.com"])(
    "accepts the IAM characters in %s",
    (email) => {
      expect(resolvePrincipal(config, { slackUserId: "U09DAN", email })).toMatchObject({
        sessionName: email,
      });
    },
  );

  it("needs an email for the shared role's session name", () => {
    expect(() => resolvePrincipal(config, { slackUserId: "U09DAN" })).toThrow(NotFoundError);
  });

  it("explains the fix when nothing maps the person", () => {
    const noShared = { ...config, principals: { map: config.principals.map } };
    expect(() => resolvePrincipal(noShared, { slackUserId: "U09DAN" })).toThrow(
      "no AWS principal is configured for U09DAN: add them to principals.map or set principals.sharedRole",
    );
  });
});

describe("principalFromReference", () => {
  it("accepts a configured ARN", () => {
    expect(principalFromReference(config, "arn:aws:iam::123456789012:user/bob")).toMatchObject({
      kind: "user",
    });
  });
  it("refuses an ARN the config does not name", () => {
    expect(() => principalFromReference(config, "arn:aws:iam::123456789012:role/admin")).toThrow(
      "arn:aws:iam::123456789012:role/admin is not a principal named in the configuration",
    );
  });
  it("refuses the bare shared role", () => {
    expect(() => principalFromReference(config, shared)).toThrow(ValidationError);
  });
  it("lists every configured principal once", () => {
    expect(configuredPrincipalArns(config)).toHaveLength(4);
  });
});
