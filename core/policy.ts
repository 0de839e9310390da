/**
 * The grant policy: the inline policy `jit-<requestId>` that lets one person start Session Manager
 * sessions on the nodes a profile selects, with the profile's documents, until the expiry second.
 * Pure: the IAM adapter attaches what this returns.
 */
import { IAM_VARIABLE, IAM_WILDCARD } from "./config/constants.ts";
import type { Profile } from "./config/load.ts";
import { NotAuthorizedError, QuotaExceededError, ValidationError } from "./errors.ts";
import { assertRoleSessionName, type Principal } from "./principal.ts";

/** IAM's quota: all inline policies of one role or user together, in non-whitespace characters. */
export const INLINE_POLICY_QUOTA = 10_240;
/** Prefix of every policy this product attaches; nothing else is ever written or deleted. */
export const POLICY_PREFIX = "jit-";

type Condition = Record<string, Record<string, string | string[]>>;
export interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Condition;
}
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** What `buildGrantPolicy` returns: the name, the document, and its size as IAM counts it. */
export interface GrantPolicy {
  policyName: string;
  document: PolicyDocument;
  size: number;
}

export interface GrantInput {
  profile: Profile;
  principal: Principal;
  accountId: string;
  partition?: string;
  requestId: string;
  expiresAt: Date;
}

/** Policy name of a request's grant. */
export const policyName = (requestId: string): string => `${POLICY_PREFIX}${requestId}`;

/** Request id back from a policy name, or undefined when the name is not one of ours. */
export const requestIdOfPolicy = (name: string): string | undefined =>
  name.startsWith(POLICY_PREFIX) ? name.slice(POLICY_PREFIX.length) : undefined;

/** IAM policy variables: IAM fills them in from the caller at evaluation time. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JavaScript template
const AWS_USERID = "${aws:userid}";

/** Wildcards in a tag value switch the tag condition from StringEquals to StringLike. */
const hasWildcard = (value: string): boolean => IAM_WILDCARD.test(value);
const one = <T>(values: T[]): T | T[] => (values.length === 1 ? (values[0] as T) : values);

/** The expiry as IAM compares it: whole seconds, UTC. */
export const iamTime = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/**
 * Refuses input that IAM would read as more than text: a shared-role session name outside IAM's
 * characters (a `*` would match other people's `aws:userid`), a tag key with a wildcard or a policy
 * variable, a tag value with a policy variable. The config schema refuses these first; this is the
 * last line before IAM, for profiles and principals that reach the builder another way.
 */
export function assertSafeForIam(profile: Profile, principal: Principal): void {
  if (principal.kind === "shared-role") assertRoleSessionName(principal.sessionName);
  for (const [key, values] of Object.entries(profile.tags)) {
    if (IAM_WILDCARD.test(key) || key.includes(IAM_VARIABLE)) {
      throw new ValidationError("tags", `the tag key "${key}" contains *, ? or \${; nothing was granted`);
    }
    const bad = values.find((v) => v.includes(IAM_VARIABLE));
    if (bad !== undefined) {
      throw new ValidationError("tags", `the value "${bad}" of tag ${key} contains \${; nothing was granted`);
    }
  }
}

