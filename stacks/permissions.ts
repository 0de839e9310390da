/**
 * Least privilege, derived from the access configuration. Pure: given the ARNs of the product's own
 * resources, each function's statements name exactly what it may touch. Unit-tested and evaluated
 * with iam-simulate (test/unit/stacks).
 *
 * One limit IAM itself cannot express: it has no condition key for an inline policy's name, so "only
 * policies named jit-*" is enforced in the IAM adapter, which refuses any other name before calling.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { configuredPrincipalArns, parsePrincipalArn } from "../core/principal.ts";
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

/** The roles and users the configuration names, split by kind (inline-policy calls differ). */
function principalArns(config: AccessConfig): { roles: string[]; users: string[] } {
  const arns = configuredPrincipalArns(config);
  return {
    roles: arns.filter((a) => parsePrincipalArn(a).type === "role"),
    users: arns.filter((a) => parsePrincipalArn(a).type === "user"),
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

type InlineVerb = "Put" | "Get" | "Delete" | "List";
/** Inline-policy calls on the configured principals only. */
function inlinePolicies(config: AccessConfig, verbs: InlineVerb[]): Permission[] {
  const { roles, users } = principalArns(config);
  const name = (verb: InlineVerb, kind: "Role" | "User") =>
    `iam:${verb}${kind}Polic${verb === "List" ? "ies" : "y"}`;
  const out: Permission[] = [];
  if (roles.length > 0) out.push({ actions: verbs.map((v) => name(v, "Role")), resources: roles });
  if (users.length > 0) out.push({ actions: verbs.map((v) => name(v, "User")), resources: users });
  return out;
}

/** Sessions: read them and find nodes anywhere (these calls take no resource), end them in this account. */
function sessions(config: AccessConfig): Permission[] {
  const partition = config.partition;
  return [
    { actions: ["ssm:DescribeSessions", "ssm:DescribeInstanceInformation"], resources: ["*"] },
    {
      actions: ["ssm:TerminateSession"],
      resources: [`arn:${partition}:ssm:*:${config.accountId}:session/*`],
    },
  ];
}

/** SendTaskSuccess/Failure take no resource in IAM: the unguessable task token is the only handle. */
const resume: Permission = { actions: ["states:SendTaskSuccess"], resources: ["*"] };
const decide: Permission = {
  actions: ["states:SendTaskSuccess", "states:SendTaskFailure"],
  resources: ["*"],
};

/** Every function's statements, by function. */
export function functionPermissions(config: AccessConfig, r: ResourceArns) {
  const executionArn = `${r.stateMachine.replace(":stateMachine:", ":execution:")}:*`;
  return {
    askApprovers: [table(r), ...publish(r), resume],
    grantAccess: [table(r), ...inlinePolicies(config, ["Put", "Get", "List"])],
    undoGrant: [table(r), ...publish(r), ...inlinePolicies(config, ["Delete"])],
    checkExpiry: [table(r)],
    revokeAccess: [table(r), ...inlinePolicies(config, ["Delete"]), ...sessions(config)],
    announce: [table(r), ...publish(r)],
    expireRequest: [table(r), ...publish(r)],
    raiseAlarm: [table(r), ...publish(r)],
    sweeper: [
      table(r),
      ...publish(r),
      ...inlinePolicies(config, ["Get", "List", "Delete"]),
      ...sessions(config),
      { actions: ["states:DescribeExecution"], resources: [executionArn] },
      resume,
    ],
    // The Slack front door: requests (start the workflow), decisions (resume it), extensions (rewrite
    // the grant), "I'm done" and admin revokes (delete it, end sessions).
    // Session events: deduplication marks may be given back (deleted) when handling fails, and only those.
    sessionEvents: [
      table(r),
      ...publish(r),
      {
        actions: ["dynamodb:DeleteItem"],
        resources: [r.table],
        conditions: [
          { test: "ForAllValues:StringLike", variable: "dynamodb:LeadingKeys", values: ["EVENT#*"] },
        ],
      },
    ],
    slack: [
      table(r),
      ...publish(r),
      ...inlinePolicies(config, ["Put", "Get", "List", "Delete"]),
      ...sessions(config),
      { actions: ["states:StartExecution"], resources: [r.stateMachine] },
      decide,
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
