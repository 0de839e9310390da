/**
 * The `jit` command tree on commander: `<noun> <verb>` words, their options and per-command help.
 * Wiring only: each action hands its parsed options to a command module and keeps its exit code.
 */
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { type AuditOptions, auditCommand } from "./commands/audit.ts";
import { profilesCommand, whoamiCommand } from "./commands/caller.ts";
import { connectCommand } from "./commands/connect.ts";
import {
  approveCommand,
  cancelCommand,
  denyCommand,
  extendCommand,
  revokeCommand,
} from "./commands/decisions.ts";
import { listCommand, type RequestOptions, requestCommand, showCommand } from "./commands/requests.ts";
import { reviewCommand } from "./commands/review.ts";
import { sessionsCommand, startSessionCommand } from "./commands/sessions.ts";
import { stageAddCommand, stageListCommand } from "./commands/stage.ts";
import { BASH_SCRIPT } from "./completion.ts";
import type { Io } from "./io.ts";
import { type Action, addOfflineCommands } from "./offline-commands.ts";
import { selectTarget, setTarget, type TargetOptions } from "./stages.ts";

const VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

const PERSON = "a Slack user ID (U01ALICE) or an email";
const FOOTER = `
PERSON is ${PERSON}. The configuration is the nearest access.config.yaml at or above this folder,
unless --config or JIT_CONFIG says otherwise. The sandbox (npm start) is at http://127.0.0.1:7420
unless JIT_URL or JIT_PORT says otherwise. With --stage (or JIT_STAGE, or JIT_API_URL) jit calls a
deployed stage instead, signed with your AWS credentials: there you are whoever signs, and --as is
refused. Every command takes --help.`;

/** Commands whose person is `--as` in the sandbox (a stage takes the signer instead). */
const NEEDS_AS = new Set([
  "request",
  "approve",
  "deny",
  "extend",
  "revoke",
  "cancel",
  "review",
  "profiles",
  "whoami",
  "connect",
]);

type IdAction<O> = (id: string, options: O, io: Io) => number | Promise<number>;

