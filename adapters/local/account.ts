/**
 * A sandbox AWS account in memory: inline policies on principals, customer-managed policies with
 * their versions and the roles they are attached to, managed nodes with tags, and Session Manager
 * sessions. It implements the same ports as the IAM and SSM adapters, so the use cases run unchanged
 * against it, and it refuses what AWS refuses where the design depends on it (shared/DESIGN.md, "AWS
 * behaviours the sandbox must model"): a kinder sandbox lets tests pass that production fails.
 * `faults` lets tests make any call fail.
 */
import { randomUUID } from "node:crypto";
import { assertOurs, POLICY_PREFIX, type PolicyDocument, policySize } from "../../core/policy.ts";
import type { AccessBroker, AttachedGrant, SessionControl, SessionInfo } from "../../core/ports.ts";
import { type Principal, sessionOwnedBy } from "../../core/principal.ts";
import {
  isIdentityCenterRole,
  MANAGED_POLICY_QUOTA,
  MAX_POLICY_VERSIONS,
  requestIdOfSid,
} from "../../core/slots.ts";
import { assertSlotArn } from "../aws/iam.ts";

export interface SandboxNode {
  id: string;
  region: string;
  tags: Record<string, string>;
}

interface SandboxSession extends SessionInfo {
  status: "Connected" | "Terminated";
}

/** One version of a managed policy, as ListPolicyVersions reports it (the document aside). */
export interface SandboxPolicyVersion {
  versionId: string;
  isDefault: boolean;
  createDate: string;
}

/** A customer-managed policy: its versions (oldest first), the default one, the next version number. */
interface ManagedPolicy {
  versions: { versionId: string; createDate: string; text: string }[];
  defaultVersionId: string;
  nextVersion: number;
}

/** Everything the account holds, as plain data; older snapshots lack the managed policies. */
export interface AccountSnapshot {
  policies: Record<string, Record<string, string>>;
  sessions: SessionInfo[];
  managedPolicies?: Record<string, ManagedPolicy>;
  /** Role ARN → the managed policy ARNs attached to it. */
  attachments?: Record<string, string[]>;
}

/** An error as the AWS SDK raises it: IAM's error code as its name, IAM's words as its message. */
function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

// IAM's own messages for these refusals, as AWS returns them:
// - the document size, "LimitExceeded: Cannot exceed quota for PolicySize: 6144"
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: managed policy
//   length 6,144 characters, whitespace not counted);
// - the sixth version (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html:
//   "A managed policy can have up to five versions");
// - a protected Identity Center role (https://repost.aws/knowledge-center/identity-center-aws-reserved-sso).
const tooLarge = () =>
  awsError("LimitExceeded", `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_QUOTA}`);
const tooManyVersions = () =>
  awsError(
    "LimitExceeded",
    `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
  );
const noSuchPolicy = (arn: string) =>
  awsError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`);

