/**
 * `aws ssm start-session`, in the sandbox: IAM's answer is computed by evaluating the caller's actual
 * policies in the node's account with iam-simulate (a dev dependency: the sandbox is local, never
 * deployed), then the session opens or is refused, and CloudTrail's record of it goes through the
 * real session-event handling, as a member account's events reach the hub's bus.
 *
 * A node id is unique within its account, not across the organization: the account is the one that
 * holds the node, or the one `account` names (the AWS CLI's profile, in effect) when several do.
 */
import { randomUUID } from "node:crypto";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { SandboxAccount, type SandboxNode } from "../adapters/local/account.ts";
import type { SandboxOrganization } from "../adapters/local/organization.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { ValidationError } from "../core/errors.ts";
import type { Deps } from "../core/ports.ts";
import type { Person, Principal } from "../core/principal.ts";
import { resolvePrincipal } from "../core/principal.ts";
import { transcriptOf } from "../core/transcripts.ts";
import { configIn, inAccountError, label } from "../core/usecases/in-account.ts";
import { handleSessionEvent, type SessionOutcome } from "../core/usecases/session-events.ts";
import { writeTranscriptStart } from "./transcripts.ts";

/** How the caller appears to IAM and CloudTrail. */
export function callerOf(
  principal: Principal,
  person: Person,
  accountId: string,
): { arn: string; sessionName: string | undefined; keys: Record<string, string> } {
  const sessionName =
    principal.kind === "shared-role"
      ? principal.sessionName
      : (person.email?.split("@")[0] ?? person.slackUserId);
  if (principal.kind === "user") {
    return {
      arn: principal.arn,
      sessionName: undefined,
      keys: { "aws:userid": `AIDA${principal.name.toUpperCase()}`, "aws:username": principal.name },
    };
  }
  return {
    arn: `arn:aws:sts::${accountId}:assumed-role/${principal.name}/${sessionName}`,
    sessionName,
    keys: {
      "aws:userid": `AROA${principal.name
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, "")
        .slice(0, 16)}:${sessionName}`,
    },
  };
}

