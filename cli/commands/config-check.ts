/** `jit config check`: validates the configuration; `--json` prints it normalized. */
import { loadConfigFile } from "../../adapters/config-file.ts";
import type { Io } from "../main.ts";
import { parseFlags } from "../usage.ts";

export function configCheck(args: string[], io: Io): number {
  const flags = parseFlags(args, { config: { type: "string" }, json: { type: "boolean" } });
  const config = loadConfigFile(flags.config);
  if (flags.json) {
    io.out(JSON.stringify(config, null, 2));
  } else {
    const profiles = Object.values(config.profiles);
    io.out(
      `The configuration is valid: ${profiles.length} profile(s) (${profiles.map((p) => p.id).join(", ")}).`,
    );
  }
  return 0;
}
