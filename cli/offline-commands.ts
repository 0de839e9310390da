/**
 * The commands that need no sandbox: they read the configuration (the nearest access.config.yaml,
 * --config or JIT_CONFIG) and print what a deploy or a review needs.
 */
import type { Command } from "commander";
import { configCheck } from "./commands/config-check.ts";
import { identityCenterCommands } from "./commands/identity-center.ts";
import { type PreviewOptions, policyPreview } from "./commands/policy-preview.ts";
import { slackManifest } from "./commands/slack-manifest.ts";
import type { Io } from "./io.ts";

/** A command's work: its parsed options in, its exit code out. */
export type Action<O> = (options: O, io: Io) => number | Promise<number>;

/** Adds `config check`, `policy preview`, `slack manifest` and `identity-center commands`. */
export function addOfflineCommands(
  program: Command,
  run: <O>(action: Action<O>) => (options: O) => Promise<void>,
): void {
  const config = program.command("config").description("the access configuration (access.config.yaml)");
  config
    .command("check")
    .description("validate the configuration: every problem at once, with its path")
    .option("--config <file>", "the configuration file")
    .option("--json", "print the normalized configuration")
    .action(run(configCheck));

  program
    .command("policy")
    .description("the IAM policies grants attach")
    .command("preview")
    .description("print exactly the policy a grant would attach, and what it allows")
    .requiredOption("--profile <id>", "the access profile")
    .requiredOption("--principal <ref>", "a Slack user ID, an email or an IAM ARN")
    .option("--for <duration>", "how long, e.g. 90m (default: the profile's)")
    .option("--config <file>", "the configuration file")
    .option("--json", "print the policy, its name and size as JSON")
    .action(run<PreviewOptions>((o, out) => policyPreview(o, out)));

  program
    .command("slack")
    .description("the Slack app")
    .command("manifest")
    .description("print the Slack app manifest with the deployed request URL filled in")
    .requiredOption("--url <url>", "the slackRequestUrl output of the deploy")
    .action(run(slackManifest));

  program
    .command("identity-center")
    .description("the Identity Center shared role's permission set")
    .command("commands")
    .description("print the one-time AWS CLI commands that attach the grant slots to the permission set")
    .option("--config <file>", "the configuration file")
    .action(run(identityCenterCommands));
}
