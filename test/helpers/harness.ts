/**
 * The real parts wired together for integration tests: dynalite behind the DynamoDB adapter, the
 * real workflow definition on aws-local-stepfunctions calling the real Lambda handlers, the sandbox
 * account for IAM and SSM, a recording notifier and a fake clock.
 */

import { DynamoRequestStore } from "../../adapters/aws/dynamodb.ts";
import { SandboxAccount } from "../../adapters/local/account.ts";
import { createRequestsTable, type LocalDynamo, startLocalDynamo } from "../../adapters/local/dynamo.ts";
import type { LocalTask, LocalWorkflow } from "../../adapters/local/workflow.ts";
import { FakeClock } from "../../core/clock.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import type { Deps, Notice, Notifier, RequestStore } from "../../core/ports.ts";
import { configuredPrincipalArns } from "../../core/principal.ts";
import type { AccessRequest, Status } from "../../core/request.ts";
import { useDeps } from "../../functions/runtime.ts";
import { createLocalWorkflow } from "../../local/wiring.ts";
import { NODES } from "../fixtures/nodes.ts";
import { exampleConfig } from "./config.ts";

export interface Harness {
  deps: Deps;
  account: SandboxAccount;
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
  notifier?: Notifier;
  dynamo?: LocalDynamo;
}

let tableCounter = 0;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dynamo = options.dynamo ?? (await startLocalDynamo());
  const table = `jit-test-${++tableCounter}`;
  await createRequestsTable(dynamo.client, table);
  const config = options.config ?? exampleConfig();
  const clock = new FakeClock("2026-11-26T09:00:00Z");
  const account = new SandboxAccount({
    nodes: NODES,
    allowedArns: configuredPrincipalArns(config),
    now: () => clock.now(),
  });
  const notices: Notice[] = [];
  const notifier = options.notifier ?? { notify: async (n: Notice) => void notices.push(n) };
  const workflow = createLocalWorkflow({ clock, wrap: options.wrap });
  const baseStore = new DynamoRequestStore(table, dynamo.client);
  const deps: Deps = {
    config,
    store: options.store ? options.store(baseStore) : baseStore,
    broker: account,
    sessions: account,
    workflow,
    notifier,
    clock,
  };
  useDeps(deps);

  const waitFor = async (id: string, until: (r: AccessRequest) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await baseStore.get(id);
      if (record && until(record)) return record;
      if (Date.now() > deadline)
        throw new Error(`request ${id} never reached the expected state (now ${record?.status})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    deps,
    account,
    workflow,
    clock,
    notices,
    waitFor,
    waitForStatus: (id, status) => waitFor(id, (r) => r.status === status),
    stop: async () => {
      workflow.stopAll();
      useDeps(undefined);
      if (!options.dynamo) await dynamo.stop();
    },
  };
}
