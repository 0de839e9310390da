/** The example configuration shipped with the repo, loaded the way the product loads it. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { type AccessConfig, checkConfig, parseConfig } from "../../core/config/load.ts";

export const EXAMPLE_CONFIG_PATH = fileURLToPath(new URL("../../access.config.yaml", import.meta.url));
export const exampleConfigText = (): string => readFileSync(EXAMPLE_CONFIG_PATH, "utf8");
export const exampleConfig = (): AccessConfig => parseConfig(exampleConfigText());

/** The example's profile `id`; fails the test loudly when it is missing. */
export function exampleProfile(id: string, config = exampleConfig()) {
  const profile = config.profiles[id];
  if (!profile) throw new Error(`example config has no profile ${id}`);
  return profile;
}

/**
 * The example as data, reduced to the hub's own account: without its other accounts, the
 * organization, their principals and the profiles that span them. For tests of a one-account config
 * and for variants that name accounts of their own.
 */
// biome-ignore lint/suspicious/noExplicitAny: the parsed YAML is edited freely before it is checked
export function oneAccountExampleData(): Record<string, any> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const data = parse(exampleConfigText()) as Record<string, any>;
  delete data.accounts;
  delete data.organization;
  delete data.principals.accounts;
  for (const [id, profile] of Object.entries(data.profiles))
    if ((profile as { accounts?: unknown }).accounts) delete data.profiles[id];
  return data;
}

/** The one-account example as YAML text (without the example's comments). */
export const oneAccountExampleText = (): string => stringify(oneAccountExampleData());

/** The one-account example, checked. */
export const oneAccountExample = (): AccessConfig => checkConfig(oneAccountExampleData());
