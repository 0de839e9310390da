/**
 * The product on embedded parts, in one process: dynalite (in memory or on disk) behind the DynamoDB
 * adapter, the real workflow definition on aws-local-stepfunctions calling the real Lambda handlers,
 * and a sandbox AWS account for IAM and SSM. Tests, benchmarks and `npm start` all build on this.
 */
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { SandboxAccount, type SandboxNode } from "../adapters/local/account.ts";
import { createRequestsTable, type LocalDynamo, startLocalDynamo } from "../adapters/local/dynamo.ts";
import { SandboxOrganization } from "../adapters/local/organization.ts";
import type { LocalTask, LocalWorkflow } from "../adapters/local/workflow.ts";
import { LoggedMetrics, readableSink } from "../adapters/observability/readable.ts";
import {
  accountDisplay,
  accountPrincipalArns,
  BROKER_ROLE_NAME,
  memberAccountIds,
} from "../core/accounts.ts";
import { type Clock, FakeClock } from "../core/clock.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { type LogSink, setLogSink } from "../core/log.ts";
import type { Metrics } from "../core/metrics.ts";
import type { Deps, Notice, Notifier, RequestStore, SessionNotice } from "../core/ports.ts";
import { configuredPrincipalArns } from "../core/principal.ts";
import { basePolicyArn, basePolicyDocument, emptySlot, slotArns } from "../core/slots.ts";
import { configIn } from "../core/usecases/in-account.ts";
import { handleSessionEvent } from "../core/usecases/session-events.ts";
import { useDeps } from "../functions/runtime.ts";
import { endingTranscripts, transcriptPath } from "./transcripts.ts";
import { createLocalWorkflow } from "./wiring.ts";

export interface SandboxOptions {
  config: AccessConfig;
  nodes: SandboxNode[];
  /** A FakeClock runs lifecycles in simulated time; the system clock in real time. */
  clock: Clock;
  /** dynalite's folder; in memory when absent. */
  dataPath?: string;
  port?: number;
  table?: string;
  /** An already running dynalite to share (tests start one per file). */
  dynamo?: LocalDynamo;
  /** A notifier, or a factory for one that needs the sandbox's own store and sessions. */
  notifier?:
    | Notifier
    | ((parts: { store: RequestStore; sessions: SandboxAccount; config: AccessConfig }) => Notifier);
  wrapStore?: (store: RequestStore) => RequestStore;
  wrapTask?: (state: string, task: LocalTask) => LocalTask;
  /** Where sessions write their transcript files (<JIT_DATA>/transcripts); none written when absent. */
  transcriptsDir?: string;
  /**
   * Where the handlers' log lines go. Default: one readable line each on a terminal; Lambda's
   * Powertools JSON lines otherwise (tests, a pipe), exactly as CloudWatch would receive them.
   */
  logs?: LogSink;
  /** Where use cases record metrics. Default: debug lines of the readable log on a terminal, none otherwise. */
  metrics?: Metrics;
  /**
   * The managed nodes of each member account (issue 12), by account id. Every account a profile spans
   * besides the hub becomes a sandbox account of its own, with these nodes (none when absent).
   */
  memberNodes?: Record<string, SandboxNode[]>;
}

export interface Sandbox {
  deps: Deps;
  /** The hub's account. */
  account: SandboxAccount;
  /** Every account, the hub's included, and the hub's way into the others (AssumeRole). */
  organization: SandboxOrganization;
  workflow: LocalWorkflow;
  dynamo: LocalDynamo;
  /** The store without any wrapper, for reading what really landed. */
  store: RequestStore;
  /** Notices kept when no notifier was given. */
  notices: Notice[];
  sessionNotices: SessionNotice[];
  stop: () => Promise<void>;
}

/**
 * What the stack and the permission set do on AWS for a shared role: the customer-managed slot
 * policies (each empty: its placeholder) and the base policy, all attached to the role. Policies the
 * account already holds are left as they are (a restored sandbox keeps its grants).
 */
export function provisionSharedRole(account: SandboxAccount, config: AccessConfig): void {
  const shared = config.principals.sharedRole;
  if (!shared) return;
  const policies = [
    ...slotArns(config).map((arn) => [arn, emptySlot()] as const),
    [basePolicyArn(config), basePolicyDocument(config)] as const,
  ];
  for (const [arn, document] of policies) {
    if (!account.hasManagedPolicy(arn)) account.createManagedPolicy(arn, document);
    account.attachManagedPolicy(shared.arn, arn);
  }
}