/** The sandbox account: IAM (inline and managed policies) and SSM (nodes and sessions) in memory. */
export class SandboxAccount implements AccessBroker, SessionControl {
  /** principal ARN → policy name → document text. */
  readonly policies = new Map<string, Map<string, string>>();
  /** policy ARN → the customer-managed policy. */
  private readonly managed = new Map<string, ManagedPolicy>();
  /** role ARN → the managed policy ARNs attached to it. */
  private readonly attached = new Map<string, Set<string>>();
  /** policy ARN → replaced default documents IAM still honours, and until when. */
  private readonly fadingVersions = new Map<string, { text: string; until: number }[]>();
  readonly sessions = new Map<string, SandboxSession>();
  readonly nodes: SandboxNode[];
  /** Called with the operation name before every call; throw to inject a failure. */
  faults: (operation: string) => void = () => {};
  /**
   * Awaited before and after each IAM or SSM call, so a test can hold a call at an exact point and
   * let another actor run meanwhile (deterministic interleavings).
   */
  hooks: {
    before?: (operation: string, subject: string) => Promise<void> | void;
    after?: (operation: string, subject: string) => Promise<void> | void;
  } = {};
  /**
   * How long a deleted inline policy, or a replaced default version of a managed one, keeps
   * authorizing. IAM is eventually consistent: a deleted policy kept authorizing for about 4 seconds
   * in OFFENSAI's 2025 measurements (shared/DESIGN.md). 0 unless a test asks for it;
   * `effectivePolicies` is what the simulated start-session evaluates.
   */
  propagationMs = 0;
  /** principal ARN → policy name → the deleted document and when IAM stops honouring it. */
  private readonly fading = new Map<string, Map<string, { text: string; until: number }>>();
  private allowed: ReadonlySet<string> | undefined;
  private readonly now: () => Date;
  /** Called after every change, so the sandbox can keep the account on disk. */
  onChange: () => void = () => {};
  /** Called when a live session is terminated (the sandbox turns it into a TerminateSession event). */
  onTerminate: (session: SessionInfo) => void = () => {};

  /**
   * The account's id, when the sandbox is an organization (issue 12): a principal or policy ARN of
   * another account is refused, as the spoke's role could not reach it (its permissions name its own
   * account only), and sessions carry it.
   */
  readonly accountId: string | undefined;

  constructor(options: {
    nodes: SandboxNode[];
    allowedArns?: Iterable<string>;
    now?: () => Date;
    accountId?: string;
  }) {
    this.nodes = options.nodes;
    this.accountId = options.accountId;
    this.allowed = options.allowedArns ? new Set(options.allowedArns) : undefined;
    this.now = options.now ?? (() => new Date());
  }

  /** The principals a deploy of a new config lets the broker write to (a test of offboarding). */
  allow(arns: Iterable<string>): void {
    this.allowed = new Set(arns);
  }

  /** Everything the account holds, as plain data (for saving between sandbox runs). */
  snapshot(): AccountSnapshot & Required<Pick<AccountSnapshot, "managedPolicies" | "attachments">> {
    return {
      policies: Object.fromEntries([...this.policies].map(([arn, map]) => [arn, Object.fromEntries(map)])),
      sessions: [...this.sessions.values()],
      managedPolicies: Object.fromEntries(
        [...this.managed].map(([arn, p]) => [arn, { ...p, versions: p.versions.map((v) => ({ ...v })) }]),
      ),
      attachments: Object.fromEntries([...this.attached].map(([role, arns]) => [role, [...arns]])),
    };
  }

  /**
   * Loads what `snapshot` saved. Managed policies and attachments the snapshot does not hold are kept:
   * the slots start-up created for a config that grew, or a snapshot from before slots existed.
   */
  restore(data: AccountSnapshot): void {
    this.policies.clear();
    for (const [arn, map] of Object.entries(data.policies))
      this.policies.set(arn, new Map(Object.entries(map)));
    this.sessions.clear();
    for (const s of data.sessions) this.sessions.set(s.sessionId, s as SandboxSession);
    for (const [arn, p] of Object.entries(data.managedPolicies ?? {}))
      this.managed.set(arn, { ...p, versions: p.versions.map((v) => ({ ...v })) });
    for (const [role, arns] of Object.entries(data.attachments ?? {}))
      this.attached.set(role, new Set([...(this.attached.get(role) ?? []), ...arns]));
  }

  private policiesOf(arn: string): Map<string, string> {
    let map = this.policies.get(arn);
    if (!map) {
      map = new Map();
      this.policies.set(arn, map);
    }
    return map;
  }

  /** Writes that grant access: only principals today's configuration names, only `jit-*` names. */
  private check(principal: Principal, policyName?: string): void {
    this.inThisAccount(principal.arn);
    assertOurs(this.allowed, principal, policyName);
  }

