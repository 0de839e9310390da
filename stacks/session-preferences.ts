/// <reference path="../.sst/platform/config.d.ts" />
/**
 * Session Manager preferences, only when `sessionManager.manage` is on: the preferences document,
 * and the log group and KMS key it points at when those switches are on.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { PREFERENCES_DOCUMENT, sessionPreferencesDocument } from "./session-preferences-document.ts";

export function createSessionPreferences(config: AccessConfig) {
  const prefs = config.sessionManager;
  if (!prefs.manage) return undefined;
  const key = prefs.encryptSessions
    ? new aws.kms.Key("SessionKey", {
        description: "Encrypts Session Manager session data",
        enableKeyRotation: true,
      })
    : undefined;
  const logGroup = prefs.cloudWatchLogs
    ? new aws.cloudwatch.LogGroup("SessionLogs", {
        name: `/ssm-jit-access/${$app.stage}/sessions`,
        retentionInDays: 365,
      })
    : undefined;
  const content = $resolve([logGroup?.name ?? "", key?.arn ?? ""]).apply(([logGroupName, kmsKeyId]) =>
    JSON.stringify(
      sessionPreferencesDocument(prefs, {
        logGroupName: logGroupName || undefined,
        kmsKeyId: kmsKeyId || undefined,
      }),
    ),
  );
  const document = new aws.ssm.Document("SessionPreferences", {
    name: PREFERENCES_DOCUMENT,
    documentType: "Session",
    documentFormat: "JSON",
    content,
  });
  return { document, key, logGroup };
}
