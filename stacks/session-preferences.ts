/// <reference path="../.sst/platform/config.d.ts" />
/**
 * Session Manager preferences, only when `sessionManager.manage` is on: in every region a session may
 * start (home and each profile region; Session Manager reads the document of the session's region),
 * the preferences document, and the log group and KMS keys it points at when those switches are on.
 *
 * The document is the account's, so it is never deleted on remove, and the deploy refuses to write
 * over one this stage did not create (session-preferences-document.ts says what to run first).
 */
import type { AccessConfig } from "../core/config/load.ts";
import { retainedIn } from "./notices-policies.ts";
import { inRegion } from "./providers.ts";
import { preferencesRegions } from "./regions.ts";
import { sessionLogGroupName, sessionLogsKeyPolicy } from "./session-logs.ts";
import {
  PREFERENCES_DOCUMENT,
  PREFERENCES_DOCUMENT_OPTIONS,
  preferencesConflict,
  preferencesOwner,
  sessionKeyAlias,
  sessionPreferencesDocument,
} from "./session-preferences-document.ts";

/** The content of the region's preferences document, or undefined when it does not exist. */
async function existingDocument(region: string, home: string): Promise<string | undefined> {
  try {
    const doc = await aws.ssm.getDocument(
      { name: PREFERENCES_DOCUMENT, documentFormat: "JSON" },
      inRegion(region, home),
    );
    return doc.content;
  } catch (error) {
    if (/InvalidDocument|does not exist|not found/i.test(String(error))) return undefined;
    throw error;
  }
}

/** Refuses the deploy (before anything is created) when a region's document is not this stage's. */
export async function checkPreferencesOwnership(config: AccessConfig, home: string): Promise<void> {
  const owner = preferencesOwner($app.name, $app.stage);
  const problems: string[] = [];
  for (const region of preferencesRegions(config, home)) {
    const problem = preferencesConflict(await existingDocument(region, home), owner, region);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new Error(problems.join("\n\n"));
}

export function createSessionPreferences(config: AccessConfig, home: string, production: boolean) {
  const prefs = config.sessionManager;
  const keep = retainedIn(production);
  const owner = preferencesOwner($app.name, $app.stage);
  return preferencesRegions(config, home).map((region) => {
    const opts = inRegion(region, home);
    const suffix = region === home ? "" : region.replaceAll("-", "");
    const key = prefs.encryptSessions
      ? new aws.kms.Key(
          `SessionKey${suffix}`,
          { description: "Encrypts Session Manager session data", enableKeyRotation: true },
          { ...opts, ...keep },
        )
      : undefined;
    if (key) {
      new aws.kms.Alias(
        `SessionKeyAlias${suffix}`,
        { name: sessionKeyAlias(prefs), targetKeyId: key.keyId },
        opts,
      );
    }
    let logGroup: aws.cloudwatch.LogGroup | undefined;
    if (prefs.cloudWatchLogs) {
      const name = sessionLogGroupName($app.name, $app.stage);
      const logsKey = new aws.kms.Key(
        `SessionLogsKey${suffix}`,
        {
          description: "Encrypts Session Manager transcripts in CloudWatch Logs",
          enableKeyRotation: true,
          policy: JSON.stringify(
            sessionLogsKeyPolicy({
              partition: config.partition,
              accountId: config.accountId,
              region,
              logGroupName: name,
            }),
          ),
        },
        { ...opts, ...keep },
      );
      logGroup = new aws.cloudwatch.LogGroup(
        `SessionLogs${suffix}`,
        { name, retentionInDays: 365, kmsKeyId: logsKey.arn },
        { ...opts, ...keep },
      );
    }
    const content = $resolve([logGroup?.name ?? "", key?.arn ?? ""]).apply(([logGroupName, kmsKeyId]) =>
      JSON.stringify(
        sessionPreferencesDocument(
          prefs,
          { logGroupName: logGroupName || undefined, kmsKeyId: kmsKeyId || undefined },
          owner,
        ),
      ),
    );
    const document = new aws.ssm.Document(
      `SessionPreferences${suffix}`,
      { name: PREFERENCES_DOCUMENT, documentType: "Session", documentFormat: "JSON", content },
      { ...opts, ...PREFERENCES_DOCUMENT_OPTIONS },
    );
    return { region, document, key, logGroup };
  });
}
