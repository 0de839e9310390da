/**
 * The real sweeper (core/usecases/sweep.ts) over a sandbox organization of the hub and 50 member
 * accounts, each spanned by one profile in 2 regions, each with 3 one-person roles and a shared role
 * with 4 slots, while 20 grants are live across them. Every call into a member account through its
 * ports (and every AssumeRole) takes a simulated 50 ms; the hub's DynamoDB is dynalite, as in every
 * local run. It measures the sweep's wall time and the peak number of member-account calls in
 * flight, and checks that the sweep found nothing to repair (the state was clean) and reached every
 * account. One port call can be a few AWS calls on AWS (a slot read is GetPolicy then
 * GetPolicyVersion); bench/sweep-accounts.ts counts those one by one against the same target.
 */

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { systemClock } from "../core/clock.ts";
import { checkConfig } from "../core/config/load.ts";
import { approve } from "../core/usecases/approval.ts";
import { ACCOUNTS_AT_ONCE } from "../core/usecases/in-account.ts";
import { createRequest } from "../core/usecases/request.ts";
import { sweep } from "../core/usecases/sweep.ts";
import { DEFAULT_ACCOUNT_CONCURRENCY } from "../core/usecases/sweep-accounts.ts";
import { startSandbox } from "../local/sandbox.ts";

const ACCOUNTS = 50;
const REGIONS = ["eu-west-1", "us-east-1"];
const LATENCY_MS = 50;
const LIVE_GRANTS = 20;
const HUB = "123456789012";

export interface SweepOrganizationRun {
  /** One grant written in all member accounts at the simulated latency: approve to ACTIVE and written. */
  grantSeconds: number;
  accounts: number;
  regions: number;
  liveGrants: number;
  seconds: number;
  memberCalls: number;
  assumeRoles: number;
  peakInFlight: number;
  repairs: number;
  errors: number;
  unreachable: number;
}

/** The example config with 50 member accounts, one profile spanning them all. */
function organizationConfig() {
  const data = parse(readFileSync(new URL("../access.config.yaml", import.meta.url), "utf8"));
  const names = Array.from({ length: ACCOUNTS }, (_, i) => `member-${i + 1}`);
  const ids = names.map((_, i) => String(300000000000 + i));
  data.accounts = { prod: HUB, ...Object.fromEntries(names.map((n, i) => [n, ids[i]])) };
  data.principals.accounts = Object.fromEntries(
    names.map((n, i) => [
      n,
      {
        map: {
          U01ALICE: `arn:aws:iam::${ids[i]}:role/jit-alice`,
          U02BOB: `arn:aws:iam::${ids[i]}:user/bob`,
          "carol@example.com": `arn:aws:iam::${ids[i]}:role/jit-carol`,
        },
        sharedRole: {
          arn: `arn:aws:iam::${ids[i]}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_${String(i).padStart(16, "0")}`,
          sessionName: "{email}",
          slots: 4,
        },
      },
    ]),
  );
  // Only the fleet profile spans the members; the example's own multi-account profiles go.
  for (const [id, profile] of Object.entries(data.profiles as Record<string, { accounts?: string[] }>))
    if (profile.accounts) delete data.profiles[id];
  data.profiles.fleet = {
    description: "Shell on every member account's web nodes",
    nodes: { tags: { App: "web" } },
    documents: ["shell"],
    defaultDuration: "1h",
    maxDuration: "8h",
    approvers: ["U03DAVE"],
    approvalsRequired: 1,
    reasonRequired: false,
    regions: REGIONS,
    accounts: names,
  };
  return { config: checkConfig(data), ids };
}

