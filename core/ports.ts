/**
 * The ports the use cases need. Adapters implement them: aws/ for the deployed product, local/ for
 * the sandbox, and in-memory fakes for tests. Nothing here imports an SDK.
 */

import type { Clock } from "./clock.ts";
import type { AccessConfig } from "./config/load.ts";
import type { Metrics } from "./metrics.ts";
import type { OnCallProviders } from "./oncall.ts";
import type { PolicyDocument } from "./policy.ts";
import type { Principal } from "./principal.ts";
import type { AccessRequest, Status } from "./request.ts";
import type { TranscriptLocation } from "./transcripts.ts";

/** One append-only entry of a request's audit trail. */
export interface AuditEvent {
  requestId: string;
  at: string;
  actor: string;
  action: string;
  detail?: Record<string, unknown> | undefined;
}

/** A request with its session events (the status changes are in the record), as a window read returns it. */
export interface RequestHistory {
  request: AccessRequest;
  /** Its `session-*` audit events, oldest first. */
  sessionEvents: AuditEvent[];
}

/** Request records and their audit trail. Every update is conditional on the version read. */
export interface RequestStore {
  /** Creates a record; ConflictError when the id exists. */
  create(request: AccessRequest): Promise<void>;
  get(id: string): Promise<AccessRequest | undefined>;
  /**
   * Writes `changes` when the stored version is still `request.version`; returns the new record.
   * ConflictError when someone else wrote first.
   */
  update(request: AccessRequest, changes: Partial<AccessRequest>): Promise<AccessRequest>;
  appendAudit(event: AuditEvent): Promise<void>;
  audit(id: string): Promise<AuditEvent[]>;
  /**
   * Requests in `status`, oldest expiry (or creation) first; `until` bounds that time from above and
   * `after` (exclusive) from below, so old settled requests are never read again.
   */
  listByStatus(status: Status, until?: string, after?: string): Promise<AccessRequest[]>;
  listByRequester(slackUserId: string): Promise<AccessRequest[]>;
  /**
   * Requests created in [`from`, `to`) (ISO times), oldest first, each with its session events:
   * read by creation day, never with a query or a scan per request (`jit audit`, the weekly report).
   */
  listCreated(from: string, to: string): Promise<RequestHistory[]>;
  /**
   * Takes the lease `key` for `owner` until `until` (ISO time), when nobody holds it or its holder's
   * time (`until` < `now`) has passed; false otherwise. A conditional write: one winner.
   */
  acquireLease(key: string, owner: string, until: string, now: string): Promise<boolean>;
  /** Gives the lease back if `owner` still holds it. */
  releaseLease(key: string, owner: string): Promise<void>;
}

/** An inline policy of ours (`jit-*`) found on a principal. */
export interface AttachedGrant {
  policyName: string;
  document: PolicyDocument;
}

/** IAM: the grant policies on principals. Every call is idempotent. */
export interface AccessBroker {
  putGrant(principal: Principal, policyName: string, document: PolicyDocument): Promise<void>;
  /** Deletes the policy; false when it was already gone. */
  deleteGrant(principal: Principal, policyName: string): Promise<boolean>;
  /** Sizes (non-whitespace characters) of every inline policy the principal has, ours or not. */
  inlinePolicySizes(principal: Principal): Promise<{ policyName: string; size: number }[]>;
  /** Our `jit-*` policies on the principal, with their documents. */
  listGrants(principal: Principal): Promise<AttachedGrant[]>;
  /**
   * A slot's (customer-managed policy `/jit/…`) default version's document; undefined when the policy
   * does not exist. Only `policy/jit/*` ARNs are read or written.
   */
  readSlot(policyArn: string): Promise<PolicyDocument | undefined>;
  /**
   * Makes `document` the slot's default version. IAM keeps at most five versions: when five exist,
   * the oldest non-default one is deleted first. Callers hold the slot's lease (IAM has no
   * compare-and-set on versions); LimitExceeded over 6,144 characters.
   */
  writeSlot(policyArn: string, document: PolicyDocument): Promise<void>;
}

/** A Session Manager session as DescribeSessions reports it. */
export interface SessionInfo {
  sessionId: string;
  /** The account the session lives in (issue 12); TerminateSession must be sent there. */
  accountId?: string | undefined;
  /** The region the session lives in; TerminateSession must be sent there. */
  region?: string | undefined;
  target: string;
  owner: string;
  /** The session document (DocumentName); `SSM-SessionManagerRunShell` for a plain shell. */
  document?: string | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
  status?: string | undefined;
}

/** SSM: nodes and sessions. */
export interface SessionControl {
  /** Live sessions whose owner is this principal (for a shared role: this person's role session). */
  liveSessions(principal: Principal): Promise<SessionInfo[]>;
  /** Sessions that ended since `since` (State=History), for the sweeper. */
  endedSessions(since: Date): Promise<SessionInfo[]>;
  /** Ends a session; ending one that already ended is not an error. */
  terminateSession(session: SessionInfo): Promise<void>;
  /** IDs of the managed nodes whose tags match the selector, in the given regions. */
  matchingNodes(tags: Record<string, string[]>, regions: string[]): Promise<string[]>;
}

/** Step Functions: one execution per request, named after it. */
export interface Workflow {
  /** Starts the execution; a second start for the same request is a no-op. */
  start(requestId: string, input: WorkflowInput): Promise<void>;
  /**
   * Starts a short execution that makes IAM and the live sessions match the record as written at
   * `version` ("Apply the record": rewrite the policy of an extended grant, or remove the policy and
   * end the sessions of a revoked one, then close late sessions). Named after the request and the
   * version, so a repeated call for the same write is a no-op. Front doors (Slack, the API) use it
   * instead of touching IAM themselves.
   */
  sync(requestId: string, version: number): Promise<void>;
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED; undefined when no execution exists. */
  status(requestId: string): Promise<string | undefined>;
}