  /**
   * IAM's calls name a role or user by name, in the caller's account: a principal of another account
   * would be a wrong-account write (or a NoSuchEntity). The sandbox refuses it outright, naming both.
   */
  private inThisAccount(arn: string): void {
    const account = arn.split(":")[4];
    if (this.accountId !== undefined && account !== this.accountId) {
      throw awsError(
        "AccessDenied",
        `${arn} is in account ${account}; this is account ${this.accountId}, whose broker may act only on its own principals and policies`,
      );
    }
  }

  /**
   * Taking access away, and reading: any principal a request record names, even one the configuration
   * no longer has (an offboarded person's grant must stay revocable), but only `jit-*` policies. The
   * stack's IAM permissions bound the principals to the configured ones plus those with open records.
   */
  private checkRemoval(principal: Principal, policyName: string): void {
    this.inThisAccount(principal.arn);
    assertOurs(undefined, principal, policyName);
  }

  private checkRead(principal: Principal): void {
    this.inThisAccount(principal.arn);
    assertOurs(undefined, principal);
  }

  async putGrant(principal: Principal, policyName: string, document: PolicyDocument): Promise<void> {
    this.check(principal, policyName);
    const subject = `${principal.arn} ${policyName}`;
    await this.hooks.before?.("PutPolicy", subject);
    this.faults("PutPolicy");
    refuseProtectedRole(principal);
    this.policiesOf(principal.arn).set(policyName, JSON.stringify(document));
    this.fading.get(principal.arn)?.delete(policyName);
    this.onChange();
    await this.hooks.after?.("PutPolicy", subject);
  }

  async deleteGrant(principal: Principal, policyName: string): Promise<boolean> {
    this.checkRemoval(principal, policyName);
    const subject = `${principal.arn} ${policyName}`;
    await this.hooks.before?.("DeletePolicy", subject);
    this.faults("DeletePolicy");
    refuseProtectedRole(principal);
    const map = this.policiesOf(principal.arn);
    const text = map.get(policyName);
    const deleted = map.delete(policyName);
    if (text !== undefined && this.propagationMs > 0) {
      const fading = this.fading.get(principal.arn) ?? new Map();
      this.fading.set(principal.arn, fading);
      fading.set(policyName, { text, until: this.now().getTime() + this.propagationMs });
    }
    if (deleted) this.onChange();
    await this.hooks.after?.("DeletePolicy", subject);
    return deleted;
  }

  /**
   * The policies IAM evaluates for a principal: its inline policies, deleted ones inside the
   * propagation window, and the default version of each managed policy attached to it, with default
   * versions replaced inside the window (a non-default version is never evaluated).
   */
  effectivePolicies(principalArn: string): { name: string; policy: unknown }[] {
    const now = this.now().getTime();
    const attached = [...(this.policies.get(principalArn) ?? new Map<string, string>())];
    const fading = [...(this.fading.get(principalArn) ?? new Map())]
      .filter(([name, f]) => f.until > now && !attached.some(([n]) => n === name))
      .map(([name, f]) => [name, f.text] as [string, string]);
    const managed = [...(this.attached.get(principalArn) ?? [])].flatMap((arn) => {
      const policy = this.managed.get(arn);
      if (!policy) return [];
      const replaced = (this.fadingVersions.get(arn) ?? [])
        .filter((f) => f.until > now)
        .map((f, i) => [`${arn}:replaced-${i + 1}`, f.text] as [string, string]);
      return [[arn, defaultText(policy)] as [string, string], ...replaced];
    });
    return [...attached, ...fading, ...managed].map(([name, text]) => ({ name, policy: JSON.parse(text) }));
  }

  async inlinePolicySizes(principal: Principal): Promise<{ policyName: string; size: number }[]> {
    this.checkRead(principal);
    this.faults("ListPolicies");
    return [...this.policiesOf(principal.arn)].map(([policyName, text]) => ({
      policyName,
      size: policySize(text),
    }));
  }

