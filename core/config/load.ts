/**
 * Parses and checks the access configuration. Every problem is collected and reported at once, each
 * with the dotted path it is about, so a platform team fixes a config in one pass.
 */
import { type Alias, isAlias, LineCounter, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { formatDuration, parseDuration } from "../duration.ts";
import { ConfigError, type ConfigIssue, ValidationError } from "../errors.ts";
import { LOGGED_DOCUMENTS } from "../transcripts.ts";
import { accountIssues } from "./accounts.ts";
import { principalIssues } from "./principal-checks.ts";
import {
  BUILT_IN_DOCUMENTS,
  configSchema,
  PRINCIPAL_ARN,
  type RawConfig,
  type RawProfile,
  REMOVED_PROFILE_FIELDS,
} from "./schema.ts";
import { closest } from "./suggest.ts";

type DurationKey = "defaultDuration" | "maxDuration" | "approvalTimeout";

/** A profile ready for use: durations in seconds, tag values as lists, document names resolved. */
export type Profile = Omit<RawProfile, DurationKey | "nodes" | "documents"> & {
  id: string;
  tags: Record<string, string[]>;
  /** Full session document names (SSM-SessionManagerRunShell, AWS-StartPortForwardingSession, custom…). */
  documents: string[];
  defaultDurationSeconds: number;
  maxDurationSeconds: number;
  approvalTimeoutSeconds: number;
  /** Alias of the KMS key that encrypts this profile's sessions, when `encryptSessions` is on. */
  sessionKeyAlias?: string | undefined;
};

/** Session Manager preferences with durations in seconds. */
export type SessionManagerPreferences = Omit<
  RawConfig["sessionManager"],
  "idleTimeout" | "maxSessionDuration" | "sessionKeyAlias"
> & {
  /** Alias of the session key in each region (the schema defaults it). */
  sessionKeyAlias?: string | undefined;
  /** The log group the stack creates for transcripts; set at deploy (core/transcripts.ts). */
  logGroupName?: string | undefined;
  idleTimeoutSeconds: number;
  maxSessionDurationSeconds?: number | undefined;
};

/** The whole configuration, normalized. */
export type AccessConfig = Omit<
  RawConfig,
  "profiles" | "maxDuration" | "expiryWarning" | "sessionManager"
> & {
  sessionManager: SessionManagerPreferences;
  partition: string;
  maxDurationSeconds: number;
  expiryWarningSeconds: number;
  profiles: Record<string, Profile>;
};

/** Aliases a file may use before it looks like an alias bomb (yaml's own default, made explicit). */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML (or JSON) text into a checked configuration; throws ConfigError listing every issue.
 * Every YAML failure, an alias bomb included, is a ConfigError that names its line.
 */
export function parseConfig(text: string): AccessConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number) => lines.linePos(offset).line;
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ path: "", message: `not valid YAML at line ${at(e.pos[0])}: ${e.message}` })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // Alias failures (unresolved, or too many: a bomb) carry no position: name the alias's line.
    const aliases: Alias[] = [];
    visit(doc, { Alias: (_, node) => void aliases.push(node) });
    const named = aliases.find((a) => error.message.endsWith(`: ${a.source}`)) ?? aliases.find(isAlias);
    const line = named?.range ? at(named.range[0]) : 1;
    throw new ConfigError([{ path: "", message: `not valid YAML at line ${line}: ${error.message}` }]);
  }
  return checkConfig(data);
}

/** Checks already-parsed data (for example from JSON) and normalizes it. */
export function checkConfig(data: unknown): AccessConfig {
  const result = configSchema.safeParse(data);
  const quoteAccount = unquotedAccountId(data);
  const issues: ConfigIssue[] = result.success
    ? []
    : result.error.issues
        .flatMap((i) => toIssues(i))
        .filter((i) => !(quoteAccount && i.path === "accountId"));
  if (quoteAccount) issues.push(quoteAccount);
  issues.push(...reservedKeys(data), ...crossChecks(data));
  if (!result.success || issues.length > 0) throw new ConfigError(dedupe(issues));
  return normalize(result.data);
}

type ZodIssue = z.core.$ZodIssue;

/** An issue that only says "this is not that type": the union branch it came from does not apply. */
const typeMismatch = (issue: ZodIssue): boolean =>
  issue.path.length === 0 &&
  (issue.code === "invalid_type" ||
    (issue.code === "invalid_union" && issue.errors.every((branch) => branch.some(typeMismatch))));

