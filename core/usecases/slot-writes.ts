/**
 * Writing grants into a shared role's slots. IAM has no compare-and-set on policy versions, so every
 * write to one slot is serialized by a lease in the table (a conditional write with an expiry): under
 * the lease the slot is read again, changed, written as the new default version, and read back. A
 * writer that crashes holding the lease blocks the slot only until the lease's time runs out.
 */
import { SlotBusyError } from "../errors.ts";
import { type PolicyDocument, policySize, type Statement } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import {
  chooseSlot,
  emptySlot,
  grantsInSlot,
  holdsGrant,
  MANAGED_POLICY_QUOTA,
  slotArns,
  slotStatements,
  withGrant,
  withoutGrant,
} from "../slots.ts";
import { grantPolicyOf } from "./grant-policy.ts";

/** How long a writer may hold a slot; far above a read, a write and a read-back. */
export const LEASE_MS = 30_000;
/** Tries to take a busy slot's lease before giving up (the workflow retries the whole task). */
const LEASE_TRIES = 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` holding the slot's lease; SlotBusyError when the slot stays busy. */
export async function withSlotLease<T>(
  deps: Deps,
  slotArn: string,
  owner: string,
  work: () => Promise<T>,
): Promise<T> {
  const random = deps.random ?? Math.random;
  for (let tries = 1; ; tries++) {
    const now = deps.clock.now();
    const until = new Date(now.getTime() + LEASE_MS).toISOString();
    if (await deps.store.acquireLease(`slot#${slotArn}`, owner, until, now.toISOString())) break;
    if (tries >= LEASE_TRIES) throw new SlotBusyError(`grant slot ${slotArn} stayed busy; try again`);
    // Full jitter, growing to about 100 ms: writers on one slot take a few IAM calls each.
    await sleep(random() * Math.min(100, 5 * 2 ** Math.min(tries, 5)));
  }
  try {
    return await work();
  } finally {
    await deps.store.releaseLease(`slot#${slotArn}`, owner).catch(() => {
      // The lease runs out by itself; a lost release only delays the next writer.
    });
  }
}

const leaseOwner = (deps: Deps, requestId: string) =>
  `${requestId}:${Math.floor((deps.random ?? Math.random)() * 1e12).toString(36)}`;

/** Reads every slot of the shared role (an absent policy reads as empty: the stack creates them). */
export async function readSlots(deps: Deps): Promise<{ arn: string; document: PolicyDocument }[]> {
  return Promise.all(
    slotArns(deps.config).map(async (arn) => ({
      arn,
      document: (await deps.broker.readSlot(arn)) ?? emptySlot(),
    })),
  );
}

/** Whether the slot's statements of this request are exactly `statements`. */
const holdsExactly = (document: PolicyDocument, requestId: string, statements: Statement[]) =>
  JSON.stringify(grantsInSlot(document).get(requestId) ?? []) === JSON.stringify(statements);

/** The statements a grant ending at `expiresAt` puts in a slot. */
export function slotGrant(deps: Deps, request: AccessRequest, expiresAt: Date): Statement[] {
  return slotStatements(grantPolicyOf(deps, request, expiresAt).document, request.id);
}

/**
 * Puts the grant (ending at `expiresAt`) into a slot with room, replacing any earlier version of it.
 * QuotaExceededError with the numbers when no slot has room.
 */
export async function placeInSlot(deps: Deps, request: AccessRequest, expiresAt: Date): Promise<string> {
  const statements = slotGrant(deps, request, expiresAt);
  const owner = leaseOwner(deps, request.id);
  for (let round = 0; round < 5; round++) {
    const choice = chooseSlot(await readSlots(deps), request.id, statements, request.principal.arn);
    const placed = await withSlotLease(deps, choice.arn, owner, async () => {
      const current = (await deps.broker.readSlot(choice.arn)) ?? emptySlot();
      const next = withGrant(current, request.id, statements);
      // Filled by another grant since it was chosen: choose again.
      if (policySize(next) > MANAGED_POLICY_QUOTA) return false;
      await deps.broker.writeSlot(choice.arn, next);
      const check = await deps.broker.readSlot(choice.arn);
      if (!check || !holdsExactly(check, request.id, statements))
        throw new SlotBusyError(`grant ${request.id} did not read back from ${choice.arn}`);
      return true;
    });
    if (placed) {
      // A retry that landed in another slot than an earlier attempt leaves no copy behind.
      await removeFromSlots(deps, request.id, choice.arn);
      return choice.arn;
    }
  }
  throw new SlotBusyError(`grant slots of ${request.principal.arn} kept filling up; try again`);
}

/** Takes a grant out of every slot that holds it (except `keep`); true when one held it. */
export async function removeFromSlots(deps: Deps, requestId: string, keep?: string): Promise<boolean> {
  let removed = false;
  const owner = leaseOwner(deps, requestId);
  for (const slot of await readSlots(deps)) {
    if (slot.arn === keep || !holdsGrant(slot.document, requestId)) continue;
    await withSlotLease(deps, slot.arn, owner, async () => {
      const current = (await deps.broker.readSlot(slot.arn)) ?? emptySlot();
      if (!holdsGrant(current, requestId)) return;
      await deps.broker.writeSlot(slot.arn, withoutGrant(current, requestId));
      const check = await deps.broker.readSlot(slot.arn);
      if (check && holdsGrant(check, requestId))
        throw new SlotBusyError(`grant ${requestId} is still in ${slot.arn} after its removal`);
      removed = true;
    });
  }
  return removed;
}
