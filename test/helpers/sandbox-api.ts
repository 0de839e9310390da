/**
 * A real sandbox (the example config, its organization's fleet, the system clock) behind the real
 * sandbox API, with the run token written where `jit` reads it: what the CLI tests drive, `jit`
 * called in-process. Sets JIT_DATA and JIT_URL for the run; `stop` takes them back and removes the
 * data folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../core/clock.ts";
import { startApi } from "../../local/api.ts";
import { writeApiToken } from "../../local/api-guard.ts";
import { ConsoleNotifier } from "../../local/console-notifier.ts";
import { exampleFleets } from "../../local/nodes.ts";
import { type Sandbox, startSandbox } from "../../local/sandbox.ts";
import { exampleConfig } from "./config.ts";

export interface SandboxApi {
  sandbox: Sandbox;
  /** The folder holding the run token (JIT_DATA). */
  dataDir: string;
  url: string;
  stop: () => Promise<void>;
}

/** Starts the sandbox and its API on a free port of 127.0.0.1; `table` names its DynamoDB table. */
export async function startSandboxApi(table: string): Promise<SandboxApi> {
  const config = exampleConfig();
  const fleets = exampleFleets(config);
  const sandbox = await startSandbox({
    config,
    nodes: fleets.nodes,
    memberNodes: fleets.memberNodes,
    clock: systemClock,
    notifier: new ConsoleNotifier(() => {}),
    table,
  });
  const dataDir = mkdtempSync(join(tmpdir(), `${table}-`));
  const token = writeApiToken(dataDir);
  const server = await startApi(
    { deps: sandbox.deps, account: sandbox.account, organization: sandbox.organization, notices: [] },
    0,
    { token },
  );
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  Object.assign(process.env, { JIT_DATA: dataDir, JIT_URL: url });
  return {
    sandbox,
    dataDir,
    url,
    stop: async () => {
      for (const name of ["JIT_DATA", "JIT_URL"]) delete process.env[name];
      rmSync(dataDir, { recursive: true, force: true });
      await new Promise<void>((r) => server.close(() => r()));
      await sandbox.stop();
    },
  };
}
