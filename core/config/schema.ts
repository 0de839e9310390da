/**
 * The access configuration schema: the single source of the configuration's TypeScript types and of
 * the JSON Schema editors use (`npm run schema`). Durations stay strings here; `load.ts` normalizes
 * them to seconds after the cross-field checks.
 */
import { z } from "zod";
import { parseDuration } from "../duration.ts";
import { accountName, accountsSchema, organizationSchema, profileAccountsSchema } from "./account-schema.ts";
import { DEFAULT_SESSION_KEY_ALIAS, IAM_VARIABLE, IAM_WILDCARD, PRINCIPAL_ARN } from "./constants.ts";

export { BUILT_IN_DOCUMENTS, PRINCIPAL_ARN } from "./constants.ts";

/**
 * Fields that existed once and were taken out, with why and what to use instead: a config that still
 * has one gets that sentence, not a bare "unrecognized key".
 */
export const REMOVED_PROFILE_FIELDS: Readonly<Record<string, string>> = {
  runAs:
    "was removed: nothing made sessions run as that user, so it promised what the product did not do; sessionManager.runAsDefaultUser sets the OS user for the whole account, and Session Manager enforces it",
};

const slackUserId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,}$/, { error: "must be a Slack user ID such as U0123ABCD" });
const slackApprover = z
  .string()
  .regex(/^[UWS][A-Z0-9]{2,}$/, { error: "must be a Slack user ID (U…/W…) or user-group ID (S…)" });
const slackChannel = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, { error: "must be a Slack channel ID such as C0123ABCD" });
const duration = z.string().min(1).describe('A duration such as "90m", "1h30m", "2h" or ISO 8601 "PT1H30M"');
const region = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, { error: "must be an AWS region such as eu-west-1" });

const principalArn = z.string().regex(PRINCIPAL_ARN, { error: "must be an IAM role or IAM user ARN" });

const documentName = z.string().regex(/^[a-zA-Z0-9_.-]{3,128}$/, {
  error: "must be shell, port-forwarding, port-forwarding-remote, ssh or a document name",
});

/** Where a kind of session notice goes. */
const noticeRoute = z.array(z.enum(["audit", "requester", "sns"]));

const noVariable = (value: string) => !value.includes(IAM_VARIABLE);
const variableMessage = (issue: { input?: unknown }) =>
  `"${String(issue.input)}" contains \${, which IAM reads as a policy variable`;

/**
 * A tag value is exact unless the config says `{ like: "…" }`: IAM reads `*` and `?` in a condition
 * value as wildcards, so a plain value may not hold them (nor `${`, IAM's policy-variable opener).
 */
const plainTagValue = z
  .string()
  .min(1)
  .max(256)
  .refine((value) => !IAM_WILDCARD.test(value), {
    error: (issue) =>
      `"${String(issue.input)}" contains * or ?, which IAM reads as wildcards; write { like: "${String(issue.input)}" } if a pattern is meant`,
  })
  .refine(noVariable, { error: variableMessage });
const likeTagValue = z
  .strictObject({
    like: z.string().min(1).max(256).refine(noVariable, { error: variableMessage }),
  })
  .describe("A pattern: * matches any run of characters, ? any one character");
const tagValue = z.union([plainTagValue, likeTagValue]);
const tagValues = z.union([tagValue, z.array(tagValue).min(1)]);

const tagKey = z
  .string()
  .refine((key) => !IAM_WILDCARD.test(key) && noVariable(key), {
    error: "tag keys may not contain *, ? or ${ (IAM would read them as wildcards or a policy variable)",
    abort: true,
  })
  .regex(/^[\w.:/=+@ -]{1,128}$/, { error: "is not a valid tag key" });

/** A duration that must parse (checked here because load.ts normalizes only the classic fields). */
const checkedDuration = duration.refine((text) => /^(?:\d+[dhms])+$|^P/i.test(text.trim()), {
  error: (issue) => `"${String(issue.input)}" is not a duration (use forms like 90m, 1h30m, 2h or PT1H30M)`,
});
/** The longest on-call lookup: it runs inside Slack's 3-second answer to /access. */
const ONCALL_TIMEOUT_MAX_SECONDS = 2;
/** A duration's seconds; 0 for text that is not one (the duration check already reports that). */
const secondsOf = (text: string): number => {
  try {
    return parseDuration(text);
  } catch {
    return 0;
  }
};

/** PagerDuty object ids (schedules, escalation policies): letters and digits, such as PABC123. */
const pagerDutyId = z
  .string()
  .regex(/^P[A-Z0-9]{5,13}$/, { error: "must be a PagerDuty id such as PABC123" });
