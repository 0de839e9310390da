/**
 * `npm start`: the whole product on this machine, on embedded parts, on 127.0.0.1. DynamoDB is
 * dynalite on disk (.jit/, kept across restarts), the workflow is the real definition on
 * aws-local-stepfunctions with the real handlers, AWS is a sandbox organization (the hub's account and
 * every account a profile spans, each with its nodes, principals and sessions, kept in
 * .jit/accounts.json) whose IAM answers come from iam-simulate, the sweeper runs on a timer. `jit`
 * (or Slack over Socket Mode) is the front door.
 *
 * The API answers only `jit`: it checks Host and Origin, takes JSON only, and wants the per-run
 * token written to <JIT_DATA>/api-token (mode 0600).
 *
 * Settings: JIT_PORT (7420), JIT_DATA (.jit), JIT_CLOCK_OFFSET (e.g. "2h": run as if that much later;
 * a test and demo aid), JIT_CONFIG, JIT_NODES, JIT_PEOPLE, SLACK_APP_TOKEN + SLACK_BOT_TOKEN.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfigFile } from "../adapters/config-file.ts";
import { sandboxHints } from "../cli/banner.ts";
import { grantsWithoutApprovers } from "../core/approval.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { parseDuration } from "../core/duration.ts";
import { ConfigError } from "../core/errors.ts";
import { label } from "../core/usecases/in-account.ts";
import { sweep } from "../core/usecases/sweep.ts";
import { keepAccountsOnDisk } from "./accounts-file.ts";
import { startApi } from "./api.ts";
import { newApiToken, writeApiToken } from "./api-guard.ts";
import { ConsoleNotifier } from "./console-notifier.ts";
import { SandboxRunningError, takeDataLock } from "./data-lock.ts";
import { SCHEDULE_FILE, startSandboxOnCall } from "./fake-oncall-wiring.ts";
import { FleetError, sandboxFleets } from "./nodes.ts";
import { startSandbox } from "./sandbox.ts";
import { startSlackSocket } from "./slack-socket.ts";

const SWEEP_EVERY_MS = 15_000;
const PARENT_CHECK_MS = 500;

function clockFromEnv(): Clock {
  const offset = process.env.JIT_CLOCK_OFFSET;
  if (!offset) return systemClock;
  const ms = parseDuration(offset, "JIT_CLOCK_OFFSET") * 1000;
  return { now: () => new Date(Date.now() + ms) };
}

async function main(): Promise<void> {
  const port = Number(process.env.JIT_PORT ?? 7420);
  const dataDir = resolve(process.env.JIT_DATA ?? ".jit");
  mkdirSync(dataDir, { recursive: true });
  // Before dynalite opens the folder: a second sandbox on it is refused here, in one line.
  const lock = takeDataLock(dataDir);
  process.on("exit", lock.release);
  const config = loadConfigFile();
  const clock = clockFromEnv();
  const notifier = new ConsoleNotifier();

  const fleets = sandboxFleets(config);
  const sandbox = await startSandbox({
    config,
    nodes: fleets.nodes,
    memberNodes: fleets.memberNodes,
    clock,
    dataPath: join(dataDir, "dynamo"),
    notifier,
    transcriptsDir: join(dataDir, "transcripts"),
  });
  const { deps, account, organization, workflow } = sandbox;
  // On-call lookups go to fake providers serving the local schedule file (real adapters, real REST).
  const onCall = await startSandboxOnCall(deps);
  // Every account's grants and sessions as the last run left them (an older folder: the hub's alone).
  const saved = keepAccountsOnDisk(organization, dataDir);
  for (const id of saved.unreachable)
    console.log(
      `sandbox   account ${id} holds grants from an earlier run, but the config spans it no more: they are kept in accounts.json, untouched`,
    );
  // Every unsettled request resumes its workflow, except grants that expired while the sandbox was
  // down: the sweeper, run right after, revokes those.
  let resumed = 0;
  const now = clock.now().toISOString();
  for (const status of ["PENDING", "APPROVED", "ACTIVE"] as const) {
    for (const r of await deps.store.listByStatus(status)) {
      const profile = config.profiles[r.profileId];
      if (!profile || (status === "ACTIVE" && (r.expiresAt ?? "") <= now)) continue;
      await workflow.start(r.id, {
        requestId: r.id,
        autoApprove: status !== "PENDING" || grantsWithoutApprovers(profile, r),
        approvalTimeoutSeconds: profile.approvalTimeoutSeconds,
      });
      resumed++;
    }
  }
  const first = await sweep(deps);
  if (first.revokedOverdue.length + first.deletedPolicies.length + first.settledRequests.length > 0) {
    console.log(
      `sweeper   revoked ${first.revokedOverdue.length} overdue grant(s) [${first.revokedOverdue.join(", ")}], deleted ${first.deletedPolicies.length} leftover policies, settled ${first.settledRequests.length} request(s)`,
    );
  }

  // A fresh token per run: `jit` sends it, a web page cannot read it. Written only once the API
  // listens, so a second `npm start` that finds the port taken leaves the running one's token alone.
  const token = newApiToken();
  const api = await startApi({ deps, account, organization, notices: notifier.kept }, port, { token }).catch(
    async (error: Error) => {
      await sandbox.stop();
      throw error;
    },
  );
  writeApiToken(dataDir, token);
  // JIT_PORT=0 takes any free port; the banner says which.
  const address = api.address();
  const apiPort = typeof address === "object" && address ? address.port : port;
  lock.setPort(apiPort);
  const slack = await startSlackSocket(() => deps, account);
  if (slack) notifier.also = slack.notifier;
  const timer = setInterval(() => {
    sweep(deps).catch((error) => console.error("sandbox: sweep failed:", error));
  }, SWEEP_EVERY_MS);

  const accounts = [...organization.accounts].map(
    ([id, a]) =>
      `${label(config, id)}: ${a.nodes.length} nodes${id === config.accountId && organization.accounts.size > 1 ? " (the hub)" : ""}`,
  );
  console.log(`JIT access sandbox is running (${Object.keys(config.profiles).length} profiles)
  Accounts    ${accounts.join("; ")}
  API         http://127.0.0.1:${apiPort}   (the jit command talks to it; JIT_URL to point elsewhere)
  DynamoDB    ${sandbox.dynamo.endpoint}   data in ${dataDir}
  Workflow    the real definition on aws-local-stepfunctions${resumed ? `; ${resumed} request(s) resumed` : ""}
  Sweeper     every ${SWEEP_EVERY_MS / 1000} s${onCall.urls.length ? `\n  On call     ${onCall.urls.join(", ")} serving ${SCHEDULE_FILE}` : ""}
  Slack       ${slack ? "connected over Socket Mode" : "off (set SLACK_APP_TOKEN and SLACK_BOT_TOKEN for Socket Mode); use jit"}${clock === systemClock ? "" : `\n  Clock       shifted by ${process.env.JIT_CLOCK_OFFSET}`}
${sandboxHints(apiPort, dataDir, resolve(".jit"))}
Stop with Ctrl-C.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await new Promise<void>((r) => api.close(() => r()));
    await slack?.app.stop();
    await onCall.stop();
    await sandbox.stop();
    saved.save();
    lock.release();
    console.log("sandbox stopped; data kept in", dataDir);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", stop);
  // SIGTERM to `npm start` reaches npm's shell, not this process: when the parent is gone (this
  // process is handed to init or a subreaper), stop as if told to.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop();
  }, PARENT_CHECK_MS).unref();
}

main().catch((error) => {
  if (error instanceof SandboxRunningError || error instanceof FleetError) {
    console.error(`sandbox: ${error.message}`);
  } else if (error instanceof ConfigError) {
    console.error(`The configuration has ${error.issues.length} problem(s):`);
    for (const issue of error.issues)
      console.error(`  ${issue.path ? `${issue.path}: ` : ""}${issue.message}`);
  } else {
    console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
