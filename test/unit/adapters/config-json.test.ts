import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNormalizedConfig, writeNormalizedConfig } from "../../../adapters/config-json.ts";
import { ConfigError } from "../../../core/errors.ts";
import { exampleConfig } from "../../helpers/config.ts";

const dir = mkdtempSync(join(tmpdir(), "jit-config-"));

describe("the normalized configuration the functions read", () => {
  it("round-trips exactly what the deploy validated", () => {
    const file = join(dir, "access.config.json");
    writeNormalizedConfig(file, exampleConfig());
    expect(readNormalizedConfig(file)).toEqual(exampleConfig());
  });

  it.each([
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