/** Opsgenie schedules by id (a UUID) or by name: no wildcard, no path or query characters. */
const opsgenieSchedule = z.string().regex(/^[\w .-]{1,100}$/, {
  error: "must be an Opsgenie schedule id or name (letters, digits, space . _ -)",
});

/**
 * Who counts as on call for a profile. PagerDuty: schedules and/or escalation policies, and the
 * escalation levels that count (level 1 only unless listed). Opsgenie: schedules.
 */
const onCallRuleSchema = z
  .strictObject({
    provider: z.enum(["pagerduty", "opsgenie"]),
    schedules: z.array(z.string()).default([]),
    escalationPolicies: z
      .array(pagerDutyId)
      .default([])
      .describe("PagerDuty only: on call in these escalation policies, at the levels listed"),
    levels: z.array(z.number().int().min(1).max(20)).min(1).default([1]),
    maxDuration: checkedDuration.optional().describe("The longest grant on-call approval gives"),
    capToShift: z.boolean().default(false).describe("End the grant no later than the requester's shift"),
  })
  .superRefine((rule, ctx) => {
    const idOf = rule.provider === "pagerduty" ? pagerDutyId : opsgenieSchedule;
    rule.schedules.forEach((id, i) => {
      const parsed = idOf.safeParse(id);
      if (!parsed.success)
        ctx.addIssue({
          code: "custom",
          path: ["schedules", i],
          message: parsed.error.issues[0]?.message ?? "bad id",
        });
    });
    if (rule.provider === "opsgenie" && rule.escalationPolicies.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["escalationPolicies"],
        message: "Opsgenie rules name schedules only",
      });
    if (rule.schedules.length + rule.escalationPolicies.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["schedules"],
        message: "name at least one schedule or escalation policy",
      });
  });

/** Break-glass: how long such a grant may last, and how its after-the-fact review is chased. */
const breakGlassSchema = z.strictObject({
  maxDuration: checkedDuration.default("1h").describe("The longest break-glass grant"),
  reviewWindow: checkedDuration
    .default("24h")
    .describe("Unreviewed this long after the grant, it raises the alarm and an escalation notice"),
  reminderInterval: checkedDuration.default("4h").describe("How often approvers are reminded to review"),
});

export const profileSchema = z.strictObject({
  description: z.string().min(1),
  nodes: z.strictObject({
    tags: z.record(tagKey, tagValues).refine((tags) => Object.keys(tags).length > 0, {
      error: "at least one tag is required (a profile never selects all nodes)",
    }),
  }),
  documents: z.array(documentName).min(1).default(["shell"]),
  defaultDuration: duration.default("1h"),
  maxDuration: duration.default("4h"),
  requesters: z
    .array(slackApprover)
    .optional()
    .describe("Who may request this profile; everyone mapped when absent"),
  approvers: z.array(slackApprover).default([]),
  approvalsRequired: z.number().int().min(0).max(10).default(1),
  selfApproval: z
    .boolean()
    .default(false)
    .describe(
      "Whether an approver of this profile may approve their own request (requesters who are not approvers never can)",
    ),
  selfExtension: z.boolean().default(false),
  approvalTimeout: duration.default("30m"),
  reasonRequired: z.boolean().default(true),
  ticketPattern: z.string().optional(),
  regions: z.array(region).min(1),
  accounts: profileAccountsSchema.optional(),
  requireTranscripts: z
    .boolean()
    .default(false)
    .describe(
      "Allow only documents Session Manager logs (the shell): port forwarding and SSH sessions leave no transcript",
    ),
  onCall: onCallRuleSchema
    .optional()
    .describe("Approve at once a requester who is on call right now (PagerDuty or Opsgenie)"),
  breakGlass: breakGlassSchema
    .optional()
    .describe("Allow break-glass: granted at once without approvers, loudly, and reviewed after the fact"),
});