/**
 * Turns a zod issue into the config's own issues: a union reports the branch that fits the input
 * (a string's own problem, not "expected object"), a bad record key its own message, a removed field
 * is left to the sentence that explains it.
 */
function toIssues(issue: ZodIssue, base: PropertyKey[] = []): ConfigIssue[] {
  const path = [...base, ...issue.path];
  const issueAt = (message: string) => [{ path: path.map(String).join("."), message }];
  if (issue.code === "invalid_union") {
    const fitting = issue.errors.filter((branch) => !branch.some(typeMismatch));
    if (fitting.length > 0) return fitting.flatMap((branch) => branch.flatMap((i) => toIssues(i, path)));
  }
  if (issue.code === "invalid_key") return issueAt(issue.issues.map((i) => i.message).join("; "));
  if (issue.code === "unrecognized_keys") {
    // Each unknown key at its own path, with the known key it is probably a slip for.
    const known = knownKeys(path);
    return issue.keys
      .filter((k) => !(path[0] === "profiles" && k in REMOVED_PROFILE_FIELDS))
      .map((k) => {
        const meant = closest(k, known, 2);
        const hint = meant
          ? `; did you mean ${meant}?`
          : path.length === 0
            ? `; the top-level keys are ${known.join(", ")}`
            : "";
        return { path: [...path, k].map(String).join("."), message: `unknown key${hint}` };
      });
  }
  return issueAt(issue.message);
}

/** The keys the schema knows at a path of the config (records and lists stepped through). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  // zod keeps each schema's parts on `_zod.def`; only the wrappers a config uses are unwrapped.
  type Def = { type: string; shape?: object; innerType?: Node; valueType?: Node; element?: Node; in?: Node };
  type Node = { _zod: { def: Def } };
  const unwrap = (node: Node | undefined): Node | undefined => {
    const def = node?._zod.def;
    if (def && ["default", "optional", "nullable", "prefault"].includes(def.type))
      return unwrap(def.innerType);
    if (def?.type === "pipe") return unwrap(def.in);
    return node;
  };
  let node = unwrap(configSchema as unknown as Node);
  for (const step of path) {
    const def = node?._zod.def;
    if (def?.type === "object") node = unwrap((def.shape as Record<string, Node>)[String(step)]);
    else if (def?.type === "record") node = unwrap(def.valueType);
    else if (def?.type === "array") node = unwrap(def.element);
    else return [];
  }
  const def = node?._zod.def;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/**
 * `accountId: 012345678901` unquoted is a YAML number: the schema's "must be a string" does not say
 * why, and the leading zero is already gone. Say to quote it, with the value as it was meant.
 */
function unquotedAccountId(data: unknown): ConfigIssue | undefined {
  const written = asRecord(data).accountId;
  if (typeof written !== "number" || !Number.isInteger(written) || written < 0) return undefined;
  const meant = String(written).padStart(12, "0");
  return {
    path: "accountId",
    message: `write it in quotes, accountId: "${meant}": unquoted, YAML reads it as a number (and drops leading zeros)`,
  };
}

/**
 * A document name one edit from a built-in one (`shel`, `Ssh`, `SSM-SessionManagerRunShel`) is a
 * typo until the config says otherwise: a custom document by that name rarely exists, and the grant
 * would name it instead of the shell that was meant.
 */
function documentTypos(root: Record<string, unknown>): ConfigIssue[] {
  const declared = new Set(Array.isArray(root.customDocuments) ? root.customDocuments : []);
  const known = [...Object.keys(BUILT_IN_DOCUMENTS), ...Object.values(BUILT_IN_DOCUMENTS)];
  return Object.entries(asRecord(root.profiles)).flatMap(([id, value]) => {
    const documents = asRecord(value).documents;
    if (!Array.isArray(documents)) return [];
    return documents.flatMap((name, i) => {
      if (typeof name !== "string" || known.includes(name) || declared.has(name)) return [];
      const meant = closest(name, known, 1);
      if (!meant) return [];
      return [
        {
          path: `profiles.${id}.documents.${i}`,
          message: `"${name}" is no known document; did you mean ${meant}? (list it under customDocuments if it is a document of your own)`,
        },
      ];
    });
  });
}

