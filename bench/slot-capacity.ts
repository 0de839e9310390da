/**
 * Grant slots: how many grants of each example profile fit one slot (6,144 characters) and one shared
 * role (its slots together), packed the way the grant function packs them, for people whose role
 * session names are 30-character emails.
 */
import { loadConfigFile } from "../adapters/config-file.ts";
import { buildGrantPolicy, policySize } from "../core/policy.ts";
import { resolvePrincipal } from "../core/principal.ts";
import { emptySlot, MANAGED_POLICY_QUOTA, slotStatements, withGrant } from "../core/slots.ts";

export interface SlotCapacityRow {
  profile: string;
  /** What one grant adds to a slot. */
  size: number;
  perSlot: number;
  perSharedRole: number;
}

/** Packs grants of `profileIds` (round robin) into empty slots until none has room; returns the count. */
function pack(config: ReturnType<typeof loadConfigFile>, profileIds: string[], slots: number): number[] {
  const docs = Array.from({ length: slots }, emptySlot);
  const placed = docs.map(() => 0);
  for (let n = 0; ; n++) {
    const profile = config.profiles[profileIds[n % profileIds.length] ?? ""];
    if (!profile) return placed;
    const id = `20261126-${n.toString(32).padStart(8, "0")}`;
    const email = `person.${String(n).padStart(4, "0")}@example.com`.padStart(30, "x");
    const principal = resolvePrincipal(config, { slackUserId: `U${n}`, email });
    const statements = slotStatements(
      buildGrantPolicy({
        profile,
        principal,
        accountId: config.accountId,
        requestId: id,
        expiresAt: new Date(),
      }).document,
      id,
    );
    const index = docs.findIndex((d) => policySize(withGrant(d, id, statements)) <= MANAGED_POLICY_QUOTA);
    if (index < 0) return placed;
    docs[index] = withGrant(docs[index] ?? emptySlot(), id, statements);
    placed[index] = (placed[index] ?? 0) + 1;
  }
}

export function measureSlotCapacity(configPath?: string): {
  slots: number;
  rows: SlotCapacityRow[];
  mixed: number;
} {
  const config = loadConfigFile(configPath);
  const slots = config.principals.sharedRole?.slots ?? 0;
  const rows = Object.values(config.profiles).map((profile) => {
    const principal = resolvePrincipal(config, {
      slackUserId: "U1",
      email: "firstname.lastname@example.com",
    });
    const statements = slotStatements(
      buildGrantPolicy({
        profile,
        principal,
        accountId: config.accountId,
        requestId: "20261126-k3x9qa7m",
        expiresAt: new Date(),
      }).document,
      "20261126-k3x9qa7m",
    );
    const perSlot = pack(config, [profile.id], 1)[0] ?? 0;
    return {
      profile: profile.id,
      size:
        policySize({ Version: "2012-10-17", Statement: statements }) -
        policySize({ Version: "2012-10-17", Statement: [] }),
      perSlot,
      perSharedRole: pack(config, [profile.id], slots).reduce((a, b) => a + b, 0),
    };
  });
  const mixed = pack(config, Object.keys(config.profiles), slots).reduce((a, b) => a + b, 0);
  return { slots, rows, mixed };
}
