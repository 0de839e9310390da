/**
 * The configuration as the Lambda functions read it: the normalized JSON that the deploy wrote after
 * validating access.config.yaml. Parsing YAML and checking the schema happened once, at deploy, so
 * neither library is in a function's bundle or on its cold start.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { AccessConfig } from "../core/config/load.ts";
import { ConfigError } from "../core/errors.ts";

/**
 * Bumped when the normalized shape changes, so an old file is refused instead of misread. 2: tag
 * values hold `*`/`?` only where the config wrote `{ like }`, profiles carry the session key's alias,
 * and `runAs` is gone.
 */
export const NORMALIZED_VERSION = 2;

/** Writes the normalized configuration for bundling beside the functions. */
export function writeNormalizedConfig(path: string, config: AccessConfig): void {
  writeFileSync(path, `${JSON.stringify({ normalizedVersion: NORMALIZED_VERSION, config })}\n`);
}

/** Reads the normalized configuration; a missing, foreign or stale file is a ConfigError. */
export function readNormalizedConfig(path: string): AccessConfig {
  let data: { normalizedVersion?: unknown; config?: AccessConfig };
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError([{ path, message: `cannot read the deployed configuration: ${String(error)}` }]);
  }
  if (data.normalizedVersion !== NORMALIZED_VERSION || !data.config?.accountId || !data.config.profiles) {
    throw new ConfigError([
      { path, message: "is not a normalized configuration of this version; deploy again" },
    ]);
  }
  return data.config;
}
