/**
 * Entry of the `jit` command: parses the command line, runs one subcommand, turns typed errors into
 * clear messages and exit codes (1: the config or input is wrong; 2: the command line is wrong).
 */
import {
  ConfigError,
  NotAuthorizedError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from "../core/errors.ts";
import { configCheck } from "./commands/config-check.ts";
import { identityCenterCommands } from "./commands/identity-center.ts";
import { policyPreview } from "./commands/policy-preview.ts";
import { sandboxCommand } from "./commands/sandbox.ts";
import { slackManifest } from "./commands/slack-manifest.ts";
import { SandboxRefusalError, SandboxUnreachableError } from "./sandbox-client.ts";

const SANDBOX_COMMANDS = new Set([
  "request",
  "list",
  "show",
  "approve",
  "deny",
  "extend",
  "revoke",
  "cancel",
  "sessions",
  "ssm",
]);

import { UsageError } from "./usage.ts";

const USAGE = `Usage: jit <command> [options]

Commands:
  config check [--config FILE] [--json]
      Validate the access configuration; with --json print it normalized.
  policy preview --profile ID --principal <slack id | email | IAM ARN> [--for DURATION] [--config FILE] [--json]
      Print exactly the policy a grant would attach, and what it allows.

With the sandbox running (npm start):
  request --as PERSON --profile ID [--for DURATION] [--reason TEXT] [--ticket T] [--wait] [--json]
  list [--as PERSON] [--json]          show ID [--follow] [--json]
  approve ID --as PERSON               deny ID --as PERSON --reason TEXT
  extend ID --as PERSON --by DURATION  revoke ID --as PERSON      cancel ID --as PERSON
  sessions [--json]                    ssm start-session --as PERSON --target NODE [--document NAME]
PERSON is a Slack user ID (U01ALICE) or an email.

The configuration is ./access.config.yaml unless --config or JIT_CONFIG says otherwise.
The sandbox is at http://127.0.0.1:7420 unless JIT_URL or JIT_PORT says otherwise.`;

/** Output sinks, injectable so tests capture what a person would see. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    if (group === "config" && command === "check") return configCheck(rest, io);
    if (group === "policy" && command === "preview") return policyPreview(rest, io);
    if (group === "slack" && command === "manifest") return slackManifest(rest, io);
    if (group === "identity-center" && command === "commands") return identityCenterCommands(rest, io);
    if (group && SANDBOX_COMMANDS.has(group)) return await sandboxCommand(group, argv.slice(1), io);
    if (group === undefined || group === "help" || group === "--help" || group === "-h") {
      io.out(USAGE);
      return 0;
    }
    throw new UsageError(`unknown command: ${[group, command].filter(Boolean).join(" ")}`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`jit: ${error.message}\n\n${USAGE}`);
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
      error instanceof SandboxRefusalError ||
      error instanceof NotAuthorizedError
    ) {
      io.err(`jit: ${error.message}`);
      return 1;
    }
    if (error instanceof NotFoundError || error instanceof QuotaExceededError) {
      io.err(`jit: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