async function allowed(
  principalArn: string,
  action: string,
  resource: string,
  accountId: string,
  policies: { name: string; policy: unknown }[],
  context: Record<string, string>,
) {
  const result = await runSimulation(
    {
      request: {
        principal: principalArn,
        action,
        resource: { resource, accountId },
        contextVariables: context,
      },
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error")
    throw new Error(`the simulator refused the request: ${JSON.stringify(result.errors)}`);
  return result.resultType === "single" && result.overallResult === "Allowed";
}

const nodeArn = (node: SandboxNode, accountId: string) =>
  node.id.startsWith("mi-")
    ? `arn:aws:ssm:${node.region}:${accountId}:managed-instance/${node.id}`
    : `arn:aws:ec2:${node.region}:${accountId}:instance/${node.id}`;

export interface StartSessionResult {
  allowed: boolean;
  sessionId?: string;
  /** The account the node is in, where the session was started or refused. */
  accountId: string;
  reason?: string;
  outcome: SessionOutcome;
}

/** Where sessions start: the sandbox organization, or one sandbox account. */
export type SessionPlace = SandboxOrganization | SandboxAccount;

/** The node and the account that holds it. */
export interface LocatedNode {
  accountId: string;
  account: SandboxAccount;
  node: SandboxNode;
}

/** The account id `account` means: a name from the config's accounts, or an id. */
function accountIdOf(config: AccessConfig, accounts: string[], account: string): string {
  const id = config.accounts?.[account] ?? account;
  if (accounts.includes(id)) return id;
  throw new ValidationError(
    "account",
    `no account ${account} in the sandbox; its accounts are ${accounts.map((a) => label(config, a)).join(", ")}`,
  );
}

/**
 * The account holding `target`: the one `account` names, else the only one that has such a node.
 * Refuses a node no account has, and a node id several accounts have when no account is named.
 */
export function locateNode(
  config: AccessConfig,
  place: SessionPlace,
  target: string,
  account?: string,
): LocatedNode {
  const accounts: [string, SandboxAccount][] =
    place instanceof SandboxAccount ? [[place.accountId ?? config.accountId, place]] : [...place.accounts];
  const ids = accounts.map(([id]) => id);
  const wanted = account === undefined ? undefined : accountIdOf(config, ids, account);
  const holders = accounts.filter(([id, a]) => (wanted === undefined || id === wanted) && a.node(target));
  const [first] = holders;
  if (first && holders.length === 1) {
    const [accountId, found] = first;
    return { accountId, account: found, node: found.node(target) as SandboxNode };
  }
  if (holders.length > 1)
    throw new ValidationError(
      "account",
      `${target} is a node of ${holders.map(([id]) => label(config, id)).join(" and ")}: say which account with --account`,
    );
  const elsewhere = accounts.filter(([, a]) => a.node(target)).map(([id]) => label(config, id));
  if (wanted !== undefined && elsewhere.length > 0)
    throw new ValidationError(
      "target",
      `no node ${target} in account ${label(config, wanted)}; it is in ${elsewhere.join(", ")}`,
    );
  const listed = accounts
    .filter(([id]) => wanted === undefined || id === wanted)
    .map(([id, a]) => `${label(config, id)}: ${a.nodes.map((n) => n.id).join(", ") || "none"}`);
  throw new ValidationError("target", `no node ${target} in the sandbox; nodes in ${listed.join("; ")}`);
}

/**
 * Starts a session as `person` on `target`, in the account that holds it (or the one `account`
 * names), if IAM (simulated) allows it there.
 */
export async function startSession(
  deps: Deps,
  place: SessionPlace,
  input: { person: Person; target: string; document?: string; account?: string },
): Promise<StartSessionResult> {
  const { config } = deps;
  const { accountId, account, node } = locateNode(config, place, input.target, input.account);
  let principal: Principal;
  try {
    // The person's principal in that account: their credentials there, in AWS's terms.
    principal = resolvePrincipal(configIn(config, accountId), input.person);
  } catch (error) {
    throw inAccountError(config, accountId, error);
  }
  const caller = callerOf(principal, input.person, accountId);
  const now = deps.clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");
  // What IAM evaluates: attached inline policies, and deleted ones still inside the propagation window.
  const policies = account.effectivePolicies(principal.arn);
  const document = input.document ?? "SSM-SessionManagerRunShell";
  const tagKeys = Object.fromEntries(Object.entries(node.tags).map(([k, v]) => [`ssm:resourceTag/${k}`, v]));
  // aws:RequestedRegion: the region of the endpoint called, which is the node's for StartSession.
  const base = { ...caller.keys, "aws:CurrentTime": now, "aws:RequestedRegion": node.region };
  const onNode = await allowed(
    caller.arn,
    "ssm:StartSession",
    nodeArn(node, accountId),
    accountId,
    policies,
    {
      ...base,
      ...tagKeys,
      "ssm:SessionDocumentAccessCheck": "true",
    },
  );
  // AWS-owned documents have no account in their real ARN; the simulator needs one to parse it.
  const onDocument = await allowed(
    caller.arn,
    "ssm:StartSession",
    `arn:aws:ssm:${node.region}:${accountId}:document/${document}`,
    accountId,
    policies,
    base,
  );
  const event = {
    eventId: randomUUID(),
    name: "StartSession" as const,
    accountId,
    time: deps.clock.now().toISOString(),
    region: node.region,
    actorArn: caller.arn,
    principalArn: principal.arn,
    sessionName: caller.sessionName,
    target: node.id,
  };
  if (!onNode || !onDocument) {
    const reason = `${caller.arn} is not authorized to perform: ssm:StartSession on ${!onNode ? nodeArn(node, accountId) : `document ${document}`}: no identity-based policy allows it`;
    const outcome = await handleSessionEvent(deps, {
      ...event,
      errorCode: "AccessDenied",
      errorMessage: reason,
    });
    return { allowed: false, accountId, reason, outcome };
  }
  const session = account.openSession(caller.arn, node.id, document);
  const outcome = await handleSessionEvent(deps, { ...event, sessionId: session.sessionId, document });
  // Like Session Manager, only shell sessions leave a transcript (core/transcripts.ts says why).
  const transcript = transcriptOf(
    config,
    { sessionId: session.sessionId, region: node.region, document },
    deps.transcriptFile,
  );
  if (transcript.kind === "file") {
    const record = await deps.sessionLog.getSession(session.sessionId);
    writeTranscriptStart(
      transcript.path,
      {
        sessionId: session.sessionId,
        at: event.time,
        owner: caller.arn,
        target: node.id,
        region: node.region,
        document,
      },
      record?.requestId,
    );
  }
  return { allowed: true, sessionId: session.sessionId, accountId, outcome };
}
