import { describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../../../core/errors.ts";
import {
  configuredPrincipalArns,
  principalFromReference,
  resolvePrincipal,
} from "../../../core/principal.ts";
import { exampleConfig } from "../../helpers/config.ts";

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
