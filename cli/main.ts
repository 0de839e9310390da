/**
 * Entry of the `jit` command: runs one command of the tree (program.ts) and turns what went wrong
 * into one line and an exit code: 1 when the config, the input or the outcome is wrong; 2 when the
 * command line is; 130 after Ctrl-C.
 */
import type { Command, CommanderError } from "commander";
import {
  ConfigError,
  NotAuthorizedError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from "../core/errors.ts";
import { completions } from "./completion.ts";
import { type Io, processIo } from "./io.ts";
import { buildProgram } from "./program.ts";
import { SandboxRefusalError, SandboxUnreachableError, StageUnreachableError } from "./sandbox-client.ts";
import { setTarget } from "./stages.ts";

export type { Io } from "./io.ts";

/** A command-line mistake, with the command whose help says how to write it. */
class CommandLineError extends Error {
  override name = "CommandLineError";
  readonly commander: CommanderError;
  readonly command: Command;
  constructor(commander: CommanderError, command: Command) {
    super(commander.message);
    this.commander = commander;
    this.command = command;
  }
}

/** "jit config check", from a command up to the root. */
const pathOf = (command: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
};

/** Commander's message as one sentence of ours, with the help to read next. */
function usageLine(error: CommandLineError, helpWentToErr: boolean): string {
  const path = pathOf(error.command);
  const see = `See \`${path} --help\`.`;
  if (error.commander.code === "commander.help" && helpWentToErr) {
    const words = error.command.commands.map((c) => c.name()).join(", ");
    return `jit: ${error.command.name()} needs a command: ${words}. ${see}`;
  }
  const text = error.commander.message
    .replace(/^error: /, "")
    .replace(/\n\(Did you mean (.+)\?\)/, " (did you mean $1?)")
    .replace(/\.$/, "");
  return `jit: ${text}. ${see}`;
}

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  let helpWentToErr = false;
  // The target is chosen per run (the program's pre-action hook); none left from an earlier run.
  setTarget(undefined);
  const program = buildProgram(io, (c) => {
    code = c;
  });
  const configure = (command: Command) => {
    command
      .configureOutput({
        writeOut: (text) => io.out(text.trimEnd()),
        // Help printed as part of an error is replaced by one line (usageLine).
        writeErr: () => {
          helpWentToErr = true;
        },
        outputError: () => {},
      })
      .exitOverride((error) => {
        throw new CommandLineError(error, command);
      });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  if (argv[0] === "__complete") {
    io.out(completions(program, argv.slice(1)).join("\n"));
    return 0;
  }
  try {
    await program.parseAsync(argv.length ? argv : ["--help"], { from: "user" });
    return code;
  } catch (error) {
    return report(error, io, helpWentToErr);
  }
}

/** The exit code for `error`, after telling the person what went wrong in one line (or a list). */
function report(error: unknown, io: Io, helpWentToErr: boolean): number {
  if (error instanceof CommandLineError) {
    const { code, exitCode } = error.commander;
    if (code === "commander.helpDisplayed" || code === "commander.version") return 0;
    if (code === "commander.help" && !helpWentToErr) return exitCode;
    io.err(usageLine(error, helpWentToErr));
    return 2;
  }
  if (error instanceof ConfigError) {
    io.err(`The configuration has ${error.issues.length} problem(s):`);
    for (const issue of error.issues) io.err(`  ${issue.path ? `${issue.path}: ` : ""}${issue.message}`);
    return 1;
  }
  if (error instanceof ValidationError) {
    io.err(`jit: ${error.field}: ${error.message}`);
    return 1;
  }
  if (
    error instanceof SandboxUnreachableError ||
    error instanceof StageUnreachableError ||
    error instanceof SandboxRefusalError ||
    error instanceof NotAuthorizedError ||
    error instanceof NotFoundError ||
    error instanceof QuotaExceededError
  ) {
    io.err(`jit: ${error.message}`);
    return 1;
  }
  throw error;
}