  async listGrants(principal: Principal): Promise<AttachedGrant[]> {
    this.checkRead(principal);
    this.faults("ListPolicies");
    return [...this.policiesOf(principal.arn)]
      .filter(([name]) => name.startsWith(POLICY_PREFIX))
      .map(([policyName, text]) => ({ policyName, document: JSON.parse(text) as PolicyDocument }));
  }

  /** Attaches a policy that is not ours (to fill a principal's quota in tests). */
  putForeignPolicy(principalArn: string, policyName: string, document: unknown): void {
    this.policiesOf(principalArn).set(policyName, JSON.stringify(document));
  }

  /**
   * What grants left behind: every `jit-*` inline policy still attached anywhere, as `arn policyName`,
   * and every statement of a request still in a managed policy's default version, as `policyArn Sid`.
   */
  leftoverGrants(): string[] {
    const inline = [...this.policies].flatMap(([arn, map]) =>
      [...map.keys()].filter((n) => n.startsWith(POLICY_PREFIX)).map((n) => `${arn} ${n}`),
    );
    const inSlots = [...this.managed].flatMap(([arn, policy]) =>
      (JSON.parse(defaultText(policy)) as PolicyDocument).Statement.filter(
        (s) => typeof s.Sid === "string" && requestIdOfSid(s.Sid) !== undefined,
      ).map((s) => `${arn} ${s.Sid}`),
    );
    return [...inline, ...inSlots];
  }

  /**
   * Creates a customer-managed policy with `document` as its default version v1 (CreatePolicy; the
   * stack does this on AWS). EntityAlreadyExists when the ARN is taken; LimitExceeded over 6,144.
   */
  createManagedPolicy(arn: string, document: PolicyDocument): void {
    if (this.managed.has(arn))
      throw awsError("EntityAlreadyExists", `A policy called ${arn} already exists.`);
    const text = JSON.stringify(document);
    if (policySize(text) > MANAGED_POLICY_QUOTA) throw tooLarge();
    this.managed.set(arn, {
      versions: [{ versionId: "v1", createDate: this.now().toISOString(), text }],
      defaultVersionId: "v1",
      nextVersion: 2,
    });
    this.onChange();
  }

  /** Whether a managed policy of this ARN exists. */
  hasManagedPolicy(arn: string): boolean {
    return this.managed.has(arn);
  }

  /**
   * Attaches a managed policy to a role (what Identity Center does when it provisions a permission
   * set that references the policy); attaching it again changes nothing. NoSuchEntity when the policy
   * does not exist.
   */
  attachManagedPolicy(roleArn: string, policyArn: string): void {
    if (!this.managed.has(policyArn)) throw noSuchPolicy(policyArn);
    const set = this.attached.get(roleArn) ?? new Set<string>();
    this.attached.set(roleArn, set);
    set.add(policyArn);
    this.onChange();
  }

  /** The managed policy ARNs attached to a role. */
  attachedPolicies(roleArn: string): string[] {
    return [...(this.attached.get(roleArn) ?? [])];
  }

  /** How many versions a managed policy has (0 when it does not exist); IAM allows five. */
  slotVersionCount(arn: string): number {
    return this.managed.get(arn)?.versions.length ?? 0;
  }

  /** ListPolicyVersions: a managed policy's versions, oldest first; NoSuchEntity when it does not exist. */
  listPolicyVersions(arn: string): SandboxPolicyVersion[] {
    const policy = this.managedPolicy(arn);
    return policy.versions.map((v) => ({
      versionId: v.versionId,
      isDefault: v.versionId === policy.defaultVersionId,
      createDate: v.createDate,
    }));
  }

  private managedPolicy(arn: string): ManagedPolicy {
    const policy = this.managed.get(arn);
    if (!policy) throw noSuchPolicy(arn);
    return policy;
  }