/** Keys that change how JavaScript objects behave; refused wherever they appear, never dropped. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function reservedKeys(value: unknown, path: string[] = []): ConfigIssue[] {
  if (value === null || typeof value !== "object") return [];
  return Object.keys(value).flatMap((key) =>
    RESERVED_KEYS.has(key)
      ? [
          {
            path: [...path, key].join("."),
            message: `the key "${key}" is not allowed (it would change how objects behave)`,
          },
        ]
      : reservedKeys((value as Record<string, unknown>)[key], [...path, key]),
  );
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads a duration when it is a parseable string, and records a problem when it is not. */
function durationAt(value: unknown, path: string, issues: ConfigIssue[]): number | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return parseDuration(value, path);
  } catch (error) {
    if (error instanceof ValidationError) issues.push({ path, message: error.message });
    return undefined;
  }
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * Rules across fields. They read the raw data leniently, so they still run (and report) when other
 * parts of the file are broken.
 */
function crossChecks(data: unknown): ConfigIssue[] {
  const root = asRecord(data);
  const issues: ConfigIssue[] = documentTypos(root);
  const globalMax = durationAt(root.maxDuration ?? "8h", "maxDuration", issues);
  const warning = durationAt(root.expiryWarning ?? "10m", "expiryWarning", issues);
  const accountId =
    typeof root.accountId === "string" && /^\d{12}$/.test(root.accountId) ? root.accountId : undefined;

  const sm = asRecord(root.sessionManager);
  const idle = durationAt(sm.idleTimeout ?? "20m", "sessionManager.idleTimeout", issues);
  if (idle !== undefined && (idle < 60 || idle > 3600)) {
    issues.push({
      path: "sessionManager.idleTimeout",
      message: `${sm.idleTimeout} must be between 1m and 60m`,
    });
  }
  const maxSession =
    sm.maxSessionDuration === undefined
      ? undefined
      : durationAt(sm.maxSessionDuration, "sessionManager.maxSessionDuration", issues);
  if (maxSession !== undefined && (maxSession < 60 || maxSession > 86_400)) {
    issues.push({
      path: "sessionManager.maxSessionDuration",
      message: `${sm.maxSessionDuration} must be between 1m and 24h`,
    });
  }
  if (sm.manage === true && sm.transcripts !== undefined) {
    issues.push({
      path: "sessionManager.transcripts",
      message:
        "the stack manages the preferences, so it knows where transcripts go; remove transcripts (it is for preferences you manage yourself)",
    });
  }
  const logsSomewhere =
    sm.manage === true
      ? sm.cloudWatchLogs === true || sm.s3LogBucket !== undefined
      : sm.transcripts !== undefined;

  const principals = asRecord(root.principals);
  const map = asRecord(principals.map);
  const elsewhere = Object.keys(asRecord(principals.accounts)).length > 0;
  if (
    root.principals !== undefined &&
    Object.keys(map).length === 0 &&
    principals.sharedRole === undefined &&
    !elsewhere
  ) {
    issues.push({ path: "principals", message: "name at least one principal in map or a sharedRole" });
  }
  const firstPathOf = new Map<string, string>();
  const named = asRecord(root.accounts);
  issues.push(...principalIssues({ block: principals, at: "principals", accountId, named }, firstPathOf));
  issues.push(...accountIssues(root, firstPathOf));

  for (const [id, value] of Object.entries(asRecord(root.profiles))) {
    const profile = asRecord(value);
    const at = (field: string) => `profiles.${id}.${field}`;
    for (const [field, why] of Object.entries(REMOVED_PROFILE_FIELDS)) {
      if (field in profile) issues.push({ path: at(field), message: why });
    }
    const max = durationAt(profile.maxDuration ?? "4h", at("maxDuration"), issues);
    const def = durationAt(profile.defaultDuration ?? "1h", at("defaultDuration"), issues);
    durationAt(profile.approvalTimeout ?? "30m", at("approvalTimeout"), issues);
    if (max !== undefined && globalMax !== undefined && max > globalMax) {
      issues.push({
        path: at("maxDuration"),
        message: `${profile.maxDuration ?? "4h"} is over the global maximum ${formatDuration(globalMax)}`,
      });
    }
    if (max !== undefined && def !== undefined && def > max) {
      issues.push({
        path: at("defaultDuration"),
        message: `${profile.defaultDuration ?? "1h"} is over this profile's maximum ${formatDuration(max)}`,
      });
    }
    if (max !== undefined && warning !== undefined && warning >= max) {
      issues.push({
        path: at("maxDuration"),
        message: `must be longer than the expiry warning ${formatDuration(warning)}`,
      });
    }
    const approvers = Array.isArray(profile.approvers) ? profile.approvers : [];
    const required = typeof profile.approvalsRequired === "number" ? profile.approvalsRequired : 1;
    const hasGroup = approvers.some((a) => typeof a === "string" && a.startsWith("S"));
    if (required > 0 && approvers.length === 0) {
      issues.push({
        path: at("approvers"),
        message: `${required} approval(s) required but no approvers listed (set approvalsRequired: 0 to auto-approve)`,
      });
    } else if (!hasGroup && required > new Set(approvers).size) {
      issues.push({
        path: at("approvalsRequired"),
        message: `${required} approvals required but only ${new Set(approvers).size} approvers listed`,
      });
    }
    if (profile.requireTranscripts === true) {
      issues.push(...transcriptIssues(profile.documents, at, logsSomewhere));
    }
    if (typeof profile.ticketPattern === "string") {
      try {
        new RegExp(profile.ticketPattern);
      } catch {
        issues.push({
          path: at("ticketPattern"),
          message: `"${profile.ticketPattern}" is not a valid regular expression`,
        });
      }
    }
  }
  return issues;
}

