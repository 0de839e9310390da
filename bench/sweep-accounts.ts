/**
 * The sweep across 50 accounts × 2 regions (issue 12), every AWS call simulated at 50 ms, through the
 * real pieces: core's bounded sweepAccounts and the adapter's AccountCredentials (one AssumeRole per
 * account, shared by its regions). It measures the wall time and the peak number of calls in flight.
 *
 * The calls per account and region are those core/usecases/sweep.ts makes against an account, for an
 * account holding 3 one-person principals (2 with a live grant), a shared role with 4 slots and 2
 * grants settled in the last hour:
 * - STS: AssumeRole on its broker, once per account (adapters/aws/accounts.ts);
 * - IAM, global, so once per account (in its first region): step 3 lists each principal's inline
 *   policies (ListRolePolicies, one principal after another) and reads each jit-* one (GetRolePolicy,
 *   in parallel within a principal); step 3b reads every slot (GetPolicy then GetPolicyVersion, the
 *   slots in parallel, slot-writes.ts readSlots);
 * - Session Manager, per region: step 4 looks for late sessions of each recently settled grant
 *   (DescribeSessions Active, one grant after another), step 5 for ended ones (DescribeSessions
 *   History).
 * That is 20 calls per account: 14 once (1 AssumeRole, 3 + 2 + 8 IAM) and 3 in each of its 2
 * regions; 1,000 for the 50 accounts. The hub's DynamoDB reads
 * (steps 1, 2 and the lists) happen once per run, not per account, and are left out.
 */
import { AccountCredentials } from "../adapters/aws/accounts.ts";
import { DEFAULT_ACCOUNT_CONCURRENCY, sweepAccounts, sweepTargets } from "../core/usecases/sweep-accounts.ts";

const CALL_MS = 50;
const ACCOUNTS = 50;
const REGIONS = ["eu-west-1", "us-east-1"];
const PRINCIPALS_WITH_GRANT = [true, true, false];
const SLOTS = 4;
const RECENTLY_SETTLED = 2;

/** One run's numbers. */
export interface SweepAccountsRun {
  limit: number;
  /** Accounts whose broker refused AssumeRole in this run (reported, not swept). */
  refusing: number;
  swept: number;
  seconds: number;
  calls: number;
  peakInFlight: number;
  assumeRoles: number;
}

async function run(limit: number, refusing = new Set<string>()): Promise<SweepAccountsRun> {
  let inFlight = 0;
  let peak = 0;
  let calls = 0;
  let assumeRoles = 0;
  const aws = async () => {
    calls += 1;
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, CALL_MS));
    inFlight -= 1;
  };
  const credentials = new AccountCredentials({
    hubAccountId: "100000000000",
    partition: "aws",
    sourceIdentity: "jit-sweeper",
    assumeRole: async (request) => {
      assumeRoles += 1;
      await aws();
      if (refusing.has(request.roleArn.split(":")[4] ?? "")) {
        throw Object.assign(new Error("not authorized to perform sts:AssumeRole"), { name: "AccessDenied" });
      }
      return {
        accessKeyId: "ASIA",
        secretAccessKey: "s",
        sessionToken: "t",
        expiration: new Date(Date.now() + 3_600_000),
      };
    },
  });
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => String(200000000000 + i));
  const started = performance.now();
  const report = await sweepAccounts(
    sweepTargets(accounts, () => REGIONS),
    async (target) => {
      await credentials.credentials(target.accountId);
      if (target.region === REGIONS[0]) {
        for (const hasGrant of PRINCIPALS_WITH_GRANT) {
          await aws(); // ListRolePolicies
          if (hasGrant) await aws(); // GetRolePolicy of its one jit-* policy
        }
        await Promise.all(
          Array.from({ length: SLOTS }, async () => {
            await aws(); // GetPolicy
            await aws(); // GetPolicyVersion
          }),
        );
      }
      for (let i = 0; i < RECENTLY_SETTLED; i++) await aws(); // DescribeSessions Active
      await aws(); // DescribeSessions History
    },
    limit,
  );
  const reachable = ACCOUNTS - refusing.size;
  if (report.swept.length !== reachable * REGIONS.length || report.unreachable.length !== refusing.size) {
    throw new Error("the bench sweep missed targets or an unreachable account");
  }
  return {
    limit,
    refusing: refusing.size,
    swept: report.swept.length,
    seconds: Math.round(performance.now() - started) / 1000,
    calls,
    peakInFlight: peak,
    assumeRoles,
  };
}

/** The sweep at the default limit, and around it for comparison. */
export async function measureSweepAccounts(): Promise<SweepAccountsRun[]> {
  const runs: SweepAccountsRun[] = [];
  for (const limit of [1, 5, DEFAULT_ACCOUNT_CONCURRENCY, 25]) runs.push(await run(limit));
  // One account refusing AssumeRole: reported for the alarm, the other 49 swept all the same.
  runs.push(await run(DEFAULT_ACCOUNT_CONCURRENCY, new Set(["200000000007"])));
  return runs;
}

const TITLE = `## Sweep across ${ACCOUNTS} accounts × ${REGIONS.length} regions (${CALL_MS} ms per simulated AWS call)`;

/** The summary.md section. */
export function sweepAccountsSummary(runs: SweepAccountsRun[]): string[] {
  return [
    TITLE,
    "",
    "| concurrency limit | accounts refusing AssumeRole | account-regions swept | seconds | AWS calls | AssumeRole calls | peak calls in flight |",
    "|---|---|---|---|---|---|---|",
    ...runs.map(
      (r) =>
        `| ${r.limit}${r.limit === DEFAULT_ACCOUNT_CONCURRENCY ? " (default)" : ""} | ${r.refusing} | ${r.swept} | ${r.seconds} | ${r.calls} | ${r.assumeRoles} | ${r.peakInFlight} |`,
    ),
    "",
    "Calls per account as core/usecases/sweep.ts makes them (bench/sweep-accounts.ts counts them): 14 once per account (1 AssumeRole, 13 IAM reads: IAM is global) and 3 DescribeSessions in each region. Target: under 30 s.",
    "",
  ];
}

/** summary.md with this section replaced (or added). */
export function replaceSweepAccountsSection(summary: string, section: string[]): string {
  const lines = summary.split("\n");
  const start = lines.findIndex((l) => l.startsWith("## Sweep across"));
  if (start === -1) return `${summary.trimEnd()}\n\n${section.join("\n")}\n`;
  const next = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return [...lines.slice(0, start), ...section, ...lines.slice(next === -1 ? lines.length : next)].join("\n");
}