  /**
   * A slot's default version's document (GetPolicy + GetPolicyVersion on AWS, one step here); undefined
   * when the policy does not exist. Only `policy/jit/*` ARNs, like the IAM broker.
   */
  async readSlot(policyArn: string): Promise<PolicyDocument | undefined> {
    assertSlotArn(policyArn);
    this.inThisAccount(policyArn);
    await this.hooks.before?.("GetPolicyVersion", policyArn);
    this.faults("GetPolicyVersion");
    const policy = this.managed.get(policyArn);
    const document = policy ? (JSON.parse(defaultText(policy)) as PolicyDocument) : undefined;
    await this.hooks.after?.("GetPolicyVersion", policyArn);
    return document;
  }

  /**
   * Makes `document` the slot's default version as the IAM broker does: when five versions exist,
   * DeletePolicyVersion of the oldest non-default one, then CreatePolicyVersion with SetAsDefault. Each
   * step is its own call (hooks and faults), so a failure between them leaves what AWS would leave.
   */
  async writeSlot(policyArn: string, document: PolicyDocument): Promise<void> {
    assertSlotArn(policyArn);
    this.inThisAccount(policyArn);
    const policy = this.managedPolicy(policyArn);
    if (policySize(JSON.stringify(document)) > MANAGED_POLICY_QUOTA) throw tooLarge();
    const prunable = policy.versions.filter((v) => v.versionId !== policy.defaultVersionId);
    const excess = policy.versions.length - (MAX_POLICY_VERSIONS - 1);
    for (const old of prunable.slice(0, Math.max(0, excess)))
      await this.deletePolicyVersion(policyArn, old.versionId);
    await this.createPolicyVersion(policyArn, document, true);
  }

  /**
   * CreatePolicyVersion, as AWS does it: LimitExceeded when the document is over 6,144 characters or
   * the policy already has five versions; NoSuchEntity when it does not exist. With `setAsDefault`,
   * the replaced default keeps authorizing for `propagationMs`.
   */
  async createPolicyVersion(
    policyArn: string,
    document: PolicyDocument,
    setAsDefault: boolean,
  ): Promise<string> {
    await this.hooks.before?.("CreatePolicyVersion", policyArn);
    this.faults("CreatePolicyVersion");
    const policy = this.managedPolicy(policyArn);
    const text = JSON.stringify(document);
    if (policySize(text) > MANAGED_POLICY_QUOTA) throw tooLarge();
    if (policy.versions.length >= MAX_POLICY_VERSIONS) throw tooManyVersions();
    const versionId = `v${policy.nextVersion++}`;
    policy.versions.push({ versionId, createDate: this.now().toISOString(), text });
    if (setAsDefault) {
      if (this.propagationMs > 0) {
        const until = this.now().getTime() + this.propagationMs;
        const fading = (this.fadingVersions.get(policyArn) ?? []).filter(
          (f) => f.until > this.now().getTime(),
        );
        this.fadingVersions.set(policyArn, [...fading, { text: defaultText(policy), until }]);
      }
      policy.defaultVersionId = versionId;
    }
    this.onChange();
    await this.hooks.after?.("CreatePolicyVersion", policyArn);
    return versionId;
  }

  /**
   * DeletePolicyVersion, as AWS does it: DeleteConflict for the default version (only DeletePolicy
   * removes that); NoSuchEntity when the policy or the version does not exist.
   */
  async deletePolicyVersion(policyArn: string, versionId: string): Promise<void> {
    const subject = `${policyArn} ${versionId}`;
    await this.hooks.before?.("DeletePolicyVersion", subject);
    this.faults("DeletePolicyVersion");
    const policy = this.managedPolicy(policyArn);
    if (versionId === policy.defaultVersionId)
      throw awsError("DeleteConflict", "Cannot delete the default version of a policy.");
    const index = policy.versions.findIndex((v) => v.versionId === versionId);
    if (index < 0) throw awsError("NoSuchEntity", `Policy ${policyArn} version ${versionId} does not exist.`);
    policy.versions.splice(index, 1);
    this.onChange();
    await this.hooks.after?.("DeletePolicyVersion", subject);
  }

