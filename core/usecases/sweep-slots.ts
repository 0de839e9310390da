/**
 * The sweeper's pass over the shared role's slots: statements that are not grants of ours are removed
 * (they would reach everyone on the role); grants whose request is settled, unknown or past its
 * embedded expiry (and not extended meanwhile) are removed and their people's live sessions ended.
 * Returns what the slots hold for the live grants, by request id, for the rewrite check.
 */
import { embeddedExpiry, type Statement } from "../policy.ts";
import type { Deps } from "../ports.ts";
import { parsePrincipalArn } from "../principal.ts";
import { type AccessRequest, isTerminal } from "../request.ts";
import { foreignStatements, grantsInSlot } from "../slots.ts";
import { endUncoveredSessions, type Grantee } from "./enforce.ts";
import { inAccount, inAccountRequest, principalIn } from "./in-account.ts";
import { readSlots, removeForeign, removeFromSlots } from "./slot-writes.ts";
import type { SweepReport } from "./sweep.ts";

type Attempt = (step: string, subject: string, work: () => Promise<void>) => Promise<void>;

/**
 * Sweeps the slots of `accountId`'s shared role. `hub` is the unscoped deps: sessions are ended
 * through enforce.ts, in this account only (the record's other accounts have their own pass).
 */
export async function sweepSlots(
  hub: Deps,
  accountId: string,
  now: Date,
  report: SweepReport,
  attempt: Attempt,
): Promise<Map<string, Statement[]>> {
  const deps = inAccount(hub, accountId);
  const held = new Map<string, Statement[]>();
  const shared = deps.config.principals.sharedRole;
  if (shared) {
    await attempt("read slots", shared.arn, async () => {
      for (const slot of await readSlots(deps)) {
        // Anything in a /jit/ slot that is not a grant of ours would reach everyone on the role.
        const foreign = foreignStatements(slot.document);
        if (foreign.length > 0) {
          await attempt("remove foreign statements", slot.arn, async () => {
            await removeForeign(deps, slot.arn);
            for (const f of foreign)
              report.deletedPolicies.push({
                principal: slot.arn,
                policyName: f.Sid || "(no Sid)",
                why: "a statement that is not a grant of ours",
              });
          });
        }
        for (const [requestId, statements] of grantsInSlot(slot.document)) {
          const expiry = embeddedExpiry({ Version: "2012-10-17", Statement: statements });
          held.set(requestId, statements);
          await attempt("remove slot grant", `${slot.arn} ${requestId}`, async () => {
            const record = await deps.store.get(requestId);
            let why: string | undefined;
            // A record explains slot statements only where it grants through this shared role.
            const here = record && principalIn(record, accountId);
            const ours = here?.kind === "shared-role";
            if (!record) why = "no request record";
            else if (isTerminal(record.status)) why = `request is ${record.status}`;
            else if (!ours) why = "its request grants nothing through this shared role in this account";
            else if (expiry && expiry <= now && !stillLive(record, now))
              why = "its embedded expiry has passed";
            if (!why) return;
            await removeFromSlots(deps, requestId);
            held.delete(requestId);
            report.deletedPolicies.push({ principal: slot.arn, policyName: requestId, why });
            // The person the statements name: the record's, where it grants here; else the statements'.
            const grantee =
              (ours ? granteeHere(record, accountId) : undefined) ??
              granteeOfStatements(deps, requestId, statements);
            if (grantee) report.lateSessions.push(...(await endUncoveredSessions(hub, grantee)));
          });
        }
      }
    });
  }
  return held;
}

/**
 * A live grant whose record runs later than its policy was extended and awaits its rewrite: the
 * reapply step below handles it; removing it (and ending its sessions) would be wrong.
 */
export const stillLive = (record: AccessRequest, now: Date) =>
  record.status === "ACTIVE" && record.expiresAt !== undefined && new Date(record.expiresAt) > now;

/** The record narrowed to its grant in this account; undefined when it grants nothing here. */
function granteeHere(record: AccessRequest | undefined, accountId: string): Grantee | undefined {
  const principal = record && principalIn(record, accountId);
  return record && principal ? inAccountRequest(record, { accountId, principal }) : undefined;
}

/** The person a slot grant with no record was for, from its `aws:userid` narrowing. */
function granteeOfStatements(deps: Deps, requestId: string, statements: Statement[]): Grantee | undefined {
  const shared = deps.config.principals.sharedRole;
  const userid = statements
    .map((s) => s.Condition?.StringLike?.["aws:userid"])
    .find((v) => typeof v === "string");
  if (!shared || typeof userid !== "string" || !userid.startsWith("*:")) return undefined;
  const name = parsePrincipalArn(shared.arn).name;
  return {
    id: requestId,
    principal: { kind: "shared-role", arn: shared.arn, name, sessionName: userid.slice(2) },
  };
}
