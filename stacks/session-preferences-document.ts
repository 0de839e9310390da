/**
 * The Session Manager preferences document (SSM-SessionManagerRunShell) built from the config's
 * `sessionManager` switches. Pure, so the exact content is unit-tested before any deploy.
 */
import { DEFAULT_SESSION_KEY_ALIAS } from "../core/config/constants.ts";
import type { SessionManagerPreferences } from "../core/config/load.ts";
import { MANAGED_S3_PREFIX } from "../core/transcripts.ts";

/** The account's preferences document: Session Manager reads this exact name. */
export const PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell";

export interface PreferencesResources {
  /** Log group the stack created, when `cloudWatchLogs` is on. */
  logGroupName?: string | undefined;
  /** KMS key the stack created, when `encryptSessions` is on. */
  kmsKeyId?: string | undefined;
}

const minutes = (seconds: number) => String(Math.round(seconds / 60));

/** Who wrote the document, as its description says: one stage of one app owns it per region. */
export const preferencesOwner = (app: string, stage: string): string => `app ${app}, stage ${stage}`;

const DESCRIPTION = "Session Manager preferences, managed by ssm-jit-access";

/** The document content, in the schema Session Manager documents for Standard_Stream sessions. */
export function sessionPreferencesDocument(
  prefs: SessionManagerPreferences,
  resources: PreferencesResources = {},
  owner?: string,
) {
  return {
    schemaVersion: "1.0",
    description: owner ? `${DESCRIPTION} (${owner})` : DESCRIPTION,
    sessionType: "Standard_Stream",
    inputs: {
      s3BucketName: prefs.s3LogBucket ?? "",
      s3KeyPrefix: prefs.s3LogBucket ? MANAGED_S3_PREFIX : "",
      s3EncryptionEnabled: Boolean(prefs.s3LogBucket),
      cloudWatchLogGroupName: prefs.cloudWatchLogs ? (resources.logGroupName ?? "") : "",
      cloudWatchEncryptionEnabled: prefs.cloudWatchLogs,
      cloudWatchStreamingEnabled: prefs.cloudWatchLogs,
      kmsKeyId: prefs.encryptSessions ? (resources.kmsKeyId ?? "") : "",
      idleSessionTimeout: minutes(prefs.idleTimeoutSeconds),
      maxSessionDuration:
        prefs.maxSessionDurationSeconds === undefined ? "" : minutes(prefs.maxSessionDurationSeconds),
      runAsEnabled: prefs.runAsDefaultUser !== undefined,
      runAsDefaultUser: prefs.runAsDefaultUser ?? "",
      shellProfile: { linux: prefs.shellProfile?.linux ?? "", windows: prefs.shellProfile?.windows ?? "" },
    },
  };
}

/**
 * Resource options of the document: the preferences are the account's, not the stage's, so
 * `sst remove` leaves the document (and the account's preferences) in place.
 */
export const PREFERENCES_DOCUMENT_OPTIONS = { retainOnDelete: true } as const;

/**
 * Whether the stack may own the region's preferences document, given the content already there (or
 * undefined when there is none). The console creates this document the first time anyone saves
 * preferences
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-default-session-document.html).
 * A document this stage wrote is kept; any other stops the deploy with the commands to run first.
 * Adoption by Pulumi `import` was set aside: whether an import whose inputs differ fails or updates
 * depends on the Pulumi version (pulumi/pulumi#19339), and nothing here can try it against AWS.
 */
export function preferencesConflict(
  existing: string | undefined,
  owner: string,
  region: string,
): string | undefined {
  if (existing === undefined) return undefined;
  let description = "";
  try {
    description = String((JSON.parse(existing) as { description?: unknown }).description ?? "");
  } catch {
    description = "";
  }
  // The bare description is what stacks wrote before documents named their stage: ours to update.
  if (description === `${DESCRIPTION} (${owner})` || description === DESCRIPTION) return undefined;
  const other = /\(app [^,]+, (stage [^)]+)\)$/.exec(description)?.[1];
  const name = PREFERENCES_DOCUMENT;
  return [
    `${name} already exists in ${region} and this stage does not own it (${other ? `it belongs to ${other} of ssm-jit-access` : "the Session Manager console, or someone, wrote it"}).`,
    "Keep a copy, delete it, and deploy again:",
    `  aws ssm get-document --name ${name} --region ${region} --query Content --output text > ${name}.${region}.json`,
    `  aws ssm delete-document --name ${name} --region ${region}`,
    "Or set sessionManager.manage: false to leave Session Manager preferences to the console.",
  ].join("\n");
}

/**
 * The alias the session key carries in every region: the grant names the key by this alias
 * (core/policy.ts, `kms:ResourceAliases`), since each region's key has its own ARN.
 */
export const sessionKeyAlias = (prefs: SessionManagerPreferences): string =>
  prefs.sessionKeyAlias ?? DEFAULT_SESSION_KEY_ALIAS;
