/**
 * The real parts wired together for integration tests: dynalite behind the DynamoDB adapter, the
 * real workflow definition on aws-local-stepfunctions calling the real Lambda handlers, the sandbox
 * account for IAM and SSM, a recording notifier and a fake clock.
 */

import type { SandboxAccount } from "../../adapters/local/account.ts";
import type { LocalDynamo } from "../../adapters/local/dynamo.ts";
import type { SandboxOrganization } from "../../adapters/local/organization.ts";
import type { LocalTask, LocalWorkflow } from "../../adapters/local/workflow.ts";
import { FakeClock } from "../../core/clock.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import type { Deps, Notice, RequestStore } from "../../core/ports.ts";
import type { AccessRequest, Status } from "../../core/request.ts";
import { type SandboxOptions, startSandbox } from "../../local/sandbox.ts";
import { NODES } from "../fixtures/nodes.ts";
import { exampleConfig } from "./config.ts";

export interface Harness {
  deps: Deps;
  account: SandboxAccount;
  /** Every account (the hub's included) and the hub's AssumeRole into the others. */
  organization: SandboxOrganization;
  workflow: LocalWorkflow;
  clock: FakeClock;
  notices: Notice[];
  /** Polls the record until `until` holds (or fails after `timeoutMs`). */
  waitFor: (id: string, until: (r: AccessRequest) => boolean, timeoutMs?: number) => Promise<AccessRequest>;
  waitForStatus: (id: string, status: Status) => Promise<AccessRequest>;
  stop: () => Promise<void>;
}

export interface HarnessOptions {
  config?: AccessConfig;
  wrap?: (state: string, task: LocalTask) => LocalTask;
  /** Wraps the store (fault injection). */
  store?: (store: RequestStore) => RequestStore;
  notifier?: SandboxOptions["notifier"];
  dynamo?: LocalDynamo;
  transcriptsDir?: string;
  /** Where use cases record metrics (none when absent). */
  metrics?: SandboxOptions["metrics"];
  /** Nodes of the member accounts, by account id (a multi-account config). */
  memberNodes?: SandboxOptions["memberNodes"];
}

let tableCounter = 0;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock("2026-11-26T09:00:00Z");
  const sandbox = await startSandbox({
    config: options.config ?? exampleConfig(),
    nodes: NODES,
    clock,
    table: `jit-test-${++tableCounter}`,
    dynamo: options.dynamo,
    notifier: options.notifier,
    wrapStore: options.store,
    wrapTask: options.wrap,
    transcriptsDir: options.transcriptsDir,
    metrics: options.metrics,
    memberNodes: options.memberNodes,
  });
  const waitFor = async (id: string, until: (r: AccessRequest) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await sandbox.store.get(id);
      if (record && until(record)) return record;
      if (Date.now() > deadline)
        throw new Error(`request ${id} never reached the expected state (now ${record?.status})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    deps: sandbox.deps,
    account: sandbox.account,
    organization: sandbox.organization,
    workflow: sandbox.workflow,
    clock,
    notices: sandbox.notices,
    waitFor,
    waitForStatus: (id, status) => waitFor(id, (r) => r.status === status),
    stop: sandbox.stop,
  };
}

/** Runs `extra` right before a state's own task (people acting while a grant is live). */
export const beforeState =
  (state: string, extra: () => Promise<void> | void): HarnessOptions["wrap"] =>
  (name, task) =>
    name === state
      ? async (input) => {
          await extra();
          return task(input);
        }
      : task;
