/**
 * Writing grants into a shared role's slots. IAM has no compare-and-set on policy versions, so every
 * write to one slot is serialized by a lease in the table (a conditional write with an expiry): under
 * the lease the slot is read again, changed, written as the new default version, and read back. A
 * writer that crashes holding the lease blocks the slot only until the lease's time runs out.
 */
import { NotFoundError, SlotBusyError } from "../errors.ts";
import { type PolicyDocument, policySize, type Statement } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import {
  chooseSlot,
  emptySlot,
  foreignStatements,
  grantsInSlot,
  holdsGrant,
  MANAGED_POLICY_QUOTA,
  slotArns,
  slotStatements,
  withGrant,
  withOnlyGrants,
} from "../slots.ts";
import { grantPolicyOf } from "./grant-policy.ts";

/** How long a writer may hold a slot; far above a read, a write and a read-back. */
export const LEASE_MS = 60_000;
/** Tries to take a busy slot's lease before giving up (the workflow retries the whole task). */
const LEASE_TRIES = 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Time a write needs after its check: a list, two deletes, a create and a read back, each bounded by
 * the IAM client (3 s per attempt, 2 attempts): under 30 s in all.
 */
const WRITE_MARGIN_MS = 30_000;

/**
 * Runs `work` holding the slot's lease; SlotBusyError when the slot stays busy. `work` gets a check
 * to call right before it writes: a writer whose lease is nearly out (it stalled) gives up instead of
 * writing over a slot another writer may hold by then.
 */
export async function withSlotLease<T>(
  deps: Deps,
  slotArn: string,
  owner: string,
  work: (stillMine: () => void) => Promise<T>,
): Promise<T> {
  const random = deps.random ?? Math.random;
  let until = 0;
  for (let tries = 1; ; tries++) {
    const now = deps.clock.now();
    until = now.getTime() + LEASE_MS;
    const leased = await deps.store.acquireLease(
      `slot#${slotArn}`,
      owner,
      new Date(until).toISOString(),
      now.toISOString(),
    );
    if (leased) break;
    if (tries >= LEASE_TRIES) throw new SlotBusyError(`grant slot ${slotArn} stayed busy; try again`);
    // Full jitter, growing to about 100 ms: writers on one slot take a few IAM calls each.
    await sleep(random() * Math.min(100, 5 * 2 ** Math.min(tries, 5)));
  }
  const stillMine = () => {
    if (deps.clock.now().getTime() > until - WRITE_MARGIN_MS)
      throw new SlotBusyError(`the lease on ${slotArn} ran out before the write; try again`);
  };
  try {
    return await work(stillMine);
  } finally {
    await deps.store.releaseLease(`slot#${slotArn}`, owner).catch(() => {
      // The lease runs out by itself; a lost release only delays the next writer.
    });
  }
}

const leaseOwner = (deps: Deps, requestId: string) =>
  `${requestId}:${Math.floor((deps.random ?? Math.random)() * 1e12).toString(36)}`;

/**
 * Reads the slots of the shared role that exist. A slot missing from the account (not deployed
 * there, or deleted) is left out, so it never takes grants it cannot hold; none at all is an error.
 */
export async function readSlots(deps: Deps): Promise<{ arn: string; document: PolicyDocument }[]> {
  const read = await Promise.all(
    slotArns(deps.config).map(async (arn) => ({ arn, document: await deps.broker.readSlot(arn) })),
  );
  const present = read.filter(
    (s): s is { arn: string; document: PolicyDocument } => s.document !== undefined,
  );
  if (present.length === 0 && read.length > 0) {
    throw new NotFoundError(
      `none of the shared role's slots (${read.map((s) => s.arn).join(", ")}) exists in this account: deploy the stack here first`,
    );
  }
  return present;
}

/**
 * The grants a writer keeps when it rewrites a slot: those whose request is still live. A revoked
 * grant brought back by a stale read, or a statement of a request nobody knows, is dropped.
 */
async function liveGrantsOf(deps: Deps, document: PolicyDocument): Promise<Set<string>> {
  const ids = [...grantsInSlot(document).keys()];
  const records = await Promise.all(ids.map((id) => deps.store.get(id)));
  return new Set(
    records.filter((r) => r && (r.status === "ACTIVE" || r.status === "APPROVED")).map((r) => r?.id ?? ""),
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
    const slots = await readSlots(deps);
    const choice = chooseSlot(slots, request.id, statements, request.principal.arn);
    const placed = await withSlotLease(deps, choice.arn, owner, async (stillMine) => {
      const current = (await deps.broker.readSlot(choice.arn)) ?? emptySlot();
      const live = await liveGrantsOf(deps, current);
      const next = withGrant(
        withOnlyGrants(current, (id) => live.has(id)),
        request.id,
        statements,
      );
      // Filled by another grant since it was chosen: choose again.
      if (policySize(next) > MANAGED_POLICY_QUOTA) return false;
      stillMine();
      await deps.broker.writeSlot(choice.arn, next);
      const check = await deps.broker.readSlot(choice.arn);
      if (!check || !holdsExactly(check, request.id, statements))
        throw new SlotBusyError(`grant ${request.id} did not read back from ${choice.arn}`);
      return true;
    });
    if (placed) {
      // A retry that landed in another slot than an earlier attempt leaves no copy behind (read
      // again only when the slots just read showed such a copy).
      if (slots.some((s) => s.arn !== choice.arn && holdsGrant(s.document, request.id)))
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
    await withSlotLease(deps, slot.arn, owner, async (stillMine) => {
      const current = (await deps.broker.readSlot(slot.arn)) ?? emptySlot();
      if (!holdsGrant(current, requestId)) return;
      const live = await liveGrantsOf(deps, current);
      stillMine();
      await deps.broker.writeSlot(
        slot.arn,
        withOnlyGrants(current, (id) => id !== requestId && live.has(id)),
      );
      const check = await deps.broker.readSlot(slot.arn);
      if (check && holdsGrant(check, requestId))
        throw new SlotBusyError(`grant ${requestId} is still in ${slot.arn} after its removal`);
      removed = true;
    });
  }
  return removed;
}

/** Rewrites a slot with only its live grants of ours: statements someone else added go. */
export async function removeForeign(deps: Deps, slotArn: string): Promise<void> {
  await withSlotLease(deps, slotArn, leaseOwner(deps, "sweeper"), async (stillMine) => {
    const current = (await deps.broker.readSlot(slotArn)) ?? emptySlot();
    if (foreignStatements(current).length === 0) return;
    const live = await liveGrantsOf(deps, current);
    stillMine();
    await deps.broker.writeSlot(
      slotArn,
      withOnlyGrants(current, (id) => live.has(id)),
    );
  });
}
