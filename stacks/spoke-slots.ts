/**
 * The spoke's share of the shared roles' policies (issue 12): `/jit/jit-base` and the slots
 * `/jit/jit-grants-N` in each member account that declares a shared role (stacks/slot-policies.ts says
 * why they exist; the hub makes its own). Pure.
 *
 * One resource per policy name, not per account, each under a condition listing the accounts that
 * need it: the template stays the same size however many accounts there are (a resource per account
 * would pass CloudFormation's 51,200-byte template body at about 15 accounts, and its 500 resources at
 * about 100). The base names the account through `${AWS::AccountId}`; its regions are those of every
 * profile spanning such an account (its statements cover the holder's own sessions only, so a region
 * more is harmless). A slot starts as the placeholder and is the broker's to rewrite; CloudFormation
 * leaves it alone on a StackSet update, since its template does not change.
 */
import { accountPrincipals, memberAccountIds, profileAccountIds } from "../core/accounts.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { BASE_POLICY_NAME, basePolicyDocument, emptySlot, SLOT_PATH, slotName } from "../core/slots.ts";
import { THIS_ACCOUNT } from "./spoke-policies.ts";

type Json = unknown;

/** True in the accounts whose shared role has slots (and only in the hub's region, where IAM is made). */
export const SHARED_ROLE_CONDITION = "SharedRoleHere";

/** CloudFormation's Fn::Or takes 2 to 10 conditions. */
const OR_MAX = 10;

/** A condition true in exactly these accounts (at least one): nested Fn::Or of Fn::Equals. */
export function inAccounts(ids: string[]): Json {
  const terms: Json[] = ids.map((id) => ({ "Fn::Equals": [{ Ref: "AWS::AccountId" }, id] }));
  let level = terms;
  while (level.length > 1) {
    const next: Json[] = [];
    for (let i = 0; i < level.length; i += OR_MAX) {
      const group = level.slice(i, i + OR_MAX);
      next.push(group.length === 1 ? group[0] : { "Fn::Or": group });
    }
    level = next;
  }
  return level[0];
}

const policy = (condition: string, name: string, document: Json, description: string) => ({
  Type: "AWS::IAM::ManagedPolicy",
  Condition: condition,
  // Kept when the stack goes: a slot may hold live grants, and the sweeper reconciles it.
  DeletionPolicy: "Retain",
  UpdateReplacePolicy: "Retain",
  Properties: {
    ManagedPolicyName: name,
    Path: SLOT_PATH,
    Description: description,
    PolicyDocument: document,
  },
});

/** The base and slot policies with their conditions; none when no member account has a shared role. */
export function slotResources(config: AccessConfig) {
  const slotsOf = new Map<string, number>();
  for (const id of memberAccountIds(config)) {
    const shared = accountPrincipals(config, id).sharedRole;
    if (shared) slotsOf.set(id, shared.slots);
  }
  const resources: Record<string, Json> = {};
  const conditions: Record<string, Json> = {};
  if (slotsOf.size === 0) return { resources, conditions };
  const here = (ids: string[]) => ({ "Fn::And": [{ Condition: "IamHere" }, inAccounts(ids)] });
  conditions[SHARED_ROLE_CONDITION] = here([...slotsOf.keys()]);
  const profiles = Object.fromEntries(
    Object.entries(config.profiles).filter(([, p]) =>
      profileAccountIds(config, p).some((id) => slotsOf.has(id)),
    ),
  );
  const base = basePolicyDocument({ ...config, accountId: THIS_ACCOUNT, profiles });
  resources.JitBase = policy(
    SHARED_ROLE_CONDITION,
    BASE_POLICY_NAME,
    base,
    "JIT access standing rights of the shared role",
  );
  const fewest = Math.min(...slotsOf.values());
  for (let n = 1; n <= Math.max(...slotsOf.values()); n++) {
    // Every shared role has the first `fewest` slots; beyond them, only the accounts that asked.
    let condition = SHARED_ROLE_CONDITION;
    if (n > fewest) {
      condition = `Slot${n}Here`;
      conditions[condition] = here([...slotsOf].filter(([, slots]) => slots >= n).map(([id]) => id));
    }
    resources[`JitGrants${n}`] = policy(
      condition,
      slotName(n),
      emptySlot(),
      "JIT access grant slot of the shared role",
    );
  }
  return { resources, conditions };
}
