/**
 * Security review of issue 12: config values reach the spoke template, and every string holding
 * `${AWS::` is wrapped in Fn::Sub, where any other `${…}` would be read as a CloudFormation variable
 * (an injection, or a deploy that fails). What reaches the spoke from the config is account ids,
 * the partition, regions, slot counts and principal ARNs (the revocable ones read from records
 * included), none of which the schema or the ARN parser lets hold a `$`; tag values, which may hold
 * `$`, `{` and `}` apart, do not reach it; IAM variables sit in strings of their own. So this held
 * before the review: it pins the guarantee with the oddest values the schema lets through.
 */
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../../core/config/load.ts";
import { spokeTemplate } from "../../../stacks/spoke-template.ts";
import { multiAccountData } from "../../helpers/accounts.ts";

/** Every string of the template, with whether it sits under a Fn::Sub. */
function strings(value: unknown, inSub = false, out: { text: string; inSub: boolean }[] = []) {
  if (typeof value === "string") out.push({ text: value, inSub });
  else if (Array.isArray(value)) for (const v of value) strings(v, inSub, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) strings(v, inSub || k === "Fn::Sub", out);
  return out;
}

describe("the spoke template's Fn::Sub strings", () => {
  it("carry no variable but AWS:: pseudo parameters, whatever the tag values, like-patterns and names", () => {
    const data = multiAccountData();
    // Tag values with $, { and } apart (the schema refuses only `${` together), and a like-pattern.
    data.profiles.staging.nodes.tags = { "Env:x/y=z+@ -": ["st$ag{ing}", { like: "a$*{b}" }], Owner: "$" };
    data.profiles.sandbox.nodes.tags = { Team: "}$" };
    const config = checkConfig(data);

    const all = strings(
      spokeTemplate(config, "eu-west-1", [`arn:aws:iam::444455556666:role/gone/jit-carol`]),
    );

    const subbed = all.filter((s) => s.inSub);
    expect(subbed.length).toBeGreaterThan(0);
    for (const { text } of subbed) {
      const variables = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
      expect(
        variables.every((v) => v?.startsWith("AWS::")),
        text,
      ).toBe(true);
    }
    // What the config puts there (principal ARNs in the broker's mappings) arrives as written.
    const raw = all.filter((s) => !s.inSub).map((s) => s.text);
    expect(raw).toEqual(expect.arrayContaining(["arn:aws:iam::444455556666:role/gone/jit-carol"]));
    // Tag values (which may hold $, { and } apart) never reach the spoke at all.
    expect(all.some((s) => s.text.includes("st$ag"))).toBe(false);
  });
});
