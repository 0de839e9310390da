/**
 * Fault injection across accounts (issue 12): 200 seeded lifecycles over an organization of three
 * accounts (the hub prod, staging, team-a) through the real workflow, while AssumeRole into the
 * members is throttled or refused at random and IAM and SSM calls fail in every account (throttles,
 * plus the version limit on the shared roles' slots). Profiles span one account (prod-web, prod-db:
 * the hub; sandbox: team-a) or two (staging: prod and staging), with one-person roles, an IAM user
 * and shared roles with slots. Each lifecycle opens a session in every account its grant spans.
 * After expiry, with AWS healthy again, one sweeper pass: no `jit-*` grant in any account, no live
 * session, no unsettled request, and every trail complete.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import type { SandboxNode } from "../../adapters/local/account.ts";
import type { Profile } from "../../core/config/load.ts";
import type { Principal } from "../../core/principal.ts";
import { isTerminal } from "../../core/request.ts";
import { approve, deny } from "../../core/usecases/approval.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { extendGrant } from "../../core/usecases/expiry.ts";
import { grantTargets } from "../../core/usecases/in-account.ts";
import { cancelRequest, createRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, PEOPLE } from "../fixtures/nodes.ts";
import { HUB, multiAccountConfig, STAGING, TEAM_A } from "../helpers/accounts.ts";
import { awsFault, faultyStore, injector, persist, seeded } from "../helpers/faults.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";

const SEED = 20_261_129;
const LIFECYCLES = Number(process.env.JIT_FAULT_LIFECYCLES ?? 200);
const FAULT_RATE = 0.06;
/** How often a call into a member account meets a refused or throttled AssumeRole. */
const ASSUME_FAULT_RATE = 0.1;

type Scenario = "approve" | "deny" | "cancel" | "revoke-early" | "extend" | "dies-pending" | "dies-active";
interface Plan {
  scenario: Scenario;
  person: keyof typeof PEOPLE;
  profile: string;
  openSessions: boolean;
  sessions: { account: string; id: string }[];
}

const MEMBER_NODES: Record<string, SandboxNode[]> = {
  [STAGING]: [
    { id: "i-0aaa1000000000011", region: "eu-west-1", tags: { Env: "staging", App: "api" } },
    { id: "i-0aaa2000000000012", region: "us-east-1", tags: { Env: "staging", App: "api" } },
  ],
  [TEAM_A]: [{ id: "mi-0bbb100000000021", region: "eu-west-1", tags: { Env: "sandbox", Owner: "team-a" } }],
};

/** A node of the profile in each account: the session a lifecycle opens there. */
const SESSION_NODE: Record<string, Record<string, string>> = {
  "prod-web": { [HUB]: NODE.web1 },
  "prod-db": { [HUB]: NODE.db1 },
  staging: { [HUB]: NODE.stg1, [STAGING]: "i-0aaa2000000000012" },
  sandbox: { [TEAM_A]: "mi-0bbb100000000021" },
};
const DOCUMENT: Record<string, string> = {
  "prod-db": "AWS-StartPortForwardingSession",
};
const APPROVERS: Record<string, string[]> = {
  "prod-web": ["U03DAVE", "U04ERIN"],
  "prod-db": ["U03DAVE", "U04ERIN"],
  staging: ["U03DAVE"],
  sandbox: [],
};
const ADMIN = "U0ADMIN01";

/** How Session Manager names a principal's session owner in its account. */
function ownerOf(principal: Principal, accountId: string, person: string): string {
  if (principal.kind === "user") return principal.arn;
  const session = principal.kind === "shared-role" ? principal.sessionName : person;
  return `arn:aws:sts::${accountId}:assumed-role/${principal.name}/${session}`;
}

