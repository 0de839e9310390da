/**
 * Least privilege, derived from the access configuration. Pure: given the ARNs of the product's own
 * resources, each function's statements name exactly what it may touch. Unit-tested and evaluated
 * with iam-simulate (test/unit/stacks).
 *
 * One limit IAM itself cannot express: it has no condition key for an inline policy's name, so "only
 * policies named jit-*" is enforced in the IAM adapter, which refuses any other name before calling.
 *
 * A shared role's grants live in the customer-managed policies `/jit/jit-grants-N` (core/slots.ts):
 * the functions that write or take back grants may read them and add or delete their versions, and
 * nothing else on any managed policy (no CreatePolicy, no attaching, no SetDefaultPolicyVersion).
 */
import { brokerRoleArn, memberAccountIds, readerRoleArn } from "../core/accounts.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { configuredPrincipalArns, parsePrincipalArn } from "../core/principal.ts";
import { isIdentityCenterRole, SLOT_PATH } from "../core/slots.ts";
import type { FunctionName } from "./entries.ts";

export type { FunctionName };

/** A statement in the shape SST's `permissions` takes. */
export interface Permission {
  actions: string[];
  resources: string[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

/** The product's own resources, as ARNs. */
export interface ResourceArns {
  table: string;
  topic: string;
  topicKey: string;
  stateMachine: string;
}

/** Roles and users among `arns`, split by kind (inline-policy calls differ), each once. */
function byKind(arns: string[]): { roles: string[]; users: string[] } {
  const unique = [...new Set(arns)];
  return {
    roles: unique.filter((a) => parsePrincipalArn(a).type === "role"),
    users: unique.filter((a) => parsePrincipalArn(a).type === "user"),
  };
}

const table = (r: ResourceArns): Permission => ({
  actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
  resources: [r.table, `${r.table}/index/*`],
});

/** Notices: publish to the topic (encrypted), and count matching nodes for the Slack messages. */
const publish = (r: ResourceArns): Permission[] => [
  { actions: ["sns:Publish"], resources: [r.topic] },
  { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [r.topicKey] },
  { actions: ["ssm:DescribeInstanceInformation"], resources: ["*"] },
];

export type InlineVerb = "Put" | "Get" | "Delete" | "List";

/** The inline-policy calls `verbs` on exactly these roles and users (also the spoke's, spoke-template.ts). */
export function inlineStatements(arns: string[], verbs: InlineVerb[]): Permission[] {
  const { roles, users } = byKind(arns);
  const name = (verb: InlineVerb, kind: "Role" | "User") =>
    `iam:${verb}${kind}Polic${verb === "List" ? "ies" : "y"}`;
  const out: Permission[] = [];
  if (verbs.length === 0) return out;
  if (roles.length > 0) out.push({ actions: verbs.map((v) => name(v, "Role")), resources: roles });
  if (users.length > 0) out.push({ actions: verbs.map((v) => name(v, "User")), resources: users });
  return out;
}

/**
 * Inline-policy calls on the configured principals. `open` names principals that still hold a
 * non-settled request although the config dropped them (offboarding): they are added to Get, List
 * and Delete so their grants stay revocable, and never to Put.
 */
function inlinePolicies(
  config: AccessConfig,
  verbs: InlineVerb[],
  openPrincipals: string[] = [],
): Permission[] {
  // Identity Center roles are protected: IAM refuses every inline-policy write on them, and their
  // grants live in the slots. Not even reads: least privilege.
  const configured = configuredPrincipalArns(config).filter((a) => !isIdentityCenterRole(a));
  const open = openPrincipals.filter((a) => !isIdentityCenterRole(a));
  const put = verbs.filter((v) => v === "Put");
  const rest = verbs.filter((v) => v !== "Put");
  if (put.length === 0) return inlineStatements([...configured, ...open], rest);
  return [
    ...inlineStatements(configured, verbs),
    ...inlineStatements(
      open.filter((a) => !configured.includes(a)),
      rest,
    ),
  ];
}

/**
 * The grant slots: read them, write a new default version (CreatePolicyVersion with SetAsDefault needs
 * no other action) and delete old versions, on `policy/jit/jit-grants-*` of this account only. The
 * wildcard keeps slots beyond today's count reachable when the config lowers it while they still hold
 * grants; it leaves out the stack's own `/jit/jit-base` and the permissions boundary
 * `/jit/jit-session-manager-boundary`, which a rewrite would widen. Present while there is a shared
 * role, or a dropped Identity Center role with open requests (their grants are in the slots).
 */
function slotPolicies(config: AccessConfig, open: string[]): Permission[] {
  if (!config.principals.sharedRole && !open.some(isIdentityCenterRole)) return [];
  return [slotStatement(config.partition, config.accountId)];
}

/** The slot-version calls on one account's `policy/jit/jit-grants-*` (also the spoke's). */
export const slotStatement = (partition: string, accountId: string): Permission => ({
  actions: [
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
  ],
  resources: [`arn:${partition}:iam::${accountId}:policy${SLOT_PATH}jit-grants-*`],
});

/** Sessions: read them and find nodes anywhere (these calls take no resource), end them in one account. */
export function sessionStatements(partition: string, accountId: string): Permission[] {
  return [
    { actions: ["ssm:DescribeSessions", "ssm:DescribeInstanceInformation"], resources: ["*"] },
    { actions: ["ssm:TerminateSession"], resources: [`arn:${partition}:ssm:*:${accountId}:session/*`] },
  ];
}

const sessions = (config: AccessConfig): Permission[] =>
  sessionStatements(config.partition, config.accountId);

/**
 * Several accounts (issue 12): assume the `jit-broker` role of each member account, with a source
 * identity (stacks/spoke-policies.ts says why); nothing when the config spans the hub's account alone.
 */
function assumeInMembers(
  config: AccessConfig,
  roleArn: (partition: string, accountId: string) => string,
): Permission[] {
  const members = memberAccountIds(config);
  if (members.length === 0) return [];
  const resources = members.map((id) => roleArn(config.partition, id));
  return [{ actions: ["sts:AssumeRole", "sts:SetSourceIdentity"], resources }];
}

/** The task functions: each member's `jit-broker`. */
const assumeBroker = (config: AccessConfig) => assumeInMembers(config, brokerRoleArn);
/** Session events only: each member's read-only `jit-session-reader`. */
const assumeReader = (config: AccessConfig) => assumeInMembers(config, readerRoleArn);

/** SendTaskSuccess/Failure take no resource in IAM: the unguessable task token is the only handle. */
const resume: Permission = { actions: ["states:SendTaskSuccess"], resources: ["*"] };
const decide: Permission = {
  actions: ["states:SendTaskSuccess", "states:SendTaskFailure"],
  resources: ["*"],
};

/** A front door (Slack, the signed API): record, vote, start and resume executions; never IAM. */
const frontDoor = (r: ResourceArns, executionArn: string): Permission[] => [
  table(r),
  ...publish(r),
  { actions: ["ssm:DescribeSessions"], resources: ["*"] },
  { actions: ["states:StartExecution"], resources: [r.stateMachine] },
  // A start that finds the execution already there checks it is ours (same input).
  { actions: ["states:DescribeExecution"], resources: [executionArn] },
  decide,
];

/**
 * Every function's statements, by function. `openPrincipals`: principals of non-settled requests
 * (PENDING, APPROVED, ACTIVE) read from the table at deploy; see core/offboarding.ts.
 */
export function functionPermissions(config: AccessConfig, r: ResourceArns, openPrincipals: string[] = []) {
  const open = openPrincipals;
  const executionArn = `${r.stateMachine.replace(":stateMachine:", ":execution:")}:*`;
  return {
    askApprovers: [table(r), ...publish(r), resume],
    // "Grant access" and "Apply the record": a write that lost a race to a revoke is taken back,
    // with the sessions it allowed, by the same function that made it.
    grantAccess: [
      table(r),
      ...inlinePolicies(config, ["Put", "Get", "List"]),
      ...inlinePolicies(config, ["Delete"], open),
      ...slotPolicies(config, open),
      ...sessions(config),
      ...assumeBroker(config),
    ],
    undoGrant: [
      table(r),
      ...publish(r),
      ...inlinePolicies(config, ["Delete"], open),
      ...slotPolicies(config, open),
      ...sessions(config),
      ...assumeBroker(config),
    ],
    checkExpiry: [table(r)],
    revokeAccess: [
      table(r),
      ...inlinePolicies(config, ["Delete"], open),
      ...slotPolicies(config, open),
      ...sessions(config),
      ...assumeBroker(config),
    ],
    announce: [table(r), ...publish(r)],
    expireRequest: [table(r), ...publish(r)],
    raiseAlarm: [table(r), ...publish(r)],
    sweeper: [
      table(r),
      ...publish(r),
      ...inlinePolicies(config, ["Get", "List", "Delete"], open),
      ...slotPolicies(config, open),
      ...sessions(config),
      ...assumeBroker(config),
      { actions: ["states:DescribeExecution"], resources: [executionArn] },
      resume,
    ],
    // Session events: deduplication marks may be given back (deleted) when handling fails, and only those.
    sessionEvents: [
      table(r),
      ...publish(r),
      // Whether a session's node carries its grant's tags: asked of the hub's own Session Manager,
      // and of a member's through its reader role.
      { actions: ["ssm:DescribeInstanceInformation"], resources: ["*"] },
      ...assumeReader(config),
      {
        actions: ["dynamodb:DeleteItem"],
        resources: [r.table],
        conditions: [
          { test: "ForAllValues:StringLike", variable: "dynamodb:LeadingKeys", values: ["EVENT#*"] },
        ],
      },
    ],
    // The Slack front door faces the internet: it records requests and votes, starts the workflow
    // (requests, and `<id>-sync-<n>` executions for early revokes and extensions) and resumes it. No
    // IAM action and no TerminateSession: whoever forges its way past Bolt's signature check still
    // cannot write a policy or end a session.
    slack: frontDoor(r, executionArn),
    // The signed API is the same front door for `jit`: records, votes and executions, no IAM action.
    api: frontDoor(r, executionArn),
    // The weekly report reads (Query only: the creation-day index and the alerts) and publishes.
    weeklyReport: [
      { actions: ["dynamodb:Query"], resources: [r.table, `${r.table}/index/*`] },
      { actions: ["sns:Publish"], resources: [r.topic] },
      { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [r.topicKey] },
    ],
  } satisfies Record<FunctionName, Permission[]>;
}

/** The statements as an IAM policy document (for review and for iam-simulate). */
export function asPolicyDocument(permissions: Permission[]) {
  return {
    Version: "2012-10-17" as const,
    Statement: permissions.map((p) => ({
      Effect: "Allow" as const,
      Action: p.actions,
      Resource: p.resources,
      ...(p.conditions
        ? { Condition: Object.fromEntries(p.conditions.map((c) => [c.test, { [c.variable]: c.values }])) }
        : {}),
    })),
  };
}
