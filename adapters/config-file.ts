/** Reads the access configuration from a file (the repo's `access.config.yaml` by default). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type AccessConfig, parseConfig } from "../core/config/load.ts";
import { ConfigError } from "../core/errors.ts";

/** Where the configuration is looked for when no path is given. */
export const defaultConfigPath = (): string => resolve(process.env.JIT_CONFIG ?? "access.config.yaml");

/** Loads and checks a configuration file; a missing or unreadable file is a ConfigError too. */
export function loadConfigFile(path = defaultConfigPath()): AccessConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      { path: "", message: `cannot read ${path}: ${code === "ENOENT" ? "no such file" : String(error)}` },
    ]);
  }
  return parseConfig(text);
}