describe("lifecycles across three accounts under injected faults", () => {
  let h: Harness | undefined;
  afterAll(async () => h?.stop());

  it(`leaves nothing in any account after ${LIFECYCLES} seeded lifecycles and one sweep`, async () => {
    captureLogs();
    const random = seeded(SEED);
    const faults = injector(SEED + 1, FAULT_RATE);
    const assumeFaults = { refused: 0, throttled: 0 };
    const plans = new Map<string, Plan>();
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    h = await startHarness({
      config: multiAccountConfig(),
      memberNodes: MEMBER_NODES,
      store: (inner) => faultyStore(inner, faults, () => false),
      notifier: { notify: async () => {}, notifySession: async () => {} },
      wrap: (state, task) => async (input) => {
        const id = String(
          input.requestId ?? (input.Payload as { requestId?: string } | undefined)?.requestId,
        );
        const plan = plans.get(id);
        const x = h as Harness;
        if (plan && state === S.announceGrant && plan.sessions.length === 0) {
          const record = await persist(() => x.deps.store.get(id));
          if (plan.openSessions && record) {
            for (const target of grantTargets(record)) {
              const node = SESSION_NODE[plan.profile]?.[target.accountId];
              if (!node) continue;
              const owner = ownerOf(target.principal, target.accountId, plan.person);
              const opened = x.organization
                .account(target.accountId)
                .openSession(owner, node, DOCUMENT[plan.profile] ?? "SSM-SessionManagerRunShell");
              plan.sessions.push({ account: target.accountId, id: opened.sessionId });
            }
          }
          if (plan.scenario === "dies-active") x.workflow.abort(id);
        }
        const requester = plan ? PEOPLE[plan.person].slackUserId : "";
        if (plan?.scenario === "revoke-early" && state === S.warnExpiry)
          await persist(() => revokeNow(x.deps, { requestId: id, actor: requester }));
        if (plan?.scenario === "extend" && state === S.warnExpiry)
          await persist(() => extendGrant(x.deps, { requestId: id, actor: ADMIN, by: "30m" }));
        return task(input);
      },
    });
    const x = h;
    for (const account of x.organization.accounts.values()) {
      account.faults = (op) => {
        if (op === "CreatePolicyVersion" && faults.enabled && faults.random() < 0.03) {
          throw Object.assign(new Error("A managed policy can have up to 5 versions."), {
            name: "LimitExceeded",
          });
        }
        awsFault(faults, op);
      };
    }
    x.organization.faults = () => {
      if (!faults.enabled || faults.random() >= ASSUME_FAULT_RATE) return;
      if (faults.random() < 0.5) {
        assumeFaults.throttled++;
        throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
      }
      assumeFaults.refused++;
      throw Object.assign(new Error("not authorized to perform: sts:AssumeRole"), { name: "AccessDenied" });
    };
    const profiles = Object.values(x.deps.config.profiles) as Profile[];

    const ids: string[] = [];
    let refusedAtRequest = 0;
    for (let n = 0; n < LIFECYCLES; n++) {
      // Every few lifecycles the kept credentials are dropped, so AssumeRole (and its faults) recur.
      if (n % 3 === 0) x.organization.forget();
      const profile = pick(profiles);
      const plan: Plan = {
        scenario: pick([
          "approve",
          "approve",
          "approve",
          "deny",
          "cancel",
          "revoke-early",
          "extend",
          "dies-pending",
          "dies-active",
        ] as const),
        person: pick(["alice", "bob", "carol", "dan"] as const),
        profile: profile.id,
        openSessions: random() < 0.8,
        sessions: [],
      };
      const id = `20261129-${n.toString(32).padStart(8, "0")}`;
      plans.set(id, plan);
      const requester = PEOPLE[plan.person];
      const created = await persist(() =>
        createRequest(x.deps, {
          requestId: id,
          requester,
          profileId: profile.id,
          reason: "fault test",
          ticket: `INC-${n}`,
        }),
      );
      if (!created) {
        refusedAtRequest++;
        continue;
      }
      ids.push(id);
      if (profile.approvalsRequired > 0) {
        await x.waitFor(id, (r) => r.taskToken !== undefined || isTerminal(r.status));
        const approvers = (APPROVERS[profile.id] ?? []).filter((a) => a !== requester.slackUserId);
        if (plan.scenario === "deny") {
          await persist(() =>
            deny(x.deps, { requestId: id, approver: { slackUserId: approvers[0] ?? "" }, reason: "not now" }),
          );
        } else if (plan.scenario === "cancel") {
          await persist(() => cancelRequest(x.deps, { requestId: id, actor: requester.slackUserId }));
        } else if (plan.scenario === "dies-pending") {
          x.workflow.abort(id);
        } else {
          for (const approver of approvers.slice(0, profile.approvalsRequired))
            await persist(() => approve(x.deps, { requestId: id, approver: { slackUserId: approver } }));
        }
      } else if (plan.scenario === "dies-pending") {
        x.workflow.abort(id);
      }
      await x.workflow.settled(id);
      for (const name of x.workflow.names().filter((e) => e.startsWith(`${id}-sync-`)))
        await x.workflow.settled(name);
    }

    // Past every expiry, with AWS healthy again: one sweeper pass.
    faults.enabled = false;
    x.clock.advance(2 * 86_400);
    const report = await sweep(x.deps);

    const records = await Promise.all(ids.map((id) => x.deps.store.get(id)));
    const statuses: Record<string, number> = {};
    for (const r of records) statuses[r?.status ?? "MISSING"] = (statuses[r?.status ?? "MISSING"] ?? 0) + 1;
    const incomplete: string[] = [];
    for (const r of records) {
      if (!r) continue;
      const actions = (await auditTrail(x.deps, r.id)).map((e) => e.action);
      if (!actions.includes("requested") || !actions.includes(r.status.toLowerCase())) incomplete.push(r.id);
    }
    const failures: Record<string, number> = {};
    for (const r of records)
      if (r?.failure) failures[r.failure.slice(0, 70)] = (failures[r.failure.slice(0, 70)] ?? 0) + 1;
    const multi = records.filter((r) => r && grantTargets(r).length > 1 && r.grantedAt).length;
    const sessionsByAccount: Record<string, number> = {};
    for (const p of plans.values())
      for (const s of p.sessions) sessionsByAccount[s.account] = (sessionsByAccount[s.account] ?? 0) + 1;
    vi.restoreAllMocks();
    console.log(
      JSON.stringify({
        lifecycles: ids.length,
        refusedAtRequest,
        grantedInTwoAccounts: multi,
        sessionsByAccount,
        statuses,
        failures,
        injected: { ...faults.counts, assume: assumeFaults },
        sweep: {
          revoked: report.revokedOverdue.length,
          deletedPolicies: report.deletedPolicies.length,
          settled: report.settledRequests.length,
          errors: report.errors.length,
        },
        leftoverGrants: x.organization.leftoverGrants().length,
        liveSessions: x.organization.liveCount(),
        incompleteTrails: incomplete.length,
      }),
    );
    expect(ids.length + refusedAtRequest).toBe(LIFECYCLES);
    expect(ids.length).toBeGreaterThan(150);
    expect(multi).toBeGreaterThan(20);
    expect(Object.keys(sessionsByAccount).sort()).toEqual([HUB, STAGING, TEAM_A].sort());
    expect(assumeFaults.refused).toBeGreaterThan(0);
    expect(assumeFaults.throttled).toBeGreaterThan(0);
    expect(faults.counts.aws).toBeGreaterThan(50);
    expect(report.errors).toEqual([]);
    expect(x.organization.leftoverGrants()).toEqual([]);
    expect(x.organization.liveCount()).toBe(0);
    expect(records.filter((r) => !r || !isTerminal(r.status)).map((r) => `${r?.id} ${r?.status}`)).toEqual(
      [],
    );
    expect(incomplete).toEqual([]);
  }, 600_000);
});