/** Starts the sandbox and installs it as the dependencies of every Lambda handler in this process. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const dynamo = options.dynamo ?? (await startLocalDynamo({ path: options.dataPath, port: options.port }));
  const table = options.table ?? "jit-access";
  await createRequestsTable(dynamo.client, table);
  const { clock, config } = options;
  const members = memberAccountIds(config);
  const account = new SandboxAccount({
    nodes: options.nodes,
    allowedArns: configuredPrincipalArns(config),
    now: () => clock.now(),
    // In an organization every account refuses another's ARNs, the hub's included.
    ...(members.length > 0 ? { accountId: config.accountId } : {}),
  });
  provisionSharedRole(account, config);
  const accounts: Record<string, SandboxAccount> = { [config.accountId]: account };
  for (const id of members) {
    const member = new SandboxAccount({
      nodes: options.memberNodes?.[id] ?? [],
      allowedArns: accountPrincipalArns(config, id),
      now: () => clock.now(),
      accountId: id,
    });
    // What the spoke's StackSet instance creates there: the slots and base policy of its shared role.
    provisionSharedRole(member, configIn(config, id));
    accounts[id] = member;
  }
  const organization = new SandboxOrganization({
    hubAccountId: config.accountId,
    accounts,
    now: () => clock.now(),
    label: (id) => accountDisplay(config, id),
  });
  const notices: Notice[] = [];
  const sessionNotices: SessionNotice[] = [];
  const store = new DynamoRequestStore(table, dynamo.client);
  const given =
    typeof options.notifier === "function"
      ? options.notifier({ store, sessions: account, config })
      : options.notifier;
  const announced = given ?? {
    notify: async (n: Notice) => void notices.push(n),
    notifySession: async (n: SessionNotice) => void sessionNotices.push(n),
  };
  const { transcriptsDir } = options;
  const transcriptFile = transcriptsDir ? (id: string) => transcriptPath(transcriptsDir, id) : undefined;
  const notifier = transcriptFile ? endingTranscripts(announced, transcriptFile) : announced;
  const workflow = createLocalWorkflow({
    clock: clock instanceof FakeClock ? clock : undefined,
    wrap: options.wrapTask,
  });
  const logs = options.logs ?? (process.stdout.isTTY ? readableSink() : undefined);
  if (logs) setLogSink(logs);
  const deps: Deps = {
    metrics: options.metrics ?? (logs ? new LoggedMetrics(logs) : undefined),
    config,
    store: options.wrapStore ? options.wrapStore(store) : store,
    broker: account,
    sessions: account,
    ...(members.length > 0 ? { accounts: organization } : {}),
    workflow,
    notifier,
    sessionLog: store,
    clock,
    transcriptFile,
  };
  useDeps(deps);
  // A revocation's TerminateSession shows up in CloudTrail; the sandbox hands it on the same way.
  const inflightEvents = new Set<Promise<unknown>>();
  // Each account's TerminateSession reaches the hub's bus with that account as its source.
  for (const [accountId, each] of organization.accounts) {
    each.onTerminate = (session) => {
      const handled = handleSessionEvent(deps, {
        eventId: `terminate-${session.sessionId}`,
        name: "TerminateSession",
        accountId,
        time: clock.now().toISOString(),
        region: session.region ?? "eu-west-1",
        // The hub revokes as its function; a member's TerminateSession is made by its broker role.
        ...(accountId === config.accountId
          ? {
              actorArn: `arn:aws:sts::${accountId}:assumed-role/jit-sandbox-RevokeAccess/revoke`,
              principalArn: `arn:aws:iam::${accountId}:role/jit-sandbox-RevokeAccess`,
            }
          : {
              actorArn: `arn:aws:sts::${accountId}:assumed-role/${BROKER_ROLE_NAME}/jit-revoke-access`,
              principalArn: `arn:aws:iam::${accountId}:role/${BROKER_ROLE_NAME}`,
            }),
        sessionId: session.sessionId,
      }).catch((error) => console.error("sandbox: session end not recorded:", error));
      inflightEvents.add(handled);
      void handled.finally(() => inflightEvents.delete(handled));
    };
  }
  return {
    deps,
    account,
    organization,
    workflow,
    dynamo,
    store,
    notices,
    sessionNotices,
    stop: async () => {
      await workflow.stopAll();
      await Promise.allSettled([...inflightEvents]);
      useDeps(undefined);
      if (!options.dynamo) await dynamo.stop();
    },
  };
}