/** A profile that requires transcripts: only logged documents, and a place the logs go. */
function transcriptIssues(documents: unknown, at: (field: string) => string, logsSomewhere: boolean) {
  const issues: ConfigIssue[] = [];
  const names = Array.isArray(documents) ? documents.map(String) : ["shell"];
  names.forEach((name, i) => {
    if (!LOGGED_DOCUMENTS.has(resolveDocument(name))) {
      issues.push({
        path: `${at("documents")}.${i}`,
        message: `requireTranscripts allows only shell sessions, and Session Manager keeps no transcript of ${name} sessions (it logs neither port forwarding nor SSH); remove ${name} or requireTranscripts`,
      });
    }
  });
  if (!logsSomewhere) {
    issues.push({
      path: at("requireTranscripts"),
      message:
        "no transcripts are known to be kept: turn on sessionManager.cloudWatchLogs or s3LogBucket (with manage: true), or name sessionManager.transcripts",
    });
  }
  return issues;
}

function resolveDocument(name: string): string {
  return name in BUILT_IN_DOCUMENTS ? BUILT_IN_DOCUMENTS[name as keyof typeof BUILT_IN_DOCUMENTS] : name;
}

function normalize(raw: RawConfig): AccessConfig {
  const { profiles, maxDuration, expiryWarning, sessionManager, ...rest } = raw;
  const { idleTimeout, maxSessionDuration, ...preferences } = sessionManager;
  // A hub may hold no principal of its own (a tooling account): another account's tell the partition.
  const elsewhere = Object.values(raw.principals.accounts ?? {}).flatMap((a) => [
    ...Object.values(a.map),
    ...(a.sharedRole ? [a.sharedRole.arn] : []),
  ]);
  const firstArn =
    Object.values(raw.principals.map)[0] ?? raw.principals.sharedRole?.arn ?? elsewhere[0] ?? "arn:aws:";
  return {
    ...rest,
    partition: PRINCIPAL_ARN.exec(firstArn)?.[1] ?? "aws",
    sessionManager: {
      ...preferences,
      idleTimeoutSeconds: parseDuration(idleTimeout),
      maxSessionDurationSeconds:
        maxSessionDuration === undefined ? undefined : parseDuration(maxSessionDuration),
    },
    maxDurationSeconds: parseDuration(maxDuration),
    expiryWarningSeconds: parseDuration(expiryWarning),
    profiles: Object.fromEntries(
      Object.entries(profiles).map(([id, p]) => {
        const { nodes, documents, defaultDuration, maxDuration: max, approvalTimeout, ...same } = p;
        const profile: Profile = {
          ...same,
          id,
          // Plain values and `{ like }` patterns become one list; only patterns can hold * or ?
          // (the schema refuses them elsewhere), so the policy's StringLike switch stays right.
          tags: Object.fromEntries(
            Object.entries(nodes.tags).map(([k, v]) => [
              k,
              (Array.isArray(v) ? v : [v]).map((t) => (typeof t === "string" ? t : t.like)),
            ]),
          ),
          documents: [...new Set(documents.map(resolveDocument))],
          defaultDurationSeconds: parseDuration(defaultDuration),
          maxDurationSeconds: parseDuration(max),
          approvalTimeoutSeconds: parseDuration(approvalTimeout),
          ...(sessionManager.encryptSessions ? { sessionKeyAlias: preferences.sessionKeyAlias } : {}),
        };
        return [id, profile];
      }),
    ),
  };
}
