/**
 * The Session Manager preferences document (SSM-SessionManagerRunShell) built from the config's
 * `sessionManager` switches. Pure, so the exact content is unit-tested before any deploy.
 */
import type { SessionManagerPreferences } from "../core/config/load.ts";

/** The account's preferences document: Session Manager reads this exact name. */
export const PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell";

export interface PreferencesResources {
  /** Log group the stack created, when `cloudWatchLogs` is on. */
  logGroupName?: string | undefined;
  /** KMS key the stack created, when `encryptSessions` is on. */
  kmsKeyId?: string | undefined;
}

const minutes = (seconds: number) => String(Math.round(seconds / 60));

/** The document content, in the schema Session Manager documents for Standard_Stream sessions. */
export function sessionPreferencesDocument(
  prefs: SessionManagerPreferences,
  resources: PreferencesResources = {},
) {
  return {
    schemaVersion: "1.0",
    description: "Session Manager preferences, managed by ssm-jit-access",
    sessionType: "Standard_Stream",
    inputs: {
      s3BucketName: prefs.s3LogBucket ?? "",
      s3KeyPrefix: prefs.s3LogBucket ? "sessions/" : "",
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
