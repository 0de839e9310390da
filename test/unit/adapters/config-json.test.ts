import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNormalizedConfig, writeNormalizedConfig } from "../../../adapters/config-json.ts";
import { ConfigError } from "../../../core/errors.ts";
import { buildGrantPolicy } from "../../../core/policy.ts";
import { resolvePrincipal } from "../../../core/principal.ts";
import { exampleConfig } from "../../helpers/config.ts";

const dir = mkdtempSync(join(tmpdir(), "jit-config-"));

describe("the normalized configuration the functions read", () => {
  it("round-trips exactly what the deploy validated", () => {
    const file = join(dir, "access.config.json");
    writeNormalizedConfig(file, exampleConfig());
    expect(readNormalizedConfig(file)).toEqual(exampleConfig());
  });

  it("loads a { like } pattern and the session key as the deploy validated them", () => {
    // Failed on main: the normalized profiles carried no session key (observed sessionKeyAlias
    // undefined), so a function's grant could not allow kms:GenerateDataKey.
    // Prepare
    const file = join(dir, "patterns.json");
    writeNormalizedConfig(file, exampleConfig());
    // Act
    const config = readNormalizedConfig(file);
    const profile = config.profiles.sandbox;
    if (!profile) throw new Error("no sandbox profile");
    const grant = buildGrantPolicy({
      profile,
      principal: resolvePrincipal(config, { slackUserId: "U01ALICE" }),
      accountId: config.accountId,
      requestId: "r1",
      expiresAt: new Date("2026-11-26T10:00:00Z"),
    });
    // Assess
    expect(profile.tags).toEqual({ Env: ["sandbox"], Owner: ["team-*"] });
    expect(profile.sessionKeyAlias).toBe("alias/ssm-jit-access-sessions");
    const nodes = grant.document.Statement.find((s) => s.Sid === "Nodes");
    expect(nodes?.Condition?.StringLike).toMatchObject({ "ssm:resourceTag/Owner": "team-*" });
    expect(nodes?.Condition?.StringEquals).toEqual({ "ssm:resourceTag/Env": "sandbox" });
  });

  it.each([
    // Failed on main for version 1 (observed: loaded). A version-1 file predates tag patterns and the
    // session key: its grants would lack kms:GenerateDataKey.
    [
      "a file of the version before tag patterns and the session key",
      "v1.json",
      JSON.stringify({ normalizedVersion: 1, config: { accountId: "123456789012", profiles: {} } }),
      "deploy again",
    ],
    ["a missing file", "missing.json", undefined, "cannot read the deployed configuration"],
    [
      "a file of another version",
      "old.json",
      JSON.stringify({ normalizedVersion: 0, config: {} }),
      "deploy again",
    ],
    ["the raw YAML instead", "raw.json", "accountId: 1", "cannot read the deployed configuration"],
  ])("refuses %s", (_name, name, content, message) => {
    const file = join(dir, name);
    if (content !== undefined) writeFileSync(file, content);
    expect(() => readNormalizedConfig(file)).toThrow(ConfigError);
    expect(() => readNormalizedConfig(file)).toThrow(message);
  });
});