/** Builds a fresh command tree writing to `io`; `done` receives the exit code of the command run. */
export function buildProgram(io: Io, done: (code: number) => void): Command {
  const run =
    <O>(action: Action<O>) =>
    async (options: O) =>
      done(await action(options, io));
  const runId =
    <O>(action: IdAction<O>) =>
    async (id: string, options: O) =>
      done(await action(id, options, io));

  const jit = new Command("jit")
    .description("Just-in-time access to servers through AWS Systems Manager Session Manager.")
    .version(VERSION, "-V, --version", "print jit's version")
    .helpOption("-h, --help", "show help for a command")
    .option("--stage <name>", "a deployed stage recorded with `jit stage add` (default: the sandbox)")
    .option("--aws-profile <name>", "the AWS profile whose credentials sign calls to a stage")
    .option("--region <region>", "the stage's AWS region (default: from its URL)")
    .addHelpText("after", FOOTER)
    .hook("preAction", (_jit, command) => {
      const options = command.optsWithGlobals<TargetOptions & { as?: string }>();
      const target = selectTarget(options);
      // The sandbox must be told who acts; a stage knows from the signature.
      if (!target && NEEDS_AS.has(command.name()) && !options.as)
        command.error("error: required option '--as <person>' not specified (the sandbox needs it)", {
          exitCode: 2,
          code: "commander.missingMandatoryOptionValue",
        });
      setTarget(target);
    });

  addOfflineCommands(jit, run);

  jit
    .command("request")
    .description("ask for access to a profile's nodes")
    .option("--as <person>", "who asks (the sandbox only)")
    .requiredOption("--profile <id>", "the access profile (see jit profiles)")
    .option("--for <duration>", "how long, e.g. 2h (default: the profile's)")
    .option("--reason <text>", "why: approvers read it")
    .option("--ticket <id>", "the incident or change ticket, when the profile asks for one")
    .option("--wait", "wait until access is active (exit 1 when denied, failed or expired)")
    .option(
      "--break-glass",
      "emergency: granted at once without approvers where the profile allows it (reason of 20+ characters; everyone is told, an approver reviews it)",
    )
    .option("--json", "print the request as JSON")
    .action(run<RequestOptions>(requestCommand));

  jit
    .command("list")
    .description("list requests; with --as, those waiting for your vote first, then yours")
    .option("--as <person>", "whose view")
    .option("--unreviewed", "break-glass grants still waiting for their review")
    .option("--json", "print JSON")
    .action(run(listCommand));

  jit
    .command("show")
    .description("a request, where it stands and its audit trail")
    .argument("<id>", "the request id")
    .option("--follow", "wait until it settles first (exit 1 when denied, failed or expired)")
    .option("--json", "print the record and the raw audit events")
    .action(runId(showCommand));

  jit
    .command("audit")
    .description("every request made in a window: who asked, who decided, what was granted, the sessions")
    .option("--since <span>", "how far back from now, e.g. 30d or 12h (default 30d)")
    .option("--from <date>", "the window's start: 2026-11-01, or a time with its zone (2026-11-01T09:00:00Z)")
    .option("--to <date>", "the window's end (default now); a date alone includes that day")
    .option("--profile <id>", "only this profile's requests")
    .option("--person <person>", "only this person's requests")
    .addOption(
      new Option(
        "--format <format>",
        "table for people (default), json (JSON Lines), csv for spreadsheets",
      ).choices(["table", "json", "csv"]),
    )
    .option("--json", "the same as --format json")
    .action(run<AuditOptions>(auditCommand));

  const decision = (name: string, description: string) =>
    jit
      .command(name)
      .description(description)
      .argument("<id>", "the request id")
      .option("--as <person>", "who acts (the sandbox only)")
      .option("--json", "print the result as JSON");
  decision("approve", "approve a pending request (approvers only)").action(runId(approveCommand));
  decision("deny", "deny a pending request, with a reason (approvers only)")
    .requiredOption("--reason <text>", "why, for the requester")
    .action(runId(denyCommand));
  decision("extend", "extend active access")
    .requiredOption("--by <duration>", "how much longer, e.g. 1h")
    .action(runId(extendCommand));
  decision("revoke", "end access now: the policy goes, live sessions close").action(runId(revokeCommand));
  decision("cancel", "withdraw your pending request").action(runId(cancelCommand));
  decision("review", "review a break-glass grant after the fact (approvers only, never its requester)")
    .option("--ok", "it was warranted: the review is closed")
    .option("--revoke", "it was not: end it now")
    .action(runId(reviewCommand));

  jit
    .command("sessions")
    .description(
      "Session Manager sessions and the account of each: all of the sandbox's accounts'; on a stage, your live ones",
    )
    .option("--json", "print JSON")
    .action(run(sessionsCommand));

  jit
    .command("ssm")
    .description("Session Manager, as the AWS CLI's ssm commands")
    .command("start-session")
    .description("start a session on a node, as aws ssm start-session would")
    .requiredOption("--as <person>", "who connects")
    .requiredOption("--target <node>", "the node id, e.g. i-0web1000000000001")
    .option("--document <name>", "the session document (default: a shell)")
    .option(
      "--account <name>",
      "the account the node is in, by name or id (needed only when several accounts have a node of that id)",
    )
    .option("--json", "print JSON")
    .action(run(startSessionCommand));

  jit
    .command("profiles")
    .description("what you may request: each profile's nodes, maximum duration and approvers")
    .option("--as <person>", "whose view (the sandbox only)")
    .option("--json", "print JSON")
    .action(run(profilesCommand));

  jit
    .command("whoami")
    .description("who you are to the sandbox or stage: your principal, what you approve, your active grants")
    .option("--as <person>", "who (the sandbox only)")
    .option("--json", "print JSON")
    .action(run(whoamiCommand));

  const stage = jit.command("stage").description("the deployed stages jit can call (kept in ~/.config/jit)");
  stage
    .command("add")
    .description("record a stage's API URL (the apiUrl output of npx sst deploy)")
    .argument("<name>", "the stage, e.g. production")
    .option("--url <url>", "the API's function URL (default: apiUrl from the last sst deploy here)")
    .action(async (name: string, o: { url?: string }, command: Command) =>
      done(stageAddCommand(name, o, io, command)),
    );
  stage
    .command("list")
    .description("the recorded stages")
    .option("--json", "print JSON")
    .action(run(stageListCommand));

  jit
    .command("connect")
    .description("start a session under an active grant (runs aws ssm start-session)")
    .argument("<id>", "the request id of your active grant")
    .requiredOption("--target <node>", "the node id, e.g. i-0123456789abcdef0")
    .option("--document <name>", "the session document (default: the profile's first)")
    .option(
      "--account <name>",
      "the account the node is in, by name or id (needed only when the grant's accounts both have that node id)",
    )
    .option("--as <person>", "who connects (the sandbox only)")
    .option("--print", "print the command instead of running it")
    .action(runId(connectCommand));

  jit
    .command("completion")
    .description("print bash completion for jit: source <(jit completion)")
    .action(() => {
      io.out(BASH_SCRIPT);
      done(0);
    });

  return jit;
}