/** One measured sweep over the organization, after granting `LIVE_GRANTS` on the fleet profile. */
export async function measureSweepOrganization(): Promise<SweepOrganizationRun> {
  const { config, ids } = organizationConfig();
  // The system clock: grants stay live (their workflows wait for a 4 h expiry) while the sweep runs.
  const clock = systemClock;
  const memberNodes = Object.fromEntries(
    ids.map((id, i) => [
      id,
      REGIONS.map((region, r) => ({
        id: `i-0${String(i * 10 + r).padStart(16, "0")}`,
        region,
        tags: { App: "web", Env: "prod" },
      })),
    ]),
  );
  const sandbox = await startSandbox({
    config,
    nodes: [],
    clock,
    memberNodes,
    table: `bench-organization-${Date.now()}`,
  });
  try {
    // Grants first, at no latency: alice, bob, carol and people on the shared roles, in turn.
    const people = [
      { slackUserId: "U01ALICE", email: "alice@example.com" },
      { slackUserId: "U02BOB", email: "bob@example.com" },
      { slackUserId: "U06CAROL", email: "carol@example.com" },
    ];
    for (let n = 0; n < LIVE_GRANTS; n++) {
      const who = people[n] ?? { slackUserId: `U9PERSON${n}`, email: `person${n}@example.com` };
      const request = await createRequest(sandbox.deps, {
        requester: who,
        profileId: "fleet",
        duration: "4h",
      });
      for (;;) {
        const r = await sandbox.store.get(request.id);
        if (r?.taskToken) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await approve(sandbox.deps, { requestId: request.id, approver: { slackUserId: "U03DAVE" } });
      for (;;) {
        const r = await sandbox.store.get(request.id);
        if (r?.status === "ACTIVE") break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    const org = sandbox.organization;
    org.forget();
    org.latencyMs = LATENCY_MS;
    // One more grant, now at the simulated latency: how long the grant task takes across 50 accounts.
    const timed = await createRequest(sandbox.deps, {
      requester: { slackUserId: "U9TIMED", email: "timed@example.com" },
      profileId: "fleet",
      duration: "4h",
    });
    for (;;) {
      if ((await sandbox.store.get(timed.id))?.taskToken) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const grantStarted = performance.now();
    await approve(sandbox.deps, { requestId: timed.id, approver: { slackUserId: "U03DAVE" } });
    for (;;) {
      if (sandbox.notices.some((n) => n.type === "granted" && n.request.id === timed.id)) break;
      if (sandbox.notices.some((n) => n.type === "failed" && n.request.id === timed.id))
        throw new Error(`the timed grant failed: ${JSON.stringify(sandbox.notices.at(-1)?.detail)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const grantSeconds = Math.round(performance.now() - grantStarted) / 1000;
    org.forget();
    const assumedBefore = [...org.assumed.values()].reduce((a, b) => a + b, 0);
    const started = performance.now();
    const report = await sweep(sandbox.deps);
    const seconds = Math.round(performance.now() - started) / 1000;
    const repairs =
      report.revokedOverdue.length +
      report.deletedPolicies.length +
      report.reappliedGrants.length +
      report.lateSessions.length +
      report.settledRequests.length;
    const run: SweepOrganizationRun = {
      grantSeconds,
      accounts: ACCOUNTS,
      regions: REGIONS.length,
      liveGrants: LIVE_GRANTS + 1,
      seconds,
      memberCalls: org.inFlight.calls,
      assumeRoles: [...org.assumed.values()].reduce((a, b) => a + b, 0) - assumedBefore,
      peakInFlight: org.inFlight.peak,
      repairs,
      errors: report.errors.length,
      unreachable: report.unreachableAccounts?.length ?? 0,
    };
    if (run.assumeRoles < ACCOUNTS || run.errors > 0 || run.repairs > 0) {
      throw new Error(`the organization sweep did not reach every account cleanly: ${JSON.stringify(run)}`);
    }
    return run;
  } finally {
    await sandbox.stop();
  }
}

/** The summary.md lines of this measurement. */
export function sweepOrganizationSummary(run: SweepOrganizationRun): string[] {
  return [
    `The real sweeper over a sandbox organization (bench/sweep-organization.ts): the hub and ${run.accounts} member accounts × ${run.regions} regions, ${run.liveGrants} grants live in every member, ${LATENCY_MS} ms per call into a member account (AssumeRole included), concurrency ${DEFAULT_ACCOUNT_CONCURRENCY}:`,
    "",
    "| sweep seconds | member-account calls | AssumeRole calls | peak calls in flight | repairs | errors | unreachable |",
    "|---|---|---|---|---|---|---|",
    `| ${run.seconds} | ${run.memberCalls} | ${run.assumeRoles} | ${run.peakInFlight} | ${run.repairs} | ${run.errors} | ${run.unreachable} |`,
    "",
    `One grant on that profile, written in all ${run.accounts} member accounts at the same latency (${ACCOUNTS_AT_ONCE} accounts at once): ${run.grantSeconds} s from the approval to the granted notice (the grant function's timeout is 30 s).`,
    "",
  ];
}
