/**
 * Grant slots: how grants live on a shared role that AWS does not let us change (Identity Center's
 * `AWSReservedSSO_*` roles refuse PutRolePolicy: "this role is only modifiable by AWS"). The
 * permission set references customer-managed policies `/jit/jit-grants-1 … N` and `/jit/jit-base` by
 * name; each account may rewrite those policies freely (CreatePolicyVersion), and IAM applies a new
 * default version to the role's existing sessions within seconds. A slot holds the statements of
 * several grants; each statement names its request in its Sid, is narrowed to one person and ends at
 * the expiry second. Pure: adapters read and write what this computes.
 */
import type { AccessConfig } from "./config/load.ts";
import { QuotaExceededError } from "./errors.ts";
import { type PolicyDocument, policySize, type Statement } from "./policy.ts";
import { parsePrincipalArn } from "./principal.ts";

/** IAM's limit on one managed policy document, in non-whitespace characters. */
export const MANAGED_POLICY_QUOTA = 6_144;
/** IAM keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;
/** The path of every managed policy of ours. */
export const SLOT_PATH = "/jit/";
export const BASE_POLICY_NAME = "jit-base";
export const slotName = (n: number): string => `jit-grants-${n}`;

/** Whether an ARN is a role Identity Center provisions (path /aws-reserved/sso.amazonaws.com/…). */
export const isIdentityCenterRole = (arn: string): boolean =>
  /:role\/aws-reserved\/sso\.amazonaws\.com\//.test(arn) || /:role\/AWSReservedSSO_/.test(arn);

const policyArn = (config: AccessConfig, name: string) =>
  `arn:${config.partition}:iam::${config.accountId}:policy${SLOT_PATH}${name}`;

/** The slot policies of the shared role, in the order grants fill them. */
export function slotArns(config: AccessConfig): string[] {
  const shared = config.principals.sharedRole;
  if (!shared) return [];
  return Array.from({ length: shared.slots }, (_, i) => policyArn(config, slotName(i + 1)));
}

export const basePolicyArn = (config: AccessConfig): string => policyArn(config, BASE_POLICY_NAME);

/** The slot and base policy names with their paths, as a permission set references them. */
export function slotPolicyReferences(config: AccessConfig): { name: string; path: string }[] {
  const n = config.principals.sharedRole?.slots ?? 0;
  return [
    { name: BASE_POLICY_NAME, path: SLOT_PATH },
    ...Array.from({ length: n }, (_, i) => ({ name: slotName(i + 1), path: SLOT_PATH })),
  ];
}

/** The statement an empty slot holds: IAM wants one; this one allows nothing (its time has passed). */
export const PLACEHOLDER: Statement = {
  Sid: "EmptySlot",
  Effect: "Allow",
  Action: "ssm:DescribeSessions",
  Resource: "*",
  Condition: { DateLessThan: { "aws:CurrentTime": "2000-01-01T00:00:00Z" } },
};

export const emptySlot = (): PolicyDocument => ({ Version: "2012-10-17", Statement: [PLACEHOLDER] });

// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JavaScript template
const AWS_USERID = "${aws:userid}";

/**
 * The standing base policy of the shared role: what is harmless without a grant, so each grant in a
 * slot costs only its node, document and key statements. Own sessions only (the session-id tag is the
 * starter's user id, `role-id:session-name` on a role); read-only discovery.
 */
export function basePolicyDocument(config: AccessConfig): PolicyDocument {
  const regions = [...new Set(Object.values(config.profiles).flatMap((p) => p.regions))].sort();
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnSessions",
        Effect: "Allow",
        Action: ["ssm:TerminateSession", "ssm:ResumeSession"],
        Resource: regions.map((r) => `arn:${config.partition}:ssm:${r}:${config.accountId}:session/*`),
        Condition: { StringEquals: { "ssm:resourceTag/aws:ssmmessages:session-id": AWS_USERID } },
      },
      {
        Sid: "Discover",
        Effect: "Allow",
        Action: ["ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus"],
        Resource: "*",
      },
      ...sessionKeyStatement(config, regions),
    ],
  };
}

/**
 * With session encryption, starting a session needs kms:GenerateDataKey on the session key. On its
 * own it starts nothing and decrypts nothing (a data key for the caller's own use), so it stands in
 * the base policy rather than costing every grant its length in a slot.
 */
function sessionKeyStatement(config: AccessConfig, regions: string[]): Statement[] {
  const alias = Object.values(config.profiles).find((p) => p.sessionKeyAlias)?.sessionKeyAlias;
  if (!alias) return [];
  return [
    {
      Sid: "SessionKey",
      Effect: "Allow",
      Action: "kms:GenerateDataKey",
      Resource: regions.map((r) => `arn:${config.partition}:kms:${r}:${config.accountId}:key/*`),
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": alias } },
    },
  ];
}

/** The Sid prefix of a request's statements: IAM allows only letters and digits in a Sid. */
export const sidPrefix = (requestId: string): string => `J${requestId.replace("-", "")}`;

/** The request id a slot statement belongs to, or undefined (the placeholder, or not ours). */
export function requestIdOfSid(sid: string): string | undefined {
  const match = /^J(\d{8})([0-9a-z]{8})/.exec(sid);
  return match ? `${match[1]}-${match[2]}` : undefined;
}

/** Statements of a grant the base policy carries for everyone on the role instead. */
const IN_BASE = new Set(["OwnSessions", "Discover", "SessionKey"]);
/** Short Sid suffixes: a slot's 6,144 characters hold more grants. */
const SHORT: Record<string, string> = { Nodes: "N", Documents: "D" };