  /** The node with this id, or undefined. */
  node(id: string): SandboxNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  /** Ends a session as its owner would by typing `exit`: no API call, found later by DescribeSessions. */
  exitSession(sessionId: string): void {
    const found = this.sessions.get(sessionId);
    if (found && found.status === "Connected") {
      found.status = "Terminated";
      found.endDate = this.now().toISOString();
      this.onChange();
    }
  }

  /** Opens a session as `owner` (an IAM user ARN or STS assumed-role ARN) on a node. */
  openSession(owner: string, target: string, document = "SSM-SessionManagerRunShell"): SessionInfo {
    const node = this.nodes.find((n) => n.id === target);
    if (!node) throw new Error(`no node ${target} in the sandbox`);
    const name = owner.split("/").pop() ?? "session";
    const session: SandboxSession = {
      sessionId: `${name}-${randomUUID().replaceAll("-", "").slice(0, 17)}`,
      target,
      owner,
      document,
      region: node.region,
      ...(this.accountId !== undefined ? { accountId: this.accountId } : {}),
      startDate: this.now().toISOString(),
      status: "Connected",
    };
    this.sessions.set(session.sessionId, session);
    this.onChange();
    return session;
  }

  liveCount(): number {
    return [...this.sessions.values()].filter((s) => s.status === "Connected").length;
  }

  async liveSessions(principal: Principal): Promise<SessionInfo[]> {
    this.faults("DescribeSessions");
    return [...this.sessions.values()].filter(
      (s) => s.status === "Connected" && sessionOwnedBy(s.owner, principal),
    );
  }

  async endedSessions(since: Date): Promise<SessionInfo[]> {
    this.faults("DescribeSessions");
    return [...this.sessions.values()].filter(
      (s) => s.status === "Terminated" && new Date(s.endDate ?? 0) >= since,
    );
  }

  async terminateSession(session: SessionInfo): Promise<void> {
    if (
      session.accountId !== undefined &&
      this.accountId !== undefined &&
      session.accountId !== this.accountId
    )
      throw awsError(
        "InvalidParameterValue",
        `session ${session.sessionId} is in account ${session.accountId}, not ${this.accountId}`,
      );
    await this.hooks.before?.("TerminateSession", session.sessionId);
    this.faults("TerminateSession");
    const found = this.sessions.get(session.sessionId);
    if (found && found.status === "Connected") {
      found.status = "Terminated";
      found.endDate = this.now().toISOString();
      this.onChange();
      this.onTerminate(found);
    }
  }

  async matchingNodes(tags: Record<string, string[]>, regions: string[]): Promise<string[]> {
    this.faults("DescribeInstanceInformation");
    return this.nodes
      .filter((n) => regions.includes(n.region))
      .filter((n) => Object.entries(tags).every(([k, values]) => values.some((v) => globMatch(v, n.tags[k]))))
      .map((n) => n.id);
  }
}

/** The document text of a managed policy's default version. */
function defaultText(policy: ManagedPolicy): string {
  const version = policy.versions.find((v) => v.versionId === policy.defaultVersionId);
  if (!version) throw new Error(`sandbox: the default version ${policy.defaultVersionId} is missing`);
  return version.text;
}

/**
 * PutRolePolicy and DeleteRolePolicy on a role Identity Center provisions fail on AWS with
 * UnmodifiableEntity; the sandbox is at least as strict.
 */
function refuseProtectedRole(principal: Principal): void {
  if (principal.kind !== "user" && isIdentityCenterRole(principal.arn)) {
    throw awsError(
      "UnmodifiableEntity",
      `Cannot perform the operation on the protected role '${principal.name}' - this role is only modifiable by AWS`,
    );
  }
}

/** IAM-style `*` / `?` matching of a tag value. */
function globMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
  return regex.test(value);
}