/** Session Manager preferences, managed by the stack when `manage` is on (the account's SSM-SessionManagerRunShell). */
export const sessionManagerSchema = z.strictObject({
  manage: z
    .boolean()
    .default(false)
    .describe("Let the stack own the SSM-SessionManagerRunShell preferences document"),
  idleTimeout: duration.default("20m").describe("Idle sessions end after this (1m to 60m)"),
  maxSessionDuration: duration.optional().describe("Any session ends after this (1m to 24h)"),
  s3LogBucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name" })
    .optional()
    .describe("An existing bucket for session logs"),
  cloudWatchLogs: z.boolean().default(false).describe("Stream session logs to a log group the stack creates"),
  encryptSessions: z
    .boolean()
    .default(false)
    .describe("Encrypt session data with a KMS key; grants then allow kms:GenerateDataKey on it"),
  sessionKeyAlias: z
    .string()
    .regex(/^alias\/(?!aws\/)[\w/-]{1,250}$/, {
      error:
        "must be a KMS alias such as alias/ssm-jit-access-sessions (not alias/aws/…, which AWS reserves)",
    })
    .default(DEFAULT_SESSION_KEY_ALIAS)
    .describe(
      "The alias the session key carries in each region; grants allow kms:GenerateDataKey on the key that has it",
    ),
  runAsDefaultUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "must be an OS user name" })
    .optional()
    .describe("Turns Run As on with this default OS user"),
  shellProfile: z
    .strictObject({ linux: z.string().max(512).optional(), windows: z.string().max(512).optional() })
    .optional(),
  transcripts: z
    .strictObject({
      logGroup: z
        .string()
        .regex(/^[\w./#-]{1,512}$/, { error: "must be a CloudWatch Logs log group name" })
        .optional(),
      s3Bucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name" })
        .optional(),
      s3Prefix: z
        .string()
        .max(256)
        .regex(/^[^*?]*$/, { error: "is a key prefix, not a pattern" })
        .optional(),
    })
    .refine((t) => t.logGroup !== undefined || t.s3Bucket !== undefined, {
      error: "name a logGroup or an s3Bucket (or leave transcripts out)",
    })
    .optional()
    .describe(
      "Where your own Session Manager preferences send transcripts, when manage is off: notices then link each session's transcript",
    ),
});

/** A provider's API base: https, or plain http on the loopback address for the sandbox's fakes. */
const providerUrl = z.string().regex(/^(?:https:\/\/[a-z0-9.-]+|http:\/\/127\.0\.0\.1:\d{1,5})$/, {
  error: "must be https://<host> (or http://127.0.0.1:<port> for the sandbox)",
});

/** The days the weekly report may be sent on. */
export const WEEKDAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;

/** Who is who in the hub's own account: Slack user ID or email to role or user ARN. */
const principalMap = z
  .record(
    z
      .string()
      .regex(/^(?:[UW][A-Z0-9]{2,}|[^@\s]+@[^@\s]+)$/, { error: "must be a Slack user ID or an email" }),
    principalArn,
  )
  .default({});

/** A role many people share, each narrowed by role session name; its grants live in slots. */
const sharedRoleSchema = z.strictObject({
  arn: principalArn,
  sessionName: z
    .string()
    .regex(/\{(email|slackUserId)\}/, { error: "must contain {email} or {slackUserId}" })
    .regex(/^(?:\{email\}|\{slackUserId\}|[\w+=,.@-])*$/, {
      error:
        "outside {email} and {slackUserId} it may hold only IAM's role session name characters (letters, digits and + = , . @ _ -)",
    })
    .default("{email}"),
  names: z
    .record(
      z.string().regex(/^(?:[UW][A-Z0-9]{2,}|[^@\s]+@[^@\s]+)$/, {
        error: "must be a Slack user ID or an email",
      }),
      z.string().regex(/^[\w+=,.@-]{2,64}$/, {
        error: "must be a role session name: 2-64 of letters, digits and + = , . @ _ -",
      }),
    )
    .default({})
    .describe(
      "Role session names that are not what sessionName makes (Identity Center user names that are not emails), by Slack user ID or email",
    ),
  slots: z
    .number()
    .int()
    .min(1)
    .max(19)
    .default(4)
    .describe(
      "How many customer-managed policies /jit/jit-grants-N hold this role's grants (each holds 6,144 characters). With jit-base they count against IAM's managed policies per role: 10 by default, 20 at most once raised",
    ),
  trustPinsSessionName: z
    .boolean()
    .default(false)
    .describe(
      "For a shared role that is not an Identity Center role: true once its trust policy ties sts:RoleSessionName to the caller (otherwise whoever may assume it picks any person's session name)",
    ),
  identityCenter: z
    .strictObject({
      instanceArn: z.string().regex(/^arn:aws[a-z-]*:sso:::instance\/ssoins-[0-9a-f]{16}$/, {
        error: "must be an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-…)",
      }),
      permissionSetArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/, {
          error: "must be a permission set ARN (arn:aws:sso:::permissionSet/ssoins-…/ps-…)",
        }),
    })
    .optional()
    .describe(
      "When set, the stack attaches the slot and base policies to this permission set (management or delegated-administrator account only)",
    ),
});

