import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderSchema, SCHEMA_PATH } from "../../../scripts/generate-schema.ts";

describe("access.config.schema.json", () => {
  it("is what the zod schema generates (run `npm run schema` after changing it)", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(renderSchema());
  });

  it("requires at least one node tag and knows the profile fields", () => {
    const schema = JSON.parse(renderSchema());
    const profile = schema.properties.profiles.additionalProperties;
    expect(profile.properties.nodes.properties.tags).toBeDefined();
    expect(Object.keys(profile.properties)).toEqual(
      expect.arrayContaining(["approvers", "approvalsRequired", "selfApproval", "ticketPattern", "regions"]),
    );
  });

  it("has no runAs field and offers { like } patterns for tag values", () => {
    // Failed on main: profiles had a runAs field that nothing enforced (observed in the property list),
    // and tag values had no way to say "pattern" (observed: plain strings only).
    const schema = JSON.parse(renderSchema());
    const profile = schema.properties.profiles.additionalProperties;
    expect(Object.keys(profile.properties)).not.toContain("runAs");
    expect(JSON.stringify(profile.properties.nodes.properties.tags)).toContain('"like"');
  });
});
