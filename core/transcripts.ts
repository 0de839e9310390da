/**
 * Where a session's transcript is, so a notice can tie it to the request it belongs to. Pure.
 *
 * Facts it rests on:
 * - Only shell sessions are logged: "Logging isn't available for Session Manager sessions that
 *   connect through port forwarding or SSH. This is because SSH encrypts all session data, and
 *   Session Manager only serves as a tunnel for SSH connections."
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-logging.html)
 * - The SSM Agent's shell plugin streams to the log group's stream named after the session id
 *   (`StreamData(config.CloudWatchLogGroup, config.SessionId, …)`, and it reports
 *   `CwlStream = config.SessionId`), and uploads to S3 under
 *   `BuildS3Path(OutputS3KeyPrefix, SessionId + ".log")`
 *   (https://github.com/aws/amazon-ssm-agent/blob/mainline/agent/session/shell/shell.go).
 * - Console addresses: CloudWatch Logs `#logsV2:log-groups/log-group/<name>/log-events/<stream>`,
 *   each part URL-encoded twice with `%` written `$`; S3 `s3/object/<bucket>?region=…&prefix=<key>`.
 */

import { BUILT_IN_DOCUMENTS } from "./config/constants.ts";
import type { AccessConfig, SessionManagerPreferences } from "./config/load.ts";

/** Documents whose sessions Session Manager never logs: they tunnel bytes it cannot read. */
export const UNLOGGED_DOCUMENTS: ReadonlySet<string> = new Set([
  BUILT_IN_DOCUMENTS["port-forwarding"],
  BUILT_IN_DOCUMENTS["port-forwarding-remote"],
  BUILT_IN_DOCUMENTS.ssh,
]);

/** The documents whose sessions are logged: the shell, the one a profile requiring transcripts may allow. */
export const LOGGED_DOCUMENTS: ReadonlySet<string> = new Set([BUILT_IN_DOCUMENTS.shell]);

/** The prefix the managed preferences document gives S3 transcripts. */
export const MANAGED_S3_PREFIX = "sessions/";

/** The name of the log group the stack creates for transcripts (fixed, so a key policy can name it). */
export const managedLogGroupName = (app: string, stage: string): string => `/${app}/${stage}/sessions`;

/** Where transcripts go, from the managed preferences or from the config's declared location. */
export interface TranscriptPlaces {
  logGroup?: string | undefined;
  s3Bucket?: string | undefined;
  s3Prefix?: string | undefined;
}

export type TranscriptLocation =
  | {
      kind: "logged";
      cloudWatch?: { logGroup: string; logStream: string; url?: string | undefined } | undefined;
      s3?: { bucket: string; key: string; url?: string | undefined } | undefined;
    }
  /** A sandbox session: its transcript is a file on this machine. */
  | { kind: "file"; path: string }
  /** Port forwarding or SSH: Session Manager keeps no transcript of it. */
  | { kind: "not-logged"; document: string }
  /** Nothing in the config says where transcripts go (or the document is not one we know logs). */
  | { kind: "none-known"; why: string };

/** Where this deployment's transcripts go, or undefined when the config knows of no place. */
export function transcriptPlaces(prefs: SessionManagerPreferences): TranscriptPlaces | undefined {
  if (prefs.manage) {
    const places = {
      logGroup: prefs.cloudWatchLogs ? prefs.logGroupName : undefined,
      s3Bucket: prefs.s3LogBucket,
      s3Prefix: prefs.s3LogBucket ? MANAGED_S3_PREFIX : undefined,
    };
    return places.logGroup || places.s3Bucket ? places : undefined;
  }
  const declared = prefs.transcripts;
  return declared?.logGroup || declared?.s3Bucket ? declared : undefined;
}

/** The S3 key of a session's transcript under `prefix` (the agent joins them with one slash). */
export function transcriptKey(prefix: string | undefined, sessionId: string): string {
  const base = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  return base ? `${base}/${sessionId}.log` : `${sessionId}.log`;
}

const CONSOLE_HOST: Record<string, string> = {
  aws: "console.aws.amazon.com",
  "aws-cn": "console.amazonaws.cn",
  "aws-us-gov": "console.amazonaws-us-gov.com",
};

/** The CloudWatch console's way of putting a name in its fragment. */
const logsPart = (name: string) => encodeURIComponent(encodeURIComponent(name)).replaceAll("%", "$");

