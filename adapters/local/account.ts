/**
 * A sandbox AWS account in memory: inline policies on principals, managed nodes with tags, and
 * Session Manager sessions. It implements the same ports as the IAM and SSM adapters, so the use
 * cases run unchanged against it. `faults` lets tests make any call fail.
 */
import { randomUUID } from "node:crypto";
import { assertOurs, POLICY_PREFIX, type PolicyDocument, policySize } from "../../core/policy.ts";
import type { AccessBroker, AttachedGrant, SessionControl, SessionInfo } from "../../core/ports.ts";
import { type Principal, sessionOwnedBy } from "../../core/principal.ts";

export interface SandboxNode {
  id: string;
  region: string;
  tags: Record<string, string>;
}

interface SandboxSession extends SessionInfo {
  status: "Connected" | "Terminated";
}

export class SandboxAccount implements AccessBroker, SessionControl {
  /** principal ARN → policy name → document text. */
  readonly policies = new Map<string, Map<string, string>>();
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
   * How long a deleted policy keeps authorizing. IAM is eventually consistent: a deleted policy kept
   * authorizing for about 4 seconds in OFFENSAI's 2025 measurements (shared/DESIGN.md). 0 unless a
   * test asks for it; `effectivePolicies` is what the simulated start-session evaluates.
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

  constructor(options: { nodes: SandboxNode[]; allowedArns?: Iterable<string>; now?: () => Date }) {
    this.nodes = options.nodes;
    this.allowed = options.allowedArns ? new Set(options.allowedArns) : undefined;
    this.now = options.now ?? (() => new Date());
  }

  /** The principals a deploy of a new config lets the broker write to (a test of offboarding). */
  allow(arns: Iterable<string>): void {
    this.allowed = new Set(arns);
  }

  /** Everything the account holds, as plain data (for saving between sandbox runs). */
  snapshot(): { policies: Record<string, Record<string, string>>; sessions: SessionInfo[] } {
    return {
      policies: Object.fromEntries([...this.policies].map(([arn, map]) => [arn, Object.fromEntries(map)])),
      sessions: [...this.sessions.values()],
    };
  }

  /** Loads what `snapshot` saved. */
  restore(data: ReturnType<SandboxAccount["snapshot"]>): void {
    this.policies.clear();
    for (const [arn, map] of Object.entries(data.policies))
      this.policies.set(arn, new Map(Object.entries(map)));
    this.sessions.clear();
    for (const s of data.sessions) this.sessions.set(s.sessionId, s as SandboxSession);
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
    assertOurs(this.allowed, principal, policyName);
  }

  /**
   * Taking access away, and reading: any principal a request record names, even one the configuration
   * no longer has (an offboarded person's grant must stay revocable), but only `jit-*` policies. The
   * stack's IAM permissions bound the principals to the configured ones plus those with open records.
   */
  private checkRemoval(principal: Principal, policyName: string): void {
    assertOurs(undefined, principal, policyName);
  }

  private checkRead(principal: Principal): void {
    assertOurs(undefined, principal);
  }

  async putGrant(principal: Principal, policyName: string, document: PolicyDocument): Promise<void> {
    this.check(principal, policyName);
    const subject = `${principal.arn} ${policyName}`;
    await this.hooks.before?.("PutPolicy", subject);
    this.faults("PutPolicy");
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
   * The inline policies IAM still evaluates for a principal: those attached, plus deleted ones inside
   * the propagation window.
   */
  effectivePolicies(principalArn: string): { name: string; policy: unknown }[] {
    const now = this.now().getTime();
    const attached = [...(this.policies.get(principalArn) ?? new Map<string, string>())];
    const fading = [...(this.fading.get(principalArn) ?? new Map())]
      .filter(([name, f]) => f.until > now && !attached.some(([n]) => n === name))
      .map(([name, f]) => [name, f.text] as [string, string]);
    return [...attached, ...fading].map(([name, text]) => ({ name, policy: JSON.parse(text) }));
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

  /** Every `jit-*` policy still attached anywhere, as `arn policyName`. */
  leftoverGrants(): string[] {
    return [...this.policies].flatMap(([arn, map]) =>
      [...map.keys()].filter((n) => n.startsWith(POLICY_PREFIX)).map((n) => `${arn} ${n}`),
    );
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
  openSession(owner: string, target: string): SessionInfo {
    const node = this.nodes.find((n) => n.id === target);
    if (!node) throw new Error(`no node ${target} in the sandbox`);
    const name = owner.split("/").pop() ?? "session";
    const session: SandboxSession = {
      sessionId: `${name}-${randomUUID().replaceAll("-", "").slice(0, 17)}`,
      target,
      owner,
      region: node.region,
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