export const configSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, { error: "must be a 12-digit AWS account ID" }),
  accounts: accountsSchema.optional(),
  organization: organizationSchema.optional(),
  slack: z.strictObject({
    approvalsChannel: slackChannel,
    auditChannel: slackChannel,
    admins: z.array(slackUserId).default([]),
  }),
  notices: z
    .strictObject({
      topicName: z
        .string()
        .regex(/^[\w-]{1,256}$/)
        .default("jit-access-notices"),
      sessionStarted: noticeRoute.default(["audit", "requester", "sns"]),
      sessionEnded: noticeRoute.default(["audit", "sns"]),
      alerts: noticeRoute.default(["audit", "sns"]),
    })
    .default({
      topicName: "jit-access-notices",
      sessionStarted: ["audit", "requester", "sns"],
      sessionEnded: ["audit", "sns"],
      alerts: ["audit", "sns"],
    })
    .describe("Who hears about sessions: the audit channel, the requester's DM, the SNS topic"),
  sessionManager: sessionManagerSchema.default({
    manage: false,
    idleTimeout: "20m",
    cloudWatchLogs: false,
    encryptSessions: false,
    sessionKeyAlias: DEFAULT_SESSION_KEY_ALIAS,
  }),
  maxDuration: duration.default("8h").describe("The global maximum; no profile may exceed it"),
  expiryWarning: duration.default("10m").describe("How long before expiry the requester is warned"),
  observability: z
    .strictObject({
      tracing: z
        .boolean()
        .default(true)
        .describe(
          "X-Ray tracing of the state machine and the functions (one request followed from the Slack click to the IAM call); false for teams that do not use X-Ray",
        ),
      logLevel: z
        .enum(["DEBUG", "INFO", "WARN", "ERROR"])
        .default("INFO")
        .describe("The functions' log level (POWERTOOLS_LOG_LEVEL)"),
      debugSampleRate: z
        .number()
        .min(0)
        .max(1)
        .default(0.01)
        .describe("The share of invocations that log at debug whatever the level (0 to 1)"),
    })
    .default({ tracing: true, logLevel: "INFO", debugSampleRate: 0.01 })
    .describe("Logs, metrics and traces for the operators (docs/runbook.md)"),
  principals: z.strictObject({
    map: principalMap,
    sharedRole: sharedRoleSchema.optional(),
    accounts: z
      .record(
        accountName,
        z.strictObject({
          map: principalMap,
          // Identity Center's permission set is one for the organization: the hub's sharedRole names it.
          sharedRole: sharedRoleSchema.omit({ identityCenter: true }).optional(),
        }),
      )
      .optional()
      .describe(
        "Principals in the other named accounts, by account name: the same map and sharedRole as above (which are the hub's own account's)",
      ),
  }),
  onCall: z
    .strictObject({
      pagerduty: z.strictObject({ apiUrl: providerUrl.default("https://api.pagerduty.com") }).optional(),
      opsgenie: z
        .strictObject({ apiUrl: providerUrl.default("https://api.opsgenie.com") })
        .optional()
        .describe("EU accounts: https://api.eu.opsgenie.com"),
      timeout: checkedDuration
        .refine((text) => secondsOf(text) <= ONCALL_TIMEOUT_MAX_SECONDS, {
          error: `must be at most ${ONCALL_TIMEOUT_MAX_SECONDS}s: Slack gives the whole /access answer 3 s, and a cold start and the record's writes need the rest`,
        })
        .default("2s")
        .describe(
          "How long a lookup may take before approval falls back (Slack waits for it inside its 3 s: at most 2s)",
        ),
    })
    .optional()
    .describe("On-call providers the profiles' onCall rules consult; tokens are stack secrets"),
  customDocuments: z
    .array(documentName)
    .default([])
    .describe(
      "Session documents of your own whose names are one edit from a built-in one (shel, Ssh): listed here, they are taken as meant instead of as a typo",
    ),
  report: z
    .strictObject({
      weekly: z
        .strictObject({
          enabled: z.boolean().default(false),
          day: z.enum(WEEKDAYS).default("monday").describe("The day it is sent (UTC)"),
          hour: z.number().int().min(0).max(23).default(9).describe("The hour it is sent (UTC, 0-23)"),
        })
        .default({ enabled: false, day: "monday", hour: 9 }),
    })
    .default({ weekly: { enabled: false, day: "monday", hour: 9 } })
    .describe(
      "The weekly access report: a summary in the audit channel and the full report as JSON on the SNS topic (off unless enabled)",
    ),
  profiles: z
    .record(
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: "profile ids are lowercase letters, digits and -" }),
      profileSchema,
    )
    .refine((profiles) => Object.keys(profiles).length > 0, { error: "at least one profile is required" }),
});

/** The configuration as written (durations as text), after defaults. */
export type RawConfig = z.output<typeof configSchema>;
export type RawProfile = z.output<typeof profileSchema>;