/**
 * What one grant adds to a slot: its node and document statements. The document statement names
 * each document once for every region (`ssm:*:`): StartSession needs the node too, and the node
 * statement keeps the regions, so the region in the document ARN adds nothing but length.
 */
export function slotStatements(grant: PolicyDocument, requestId: string): Statement[] {
  return grant.Statement.filter((s) => !IN_BASE.has(s.Sid)).map((s) => {
    const statement = { ...s, Sid: `${sidPrefix(requestId)}${SHORT[s.Sid] ?? s.Sid}` };
    if (s.Sid === "Nodes") compactRegions(statement);
    if (s.Sid === "Documents") {
      const resources = (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map((r) =>
        r.replace(/^(arn:[^:]+:ssm:)[^:]+:/, "$1*:"),
      );
      const unique = [...new Set(resources)];
      statement.Resource = unique.length === 1 ? (unique[0] as string) : unique;
    }
    return statement;
  });
}

/**
 * A node statement spanning several regions names each resource type once with region `*` and keeps
 * the regions in `aws:RequestedRegion` (a global key: the region of the endpoint called, which is the
 * node's region for StartSession). Shorter from two regions on; equivalent in what it allows.
 */
function compactRegions(statement: Statement): void {
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  const regions = [...new Set(resources.map((r) => r.split(":")[3] ?? ""))];
  if (regions.length < 2) return;
  const wildcarded = [...new Set(resources.map((r) => r.replace(/^(arn:[^:]+:[^:]+:)[^:]+:/, "$1*:")))];
  statement.Resource = wildcarded.length === 1 ? (wildcarded[0] as string) : wildcarded;
  statement.Condition = {
    ...statement.Condition,
    StringEquals: { ...statement.Condition?.StringEquals, "aws:RequestedRegion": regions },
  };
}

/** The grants a slot holds, by request id, with their statements. */
export function grantsInSlot(document: PolicyDocument): Map<string, Statement[]> {
  const grants = new Map<string, Statement[]>();
  for (const statement of document.Statement) {
    const id = requestIdOfSid(statement.Sid);
    if (id) grants.set(id, [...(grants.get(id) ?? []), statement]);
  }
  return grants;
}

const ours = (requestId: string) => (s: Statement) => requestIdOfSid(s.Sid) === requestId;

/**
 * The statements of a slot a writer carries into its next version: grants of ours only. A statement
 * someone else put in a `/jit/` slot (no request id in its Sid) would reach everyone on the role, so
 * every write drops it (and the sweeper reports it).
 */
const grantStatements = (document: PolicyDocument, except?: string) =>
  document.Statement.filter((s) => {
    const id = requestIdOfSid(s.Sid);
    return id !== undefined && id !== except;
  });

/** Statements in a slot that are neither the placeholder nor a grant of ours. */
export const foreignStatements = (document: PolicyDocument): Statement[] =>
  document.Statement.filter((s) => s.Sid !== PLACEHOLDER.Sid && requestIdOfSid(s.Sid) === undefined);

/** The slot with this grant's statements in place of any it held before. */
export function withGrant(
  document: PolicyDocument,
  requestId: string,
  statements: Statement[],
): PolicyDocument {
  return { Version: "2012-10-17", Statement: [...grantStatements(document, requestId), ...statements] };
}

/** The slot without this grant; the placeholder when nothing is left. */
export function withoutGrant(document: PolicyDocument, requestId: string): PolicyDocument {
  return withOnlyGrants(document, (id) => id !== requestId);
}

/** The slot with only the grants `keep` says are still live; the placeholder when none is. */
export function withOnlyGrants(
  document: PolicyDocument,
  keep: (requestId: string) => boolean,
): PolicyDocument {
  const kept = grantStatements(document).filter((s) => keep(requestIdOfSid(s.Sid) ?? ""));
  return kept.length > 0 ? { Version: "2012-10-17", Statement: kept } : emptySlot();
}

export const holdsGrant = (document: PolicyDocument, requestId: string): boolean =>
  document.Statement.some(ours(requestId));

/** A small stable hash of a request id. */
function spread(requestId: string): number {
  let h = 0;
  for (const c of requestId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}

/**
 * Picks the slot for a grant: the one already holding it (a retry), else the first with room. Throws
 * QuotaExceededError with the numbers when no slot has room.
 */
export function chooseSlot(
  slots: { arn: string; document: PolicyDocument }[],
  requestId: string,
  statements: Statement[],
  principalArn: string,
): { arn: string; document: PolicyDocument } {
  const holding = slots.find((s) => holdsGrant(s.document, requestId));
  // Writers start at a slot picked by their request id, so concurrent grants spread over the slots'
  // leases instead of all queueing on the first.
  const start = slots.length > 0 ? spread(requestId) % slots.length : 0;
  const rotated = [...slots.slice(start), ...slots.slice(0, start)];
  const order = holding ? [holding, ...rotated.filter((s) => s !== holding)] : rotated;
  for (const slot of order) {
    const next = withGrant(slot.document, requestId, statements);
    if (policySize(next) <= MANAGED_POLICY_QUOTA) return { arn: slot.arn, document: next };
  }
  const needed = policySize({ Version: "2012-10-17", Statement: statements });
  const used = slots.map((s) => policySize(withoutGrant(s.document, requestId)));
  throw new QuotaExceededError(
    `no grant slot of ${parsePrincipalArn(principalArn).name} has room: the fullest fit needs ${Math.min(...used)} + ${needed} characters > ${MANAGED_POLICY_QUOTA} in each of its ${slots.length} slots. Wait for a grant to end, or raise principals.sharedRole.slots.`,
    Math.min(...used),
    needed,
    MANAGED_POLICY_QUOTA,
  );
}
