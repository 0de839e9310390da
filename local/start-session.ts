/**
 * `aws ssm start-session`, in the sandbox: IAM's answer is computed by evaluating the caller's actual
 * inline policies with iam-simulate (a dev dependency: the sandbox is local, never deployed), then
 * the session opens or is refused, and CloudTrail's record of it goes through the real session-event
 * handling.
 */
import { randomUUID } from "node:crypto";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { SandboxAccount, SandboxNode } from "../adapters/local/account.ts";
import { ValidationError } from "../core/errors.ts";
import type { Deps } from "../core/ports.ts";
import type { Person, Principal } from "../core/principal.ts";
import { resolvePrincipal } from "../core/principal.ts";
import { transcriptOf } from "../core/transcripts.ts";
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
  reason?: string;
  outcome: SessionOutcome;
}

/** Starts a session as `person` on `target`, if IAM (simulated) allows it. */
export async function startSession(
  deps: Deps,
  account: SandboxAccount,
  input: { person: Person; target: string; document?: string },
): Promise<StartSessionResult> {
  const node = account.node(input.target);
  if (!node)
    throw new ValidationError(
      "target",
      `no node ${input.target} in the sandbox; nodes: ${account.nodes.map((n) => n.id).join(", ")}`,
    );
  const { config } = deps;
  const principal = resolvePrincipal(config, input.person);
  const caller = callerOf(principal, input.person, config.accountId);
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
    nodeArn(node, config.accountId),
    config.accountId,
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
    `arn:aws:ssm:${node.region}:${config.accountId}:document/${document}`,
    config.accountId,
    policies,
    base,
  );
  const event = {
    eventId: randomUUID(),
    name: "StartSession" as const,
    accountId: config.accountId,
    time: deps.clock.now().toISOString(),
    region: node.region,
    actorArn: caller.arn,
    principalArn: principal.arn,
    sessionName: caller.sessionName,
    target: node.id,
  };
  if (!onNode || !onDocument) {
    const reason = `${caller.arn} is not authorized to perform: ssm:StartSession on ${!onNode ? nodeArn(node, config.accountId) : `document ${document}`}: no identity-based policy allows it`;
    const outcome = await handleSessionEvent(deps, {
      ...event,
      errorCode: "AccessDenied",
      errorMessage: reason,
    });
    return { allowed: false, reason, outcome };
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
  return { allowed: true, sessionId: session.sessionId, outcome };
}