/** What every execution starts with. */
export interface WorkflowInput {
  requestId: string;
  /** "sync": only apply the record (see `Workflow.sync`); absent: the whole lifecycle. */
  action?: "sync" | undefined;
  autoApprove: boolean;
  approvalTimeoutSeconds: number;
}

export type NoticeType =
  | "approval-needed"
  | "approved"
  | "denied"
  | "cancelled"
  | "expired"
  | "granted"
  | "expiring"
  | "extended"
  | "extension-needed"
  | "revoked"
  | "failed"
  | "alarm"
  // Issue 13: granted without approvers, so told loudly and reviewed after the fact.
  | "break-glass"
  | "break-glass-reminder"
  | "break-glass-reviewed"
  | "break-glass-escalation"
  | "on-call-approved";

/** Something worth telling people: the requester, the approvers, the audit channel, the topic. */
export interface Notice {
  type: NoticeType;
  request: AccessRequest;
  detail?: Record<string, unknown> | undefined;
}

/** Delivers notices. Slack and SNS implement it; a failure to notify never stops the lifecycle. */
export interface Notifier {
  notify(notice: Notice): Promise<void>;
  notifySession(notice: SessionNotice): Promise<void>;
}

/** A Session Manager session as this product tracks it, from CloudTrail events and DescribeSessions. */
export interface SessionRecord {
  sessionId: string;
  /** The account the session ran in (from the event's source account); absent: the hub's. */
  accountId?: string | undefined;
  /** The grant that allowed it, when one did. */
  requestId?: string | undefined;
  owner: string;
  target?: string | undefined;
  region?: string | undefined;
  /**
   * The session document, from StartSession's DocumentName (absent there means the default shell)
   * or DescribeSessions; undefined when neither was seen. It decides whether a transcript exists.
   */
  document?: string | undefined;
  startedAt?: string | undefined;
  endedAt?: string | undefined;
  /** terminated (TerminateSession), exit-or-idle (found ended by the sweeper), revoked (by us). */
  endReason?: string | undefined;
  startAnnounced: boolean;
  endAnnounced: boolean;
  version: number;
}

/** What an alert is about: a session no grant explains (the first three: standing access), or a refused attempt. */
export const ALERT_KINDS = ["no-grant", "outside-grant", "not-owner", "refused"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
/** The alert kinds that mean someone holds access outside this product (standing-access drift). */
export const DRIFT_KINDS: readonly AlertKind[] = ["no-grant", "outside-grant", "not-owner"];

/** An alert about a session that no grant explains, or a refused attempt. */
export interface AlertRecord {
  eventId: string;
  kind: AlertKind;
  at: string;
  actor: string;
  target?: string | undefined;
  detail?: string | undefined;
}

/** Where session events are kept: deduplication, session records, alerts. */
export interface SessionLog {
  /** Marks an event as handled; false when it already was (a duplicate delivery). */
  claimEvent(eventId: string): Promise<boolean>;
  /** Gives an event back when its handling failed, so the retry is not taken for a duplicate. */
  releaseEvent(eventId: string): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** Creates (version 1) or replaces the record read at `record.version - 1`; ConflictError on a race. */
  saveSession(record: SessionRecord): Promise<void>;
  saveAlert(alert: AlertRecord): Promise<void>;
  /** Adds one to the counter `key` and returns the new count (atomic; rate-limits alerts). */
  countEvent(key: string): Promise<number>;
  /** The alerts, oldest first; with `range`, only those at or after `from` and before `to` (ISO times). */
  listAlerts(range?: { from: string; to: string }): Promise<AlertRecord[]>;
}

export type SessionNoticeType = "session-started" | "session-ended" | "session-alert";

/** A session worth telling people about, with the grant that allowed it when there is one. */
export interface SessionNotice {
  type: SessionNoticeType;
  session: SessionRecord;
  request?: AccessRequest | undefined;
  /** started, ended, no-grant, outside-grant, not-owner, refused */
  outcome: string;
  actor: string;
  detail?: string | undefined;
  /** Where the session's transcript is (session-ended notices). */
  transcript?: TranscriptLocation | undefined;
}

/**
 * The broker and session control of every account (issue 12). The hub's own are `Deps.broker` and
 * `Deps.sessions`; any other account's act through its `jit-broker` role. A call into an account the
 * hub cannot reach fails with AccountUnreachableError naming it (core/accounts.ts).
 */
export interface AccountPorts {
  broker(accountId: string): AccessBroker;
  sessions(accountId: string): SessionControl;
}

/** Everything a use case may need, passed in explicitly. */
export interface Deps {
  config: AccessConfig;
  store: RequestStore;
  broker: AccessBroker;
  sessions: SessionControl;
  /** Every other account's ports; absent: the config spans only the hub (core/usecases/in-account.ts). */
  accounts?: AccountPorts | undefined;
  workflow: Workflow;
  notifier: Notifier;
  sessionLog: SessionLog;
  clock: Clock;
  /** Random numbers for request ids; injectable for reproducible tests. */
  random?: () => number;
  /** On-call providers for profiles with an `onCall` rule; absent: those requests wait for approvers. */
  onCall?: OnCallProviders | undefined;
  /** The sandbox's transcript file of a session; absent on AWS, where the preferences decide. */
  transcriptFile?: ((sessionId: string) => string) | undefined;
  /** Where use cases record metrics (core/metrics.ts); absent: nothing is measured. */
  metrics?: Metrics | undefined;
}
