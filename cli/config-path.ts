/**
 * Where `jit` finds the repo it serves: the nearest folder, from here upwards, that holds
 * access.config.yaml, so `npx jit` works from any subdirectory as it does from the top.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const CONFIG_FILE = "access.config.yaml";

/** The nearest access.config.yaml at or above `from`, or undefined when none is. */
export function findConfig(from: string = process.cwd()): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The config to load: --config, else JIT_CONFIG, else the nearest one found, else ./access.config.yaml. */
export const configPath = (flag?: string): string =>
  resolve(flag ?? process.env.JIT_CONFIG ?? findConfig() ?? CONFIG_FILE);

/** The sandbox's data folder: JIT_DATA, else `.jit` next to the config, where `npm start` keeps it. */
export const dataDir = (): string =>
  resolve(process.env.JIT_DATA ?? join(dirname(findConfig() ?? resolve(CONFIG_FILE)), ".jit"));
