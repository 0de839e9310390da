/**
 * The policies of the spoke every member account gets (issue 12), and the hub's side of them. Pure,
 * no SST globals: spoke-template.ts puts them in the template, tests evaluate them with iam-simulate.
 *
 * Who may assume `jit-broker`: the account root of the hub as principal, narrowed by `aws:PrincipalArn`
 * to the roles of the hub functions that grant and take back (a trust naming the roles themselves
 * would turn into an unusable unique id if one were recreated, "Principal element" in
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html; a root
 * principal with a condition compares the ARN as text and does not). `sts:SourceIdentity` is required rather than `sts:ExternalId`: an external id defends a third
 * party that acts for many customers against being tricked into acting for the wrong one (the
 * confused deputy), and here the only callers are our own named roles; a source identity instead
 * stays on the session, cannot be changed, and names the hub function in the member account's
 * CloudTrail for every call it makes
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
 * Setting one needs `sts:SetSourceIdentity` beside `sts:AssumeRole`, in the trust and in the caller's
 * own policy.
 */
import { accountPrincipalArns, accountPrincipals } from "../core/accounts.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { isIdentityCenterRole } from "../core/slots.ts";
import type { FunctionName } from "./entries.ts";
import { inlineStatements, type Permission, sessionStatements, slotStatement } from "./permissions.ts";

/** The hub functions that act in member accounts: they write, take back and reconcile grants. */
export const BROKER_CALLERS = [
  "grantAccess",
  "revokeAccess",
  "undoGrant",
  "sweeper",
] as const satisfies readonly FunctionName[];

/**
 * The hub function that may assume each member's `jit-session-reader` (core/accounts.ts): session
 * events are judged in the hub, and only need to ask a member which nodes carry a profile's tags.
 */
export const READER_CALLERS = ["sessionEvents"] as const satisfies readonly FunctionName[];

/** What the reader may do in a member account: the two Session Manager reads, nothing else. */
export const READER_ACTIONS = ["ssm:DescribeInstanceInformation", "ssm:DescribeSessions"] as const;

/** What every broker session carries as source identity: `jit-` and the hub function's name. */
export const SOURCE_IDENTITY_PATTERN = "jit-*";

/** CloudFormation's own account id, substituted in each member account (`Fn::Sub`). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub variable, not a JavaScript template
export const THIS_ACCOUNT = "${AWS::AccountId}";

/**
 * The broker's inline-policy calls in one member account: on that account's configured principals
 * only, Put, Get, List and Delete, as the hub's functions have them on its own (permissions.ts).
 * Identity Center roles are left out as on the hub (IAM refuses inline writes on them).
 */
export function brokerInlineStatements(
  config: AccessConfig,
  accountId: string,
  revocable: string[] = [],
): Permission[] {
  const arns = accountPrincipalArns(config, accountId).filter((arn) => !isIdentityCenterRole(arn));
  // Offboarding: a principal of this account that the config dropped while it holds an open request
  // keeps Get, List and Delete (never Put), as on the hub, so its grant stays revocable.
  const dropped = [...new Set(revocable)]
    .filter((arn) => arn.split(":")[4] === accountId && !arns.includes(arn) && !isIdentityCenterRole(arn))
    .sort();
  return [
    ...inlineStatements(arns, ["Put", "Get", "List", "Delete"]),
    ...inlineStatements(dropped, ["Get", "List", "Delete"]),
  ];
}

/** What the broker may do in every member account alike: read sessions, find nodes, end sessions there. */
export function brokerCommonPermissions(config: AccessConfig): Permission[] {
  return sessionStatements(config.partition, THIS_ACCOUNT);
}

/** The slot versions, for the broker of an account whose shared role has slots. */
export function brokerSlotPermission(config: AccessConfig): Permission {
  return slotStatement(config.partition, THIS_ACCOUNT);
}

/** Whether a member account's broker handles slots there: the account declares a shared role. */
export const hasSharedRole = (config: AccessConfig, accountId: string): boolean =>
  accountPrincipals(config, accountId).sharedRole !== undefined;

/**
 * Everything one account's broker may do, as that account's policy resolves: the template states
 * the same parts under conditions (spoke-broker.ts), and the deploy measures this against IAM's quota.
 */
export function brokerPermissionsIn(
  config: AccessConfig,
  accountId: string,
  revocable: string[] = [],
): Permission[] {
  return [
    ...brokerInlineStatements(config, accountId, revocable),
    ...(hasSharedRole(config, accountId) ? [brokerSlotPermission(config)] : []),
    ...brokerCommonPermissions(config),
  ];
}

/**
 * A spoke role's trust: the hub's root, only as the listed roles, with a `jit-*` source identity. The
 * broker lists the task functions; the reader, the session-events function.
 */
export function brokerTrust(
  partition: string,
  hubAccountId: string,
  trustedRoleArns: unknown,
  sid = "HubTaskFunctions",
) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${hubAccountId}:root` },
        Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
        Condition: {
          ArnEquals: { "aws:PrincipalArn": trustedRoleArns },
          StringLike: { "sts:SourceIdentity": SOURCE_IDENTITY_PATTERN },
        },
      },
    ],
  };
}

/**
 * The statement admitting the organization to the hub's default bus: PutEvents from any principal
 * of the organization's accounts (`aws:PrincipalOrgID`), nothing from outside it. A member's rule
 * delivers through its own forwarder role, whose account the condition checks
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html). Added as one
 * statement (events:PutPermission), so any other statement of the bus's policy stays.
 */
export function hubBusPermission(organizationId: string) {
  return {
    statementId: "JitSessionEventsFromTheOrganization",
    principal: "*",
    action: "events:PutEvents",
    condition: { key: "aws:PrincipalOrgID", type: "StringEquals", value: organizationId },
  };
}

/** The statement `hubBusPermission` puts in the bus's policy, as a document (for iam-simulate). */
export function hubBusPolicy(busArn: string, organizationId: string) {
  const p = hubBusPermission(organizationId);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: p.statementId,
        Effect: "Allow",
        Principal: p.principal,
        Action: p.action,
        Resource: busArn,
        Condition: { [p.condition.type]: { [p.condition.key]: p.condition.value } },
      },
    ],
  };
}