function consoleLinks(partition: string, region: string | undefined) {
  const host = CONSOLE_HOST[partition];
  if (!host || !region) return undefined;
  const base = `https://${region}.${host}`;
  return {
    logStream: (group: string, stream: string) =>
      `${base}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${logsPart(group)}/log-events/${logsPart(stream)}`,
    s3Object: (bucket: string, key: string) =>
      `${base}/s3/object/${encodeURIComponent(bucket)}?region=${region}&prefix=${encodeURIComponent(key)}`,
  };
}

/** The facts about a session that decide where its transcript is. */
export interface SessionFacts {
  sessionId: string;
  region?: string | undefined;
  /** The account the session ran in (issue 12); absent: the hub's. */
  accountId?: string | undefined;
  /** The session document; absent means the default shell (StartSession without DocumentName). */
  document?: string | undefined;
}

/**
 * Where the transcript of `session` is. `sandboxFile` (the sandbox's own transcript path) wins over
 * the config's places, since no AWS account holds a sandbox session's transcript.
 */
export function transcriptOf(
  config: Pick<AccessConfig, "partition" | "sessionManager"> & { accountId?: string | undefined },
  session: SessionFacts,
  sandboxFile?: (sessionId: string) => string,
): TranscriptLocation {
  const document = session.document ?? BUILT_IN_DOCUMENTS.shell;
  if (UNLOGGED_DOCUMENTS.has(document)) return { kind: "not-logged", document };
  if (!LOGGED_DOCUMENTS.has(document)) {
    return {
      kind: "none-known",
      why: `${document} is a document of your own; its own inputs decide where its sessions are logged`,
    };
  }
  if (sandboxFile) return { kind: "file", path: sandboxFile(session.sessionId) };
  // The stack manages (or names) the hub's preferences only: a member account's sessions are logged
  // wherever that account's own Session Manager preferences say, a log group or bucket of its own.
  if (session.accountId && config.accountId && session.accountId !== config.accountId) {
    return {
      kind: "none-known",
      why: `the session ran in account ${session.accountId}, whose own Session Manager preferences decide where it is logged`,
    };
  }
  const places = transcriptPlaces(config.sessionManager);
  if (!places) {
    return {
      kind: "none-known",
      why: config.sessionManager.manage
        ? "the managed preferences log nowhere (turn on cloudWatchLogs or set s3LogBucket)"
        : "Session Manager preferences are not managed here and sessionManager.transcripts names no place",
    };
  }
  const links = consoleLinks(config.partition, session.region);
  const stream = session.sessionId;
  const key = transcriptKey(places.s3Prefix, session.sessionId);
  return {
    kind: "logged",
    cloudWatch: places.logGroup
      ? { logGroup: places.logGroup, logStream: stream, url: links?.logStream(places.logGroup, stream) }
      : undefined,
    s3: places.s3Bucket
      ? { bucket: places.s3Bucket, key, url: links?.s3Object(places.s3Bucket, key) }
      : undefined,
  };
}

/** One plain line for terminals, SNS readers and the audit trail. */
export function describeTranscript(t: TranscriptLocation): string {
  switch (t.kind) {
    case "logged":
      return [
        t.cloudWatch ? `CloudWatch Logs ${t.cloudWatch.logGroup} stream ${t.cloudWatch.logStream}` : "",
        t.s3 ? `s3://${t.s3.bucket}/${t.s3.key}` : "",
      ]
        .filter(Boolean)
        .join(" and ");
    case "file":
      return t.path;
    case "not-logged":
      return `none: Session Manager does not log ${t.document} sessions`;
    case "none-known":
      return `none known: ${t.why}`;
  }
}

/** The profile's documents that leave no transcript (port forwarding, SSH). */
export const unloggedDocuments = (documents: readonly string[]): string[] =>
  documents.filter((d) => UNLOGGED_DOCUMENTS.has(d));

/** The sentence that warns of a profile's unlogged documents; undefined when every session is logged. */
export function transcriptGap(documents: readonly string[]): string | undefined {
  const gaps = unloggedDocuments(documents);
  if (gaps.length === 0) return undefined;
  return `No transcript is kept of ${gaps.join(" and ")} sessions: Session Manager logs only shell sessions, never port forwarding or SSH`;
}

/** Sets the managed log group's name (app and stage are known only at deploy) on the normalized config. */
export function withManagedLogGroup(config: AccessConfig, app: string, stage: string): AccessConfig {
  const prefs = config.sessionManager;
  if (!prefs.manage || !prefs.cloudWatchLogs) return config;
  return { ...config, sessionManager: { ...prefs, logGroupName: managedLogGroupName(app, stage) } };
}
