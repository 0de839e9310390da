/**
 * Whether a record may be turned into IAM permissions. The grant function does not trust the record
 * blindly: the table is written by the internet-facing Slack function too, so a record is checked
 * against the configuration (the same rules that let it become ACTIVE) before any policy is written.
 */

import { profileAccountIds } from "../accounts.ts";
import type { Profile } from "../config/load.ts";
import { formatDuration, parseDuration } from "../duration.ts";
import { NotAuthorizedError } from "../errors.ts";
import type { Deps } from "../ports.ts";
import { parsePrincipalArn, resolvePrincipal } from "../principal.ts";
import type { AccessRequest } from "../request.ts";
import { BREAK_GLASS_REASON_MIN, breakGlassSettings } from "./break-glass.ts";
import { samePerson } from "./enforce.ts";
import { configIn, grantTargets, label, principalIn } from "./in-account.ts";

/** Slack user and group IDs: a group approver makes membership unknowable here (Slack knows it). */
const isGroup = (id: string) => id.startsWith("S");

/** What is wrong with granting this record under today's config; empty when nothing is. */
export function grantProblems(deps: Deps, r: AccessRequest): string[] {
  const profile = deps.config.profiles[r.profileId];
  if (!profile) return [`profile ${r.profileId} is not configured`];
  const problems: string[] = [];
  const now = deps.clock.now().getTime();
  if (!r.grantedAt || !r.expiresAt) problems.push("it has no grant time or expiry");
  else {
    const granted = new Date(r.grantedAt).getTime();
    if (granted > now + 60_000) problems.push(`its grant time ${r.grantedAt} is in the future`);
    if (new Date(r.expiresAt).getTime() > granted + profile.maxDurationSeconds * 1000 + 1000) {
      problems.push(
        `its expiry ${r.expiresAt} is past the ${profile.id} maximum of ${formatDuration(profile.maxDurationSeconds)} from ${r.grantedAt}`,
      );
    }
  }
  problems.push(...targetProblems(deps, r, profile));
  const groups = profile.approvers.some(isGroup);
  const valid = new Set(
    r.approvals
      .map((a) => a.approver)
      .filter((a) => a !== r.requester.slackUserId || profile.selfApproval)
      .filter((a) => groups || profile.approvers.includes(a)),
  );
  const without = withoutApproversProblem(profile, r);
  if (without !== undefined) {
    if (without) problems.push(without);
  } else if (valid.size < profile.approvalsRequired) {
    problems.push(`it has ${valid.size} valid approval(s); ${profile.id} needs ${profile.approvalsRequired}`);
  }
  return problems;
}

/**
 * The record's accounts must be exactly those the profile spans, and its principal in each the one
 * today's config names for the requester there: a record is written by the internet-facing Slack
 * function too, and a forged one must not reach an account or a principal the config does not give.
 */
function targetProblems(deps: Deps, r: AccessRequest, profile: Profile): string[] {
  const who = r.requester.email ?? r.requester.slackUserId;
  const targets = grantTargets(r);
  const recorded = targets.map((t) => t.accountId);
  const expected = profileAccountIds(deps.config, profile);
  if (recorded.join(",") !== expected.join(",")) {
    return [
      `it grants in accounts ${recorded.map((a) => label(deps.config, a)).join(", ")}; ${profile.id} spans ${expected.map((a) => label(deps.config, a)).join(", ")}`,
    ];
  }
  const problems: string[] = [];
  for (const target of targets) {
    const where = expected.length > 1 || target.accountId !== deps.config.accountId;
    const suffix = where ? ` in account ${label(deps.config, target.accountId)}` : "";
    if (parsePrincipalArn(target.principal.arn).accountId !== target.accountId) {
      problems.push(`its principal ${target.principal.arn} is not in account ${target.accountId}`);
      continue;
    }
    try {
      const want = resolvePrincipal(configIn(deps.config, target.accountId), r.requester);
      if (want.kind !== target.principal.kind || !samePerson(want, target.principal)) {
        problems.push(`its principal ${target.principal.arn}${suffix} is not the requester's (${want.arn})`);
      }
    } catch {
      problems.push(`the configuration names no principal for ${who}${suffix}`);
    }
  }
  return problems;
}

/**
 * For a record granted without approvers (break-glass, on call): "" when today's profile still allows
 * it as recorded, the problem otherwise; undefined for an ordinary record (approvals decide).
 */
