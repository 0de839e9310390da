/** Command-line parsing shared by the subcommands, on node:util's parseArgs. */
import { type ParseArgsConfig, parseArgs } from "node:util";

/** The command line itself is wrong (unknown flag, missing option). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses `args` strictly; unknown flags and stray words become a UsageError naming them. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Reads a required string option or throws a UsageError naming it. */
export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}
