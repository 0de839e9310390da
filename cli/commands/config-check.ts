/** `jit config check`: validates the configuration; `--json` prints it normalized. */
import { loadConfigFile } from "../../adapters/config-file.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import {
  describeDropped,
  describeStranded,
  droppedPrincipals,
  strandedAccounts,
} from "../../core/offboarding.ts";
import type { AccessRequest } from "../../core/request.ts";
import { configPath } from "../config-path.ts";
import type { Io } from "../io.ts";
import { callSandbox } from "../sandbox-client.ts";

export function configCheck(flags: { config?: string; json?: boolean }, io: Io): Promise<number> {
  const config = loadConfigFile(configPath(flags.config));
  if (flags.json) {
    io.out(JSON.stringify(config, null, 2));
  } else {
    const profiles = Object.values(config.profiles);
    io.out(
      `The configuration is valid: ${profiles.length} profile(s) (${profiles.map((p) => p.id).join(", ")}).`,
    );
  }
  return warnDroppedPrincipals(config, io).then(() => 0);
}

/**
 * When a sandbox is running, names the principals this config drops while they hold open requests
 * there (offboarding, core/offboarding.ts). No sandbox, or one that refuses: nothing to say.
 */
async function warnDroppedPrincipals(config: AccessConfig, io: Io): Promise<void> {
  let records: AccessRequest[];
  try {
    records = await callSandbox<AccessRequest[]>("GET", "/requests");
  } catch {
    return;
  }
  if (!Array.isArray(records)) return;
  const readable = records.filter((r) => typeof r?.principal?.arn === "string" && typeof r.id === "string");
  for (const line of describeStranded(strandedAccounts(config, readable), config)) io.err(`warning: ${line}`);
  for (const line of describeDropped(droppedPrincipals(config, readable), config)) io.err(`warning: ${line}`);
}
