/**
 * The sweeper's pass over one account's `jit-*` inline policies: every principal configured in that
 * account, plus those that open or recently settled records grant in there, is listed; a policy whose
 * request is unknown, settled, or past its embedded expiry (and not extended meanwhile) is deleted in
 * that account. A policy no record explains takes its sessions with it. Returns what was found, keyed
 * `<principal ARN> <policy name>`, for the rewrite check of live grants.
 */
import { accountPrincipalArns } from "../accounts.ts";
import { embeddedExpiry, type PolicyDocument, requestIdOfPolicy } from "../policy.ts";
import type { Deps } from "../ports.ts";
import { type Principal, principalOfArn } from "../principal.ts";
import { type AccessRequest, isTerminal } from "../request.ts";
import { isIdentityCenterRole } from "../slots.ts";
import { endUncoveredSessions } from "./enforce.ts";
import { grantTargets, inAccount, principalIn } from "./in-account.ts";
import type { SweepReport } from "./sweep.ts";
import { stillLive } from "./sweep-slots.ts";

type Attempt = (step: string, subject: string, work: () => Promise<void>) => Promise<void>;

/**
 * Sweeps the inline policies of `accountId`'s principals. `hub` is the unscoped deps: the sessions a
 * deleted policy allowed are ended through enforce.ts, which finds the account from the principal.
 */
export async function sweepPolicies(
  hub: Deps,
  accountId: string,
  records: AccessRequest[],
  now: Date,
  report: SweepReport,
  attempt: Attempt,
): Promise<Map<string, PolicyDocument>> {
  const deps = inAccount(hub, accountId);
  const found = new Map<string, PolicyDocument>();
  for (const principal of principalsIn(hub, accountId, records)) {
    await attempt("list policies", principal.arn, async () => {
      for (const grant of await deps.broker.listGrants(principal)) {
        const expiry = embeddedExpiry(grant.document);
        found.set(`${principal.arn} ${grant.policyName}`, grant.document);
        await attempt("delete policy", `${principal.arn} ${grant.policyName}`, async () => {
          const requestId = requestIdOfPolicy(grant.policyName);
          const record = requestId ? await deps.store.get(requestId) : undefined;
          let why: string | undefined;
          // A record explains a policy only on its own principal in an account it grants in: a live
          // grant in team-a does not explain the same name on someone's role in staging.
          const here = record && principalIn(record, accountId);
          if (!record) why = "no request record";
          else if (isTerminal(record.status)) why = `request is ${record.status}`;
          else if (here?.arn !== principal.arn)
            why = `its request grants nothing to ${principal.arn} in this account`;
          else if (expiry && expiry <= now && !stillLive(record, now)) why = "its embedded expiry has passed";
          if (!why) return;
          await deps.broker.deleteGrant(principal, grant.policyName);
          report.deletedPolicies.push({ principal: principal.arn, policyName: grant.policyName, why });
          // Nothing we know of explains that policy: the sessions it may have allowed go too.
          if (!record || here?.arn !== principal.arn)
            report.lateSessions.push(
              ...(await endUncoveredSessions(hub, { id: requestId ?? grant.policyName, principal })),
            );
        });
      }
    });
  }
  return found;
}

/**
 * The account's principals that can hold an inline policy: those the config names there, plus those
 * the given records grant in there (a person removed from the config while holding a grant keeps
 * being swept until that grant is settled).
 */
function principalsIn(hub: Deps, accountId: string, records: AccessRequest[]): Principal[] {
  const byArn = new Map<string, Principal>();
  for (const arn of accountPrincipalArns(hub.config, accountId)) byArn.set(arn, principalOfArn(arn));
  for (const target of records.flatMap(grantTargets)) {
    const p = target.principal;
    if (target.accountId !== accountId || byArn.has(p.arn)) continue;
    byArn.set(p.arn, p.kind === "user" ? p : { kind: "role", arn: p.arn, name: p.name });
  }
  // Identity Center roles can hold no inline policy (AWS refuses the write): their grants are in slots.
  return [...byArn.values()].filter((p) => !isIdentityCenterRole(p.arn));
}
