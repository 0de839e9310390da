/** The example configuration shipped with the repo, loaded the way the product loads it. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type AccessConfig, parseConfig } from "../../core/config/load.ts";

export const EXAMPLE_CONFIG_PATH = fileURLToPath(new URL("../../access.config.yaml", import.meta.url));
export const exampleConfigText = (): string => readFileSync(EXAMPLE_CONFIG_PATH, "utf8");
export const exampleConfig = (): AccessConfig => parseConfig(exampleConfigText());

/** The example's profile `id`; fails the test loudly when it is missing. */
export function exampleProfile(id: string, config = exampleConfig()) {
  const profile = config.profiles[id];
  if (!profile) throw new Error(`example config has no profile ${id}`);
  return profile;
}