/** Builds the grant policy for one request; throws ValidationError for input unsafe for IAM. */
export function buildGrantPolicy(input: GrantInput): GrantPolicy {
  const { profile, principal, accountId, expiresAt } = input;
  assertSafeForIam(profile, principal);
  const partition = input.partition ?? "aws";
  const regions = profile.regions;

  // Every Allow ends at the expiry second, and on a shared role only counts for this one person.
  const limits = (extra: Condition = {}): Condition => {
    const condition: Condition = { ...extra, DateLessThan: { "aws:CurrentTime": iamTime(expiresAt) } };
    if (principal.kind === "shared-role") {
      condition.StringLike = { ...condition.StringLike, "aws:userid": `*:${principal.sessionName}` };
    }
    return condition;
  };

  const exact: Record<string, string | string[]> = {};
  const like: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(profile.tags)) {
    (values.some(hasWildcard) ? like : exact)[`ssm:resourceTag/${key}`] = one(values);
  }
  const tagCondition: Condition = { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } };
  if (Object.keys(exact).length > 0) tagCondition.StringEquals = exact;
  if (Object.keys(like).length > 0) tagCondition.StringLike = like;

  const nodes = regions.flatMap((r) => [
    `arn:${partition}:ec2:${r}:${accountId}:instance/*`,
    `arn:${partition}:ssm:${r}:${accountId}:managed-instance/*`,
  ]);
  // AWS-owned documents (AWS-…) carry no account in their ARN, and nobody else may create a document
  // with that prefix, so `*` there is safe; the shell preferences document and custom ones are ours.
  const documents = regions.flatMap((r) =>
    profile.documents.map(
      (d) => `arn:${partition}:ssm:${r}:${d.startsWith("AWS-") ? "*" : accountId}:document/${d}`,
    ),
  );

  // Own sessions, one exact form for every kind of principal. Session Manager tags each session with
  // `aws:ssmmessages:session-id` = the starter's user id: an IAM user's unique id (AIDA…), an assumed
  // role's `role-id:session-name`, and AWS documents matching it to `${aws:userid}` for both ("Method 2",
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-examples.html#restrict-access-example-user-sessions).
  // AWS's other form, `session/${aws:username}-*`, matches by prefix: session ids are
  // `<name>-<id>` (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-getting-started-restrict-access.html),
  // so user `bob` would reach `bob-admin`'s sessions. StringEquals keeps the match exact.
  const ownSessions: Statement = {
    Sid: "OwnSessions",
    Effect: "Allow",
    Action: ["ssm:TerminateSession", "ssm:ResumeSession"],
    Resource: one(regions.map((r) => `arn:${partition}:ssm:${r}:${accountId}:session/*`)),
    Condition: limits({
      StringEquals: { "ssm:resourceTag/aws:ssmmessages:session-id": AWS_USERID },
    }),
  };

  const document: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Nodes",
        Effect: "Allow",
        Action: "ssm:StartSession",
        Resource: one(nodes),
        Condition: limits(tagCondition),
      },
      {
        Sid: "Documents",
        Effect: "Allow",
        Action: "ssm:StartSession",
        Resource: one(documents),
        Condition: limits(),
      },
      ownSessions,
      {
        Sid: "Discover",
        Effect: "Allow",
        Action: ["ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus"],
        Resource: "*",
        Condition: limits(),
      },
    ],
  };
  if (profile.sessionKeyAlias) {
    // With session encryption on, Session Manager needs the caller to hold kms:GenerateDataKey on the
    // key (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-quickstart.html).
    // The key is named by its alias through kms:ResourceAliases, AWS's condition for that
    // (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html), because the
    // stack creates it after the config is normalized and each region has its own key.
    document.Statement.push({
      Sid: "SessionKey",
      Effect: "Allow",
      Action: "kms:GenerateDataKey",
      Resource: one(regions.map((r) => `arn:${partition}:kms:${r}:${accountId}:key/*`)),
      Condition: limits({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": profile.sessionKeyAlias } }),
    });
  }
  return { policyName: policyName(input.requestId), document, size: policySize(document) };
}

/** The size IAM counts against its quotas: the characters of the document that are not whitespace. */
export function policySize(document: PolicyDocument | string): number {
  const text = typeof document === "string" ? document : JSON.stringify(document);
  return text.replace(/\s/g, "").length;
}

/** The compact text to send to IAM: the shortest encoding, so more grants fit the quota. */
export const encodePolicy = (document: PolicyDocument): string => JSON.stringify(document);

/** The expiry written into a grant's document, or undefined when it carries none. */
export function embeddedExpiry(document: PolicyDocument): Date | undefined {
  for (const statement of document.Statement) {
    const time = statement.Condition?.DateLessThan?.["aws:CurrentTime"];
    if (typeof time === "string") return new Date(time);
  }
  return undefined;
}

/**
 * Throws QuotaExceededError when a new grant of `size` characters would push the principal's inline
 * policies (`existingSizes`, every inline policy it has, ours or not) over IAM's quota.
 */
export function assertFitsInlineQuota(principalArn: string, existingSizes: number[], size: number): void {
  const used = existingSizes.reduce((sum, s) => sum + s, 0);
  if (used + size > INLINE_POLICY_QUOTA) {
    throw new QuotaExceededError(
      `granting would put ${principalArn} over IAM's inline policy quota: ${used} characters in use + ${size} needed > ${INLINE_POLICY_QUOTA}. Revoke one of its active grants or ask an admin to shorten the profile.`,
      used,
      size,
      INLINE_POLICY_QUOTA,
    );
  }
}

/** How many grants of this size fit next to `used` characters of other inline policies. */
export const grantsThatFit = (size: number, used = 0): number =>
  Math.floor((INLINE_POLICY_QUOTA - used) / size);

/**
 * The guard every broker applies before touching IAM: only principals the configuration names
 * (`allowed`; undefined allows any, for tests of other rules), and only policies named `jit-*`.
 */
export function assertOurs(
  allowed: ReadonlySet<string> | undefined,
  principal: Principal,
  policyName?: string,
): void {
  if (allowed && !allowed.has(principal.arn)) {
    throw new NotAuthorizedError(`${principal.arn} is not a principal named in the configuration`);
  }
  if (policyName !== undefined && !policyName.startsWith(POLICY_PREFIX)) {
    throw new NotAuthorizedError(`${policyName} is not a ${POLICY_PREFIX}* policy; it is not ours to change`);
  }
}