function withoutApproversProblem(profile: Profile, r: AccessRequest): string | undefined {
  const span =
    r.grantedAt && r.expiresAt ? new Date(r.expiresAt).getTime() - new Date(r.grantedAt).getTime() : 0;
  if (r.breakGlass) {
    const settings = breakGlassSettings(profile);
    if (!settings) return `it is break-glass and ${profile.id} does not allow break-glass`;
    if ([...r.reason].length < BREAK_GLASS_REASON_MIN) return "it is break-glass without a real reason";
    if (span > settings.maxSeconds * 1000 + 1000)
      return `it is break-glass and lasts longer than ${profile.id}'s break-glass maximum`;
    return "";
  }
  if (r.onCall?.approved) {
    const rule = profile.onCall;
    if (!rule || rule.provider !== r.onCall.provider)
      return `it was approved as on call in ${r.onCall.provider}, which ${profile.id} does not count`;
    if (rule.maxDuration && span > parseDuration(rule.maxDuration) * 1000 + 1000)
      return `it was approved as on call and lasts longer than ${profile.id}'s on-call maximum`;
    const { shiftEnd } = r.onCall;
    if (
      rule.capToShift &&
      shiftEnd &&
      r.expiresAt &&
      new Date(r.expiresAt) > new Date(new Date(shiftEnd).getTime() + 1000)
    )
      return `it was approved as on call and outlasts the shift (${shiftEnd})`;
    return "";
  }
  return undefined;
}

/**
 * The latest this grant may run to, and the rule that sets it: the profile's maximum from when it was
 * granted, tightened for a grant made without approvers by the break-glass or on-call maximum and, when
 * the on-call rule caps to the shift, by the shift's end. Extensions stay inside it, so a grant is
 * never extended into a state the grant step would refuse.
 */
export function grantLimit(
  profile: Profile,
  r: AccessRequest & { grantedAt: string },
): { until: number; rule: string } {
  const granted = new Date(r.grantedAt).getTime();
  let until = granted + profile.maxDurationSeconds * 1000;
  let rule = `the ${profile.id} profile allows at most ${formatDuration(profile.maxDurationSeconds)} per grant`;
  const tighten = (limit: number, why: string) => {
    if (limit < until) {
      until = limit;
      rule = why;
    }
  };
  const breakGlass = r.breakGlass ? breakGlassSettings(profile) : undefined;
  if (breakGlass)
    tighten(
      granted + breakGlass.maxSeconds * 1000,
      `a break-glass grant of ${profile.id} lasts at most ${formatDuration(breakGlass.maxSeconds)}`,
    );
  const rule2 = r.onCall?.approved ? profile.onCall : undefined;
  if (rule2?.maxDuration) {
    const max = parseDuration(rule2.maxDuration);
    tighten(granted + max * 1000, `a grant approved as on call lasts at most ${formatDuration(max)}`);
  }
  if (rule2?.capToShift && r.onCall?.shiftEnd)
    tighten(
      new Date(r.onCall.shiftEnd).getTime(),
      `a grant approved as on call ends with the shift (${r.onCall.shiftEnd})`,
    );
  return { until, rule };
}

/**
 * IAM allows StartSession when some statement allows the node and some statement allows the
 * document, so two live grants of one person with different documents would combine into each
 * document on the other's nodes (a shell on the database hosts that only port forwarding was approved
 * for). A person holds grants of one document set at a time.
 */
export async function combinationProblem(
  deps: Deps,
  r: Pick<AccessRequest, "id" | "profileId" | "principal" | "grants">,
): Promise<string | undefined> {
  const profile = deps.config.profiles[r.profileId];
  if (!profile) return undefined;
  const documents = (p: { documents: string[] }) => [...p.documents].sort().join(", ");
  const now = deps.clock.now();
  for (const other of await deps.store.listByStatus("ACTIVE")) {
    if (other.id === r.id || !sharesPerson(other, r)) continue;
    if (!other.expiresAt || new Date(other.expiresAt) <= now) continue;
    const theirs = deps.config.profiles[other.profileId];
    if (!theirs || documents(theirs) === documents(profile)) continue;
    return `the requester holds ${other.id} (${other.profileId}: ${documents(theirs)}); with ${profile.id}'s ${documents(profile)} IAM would allow each document on the other's nodes. Revoke ${other.id} first`;
  }
  return undefined;
}

/** Whether two grants give one person access in some same account (IAM combines only within one). */
function sharesPerson(
  a: Pick<AccessRequest, "principal" | "grants">,
  b: Pick<AccessRequest, "principal" | "grants">,
): boolean {
  return grantTargets(a).some((x) => {
    const theirs = principalIn(b, x.accountId);
    return theirs !== undefined && samePerson(x.principal, theirs);
  });
}

/** Throws NotAuthorizedError naming every problem, before anything reaches IAM. */
export async function assertGrantable(deps: Deps, r: AccessRequest): Promise<void> {
  const problems = grantProblems(deps, r);
  const combination = await combinationProblem(deps, r);
  if (combination) problems.push(combination);
  if (problems.length > 0) {
    throw new NotAuthorizedError(problems.join("; "));
  }
}
