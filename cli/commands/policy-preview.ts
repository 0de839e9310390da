/** `jit policy preview`: prints exactly the policy a grant would attach, and what it allows. */
import { loadConfigFile } from "../../adapters/config-file.ts";
import { systemClock } from "../../core/clock.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import { parseBoundedDuration } from "../../core/duration.ts";
import { NotFoundError } from "../../core/errors.ts";
import { buildGrantPolicy, type PolicyDocument, policySize } from "../../core/policy.ts";
import { summarizeGrant } from "../../core/policy-summary.ts";
import { principalFromReference } from "../../core/principal.ts";
import { basePolicyArn, MANAGED_POLICY_QUOTA, slotArns, slotStatements } from "../../core/slots.ts";
import { configPath } from "../config-path.ts";
import type { Io } from "../io.ts";

/** The request id shown in a preview; a real grant gets a fresh one. */
const PREVIEW_ID = "preview";
/** The same for a slot, whose statement ids carry a request id of the real shape. */
const SLOT_PREVIEW_ID = "20261126-preview0";

/** What `jit policy preview` is given. */
export interface PreviewOptions {
  profile: string;
  principal: string;
  for?: string;
  config?: string;
  json?: boolean;
}

export function policyPreview(flags: PreviewOptions, io: Io, clock = systemClock): number {
  const config = loadConfigFile(configPath(flags.config));
  const profileId = flags.profile;
  const profile = config.profiles[profileId];
  if (!profile) {
    throw new NotFoundError(
      `no profile "${profileId}"; the profiles are ${Object.keys(config.profiles).join(", ")}`,
    );
  }
  const principal = principalFromReference(config, flags.principal);
  const seconds = flags.for
    ? parseBoundedDuration(flags.for, "--for", profile.maxDurationSeconds)
    : profile.defaultDurationSeconds;
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + seconds * 1000);
  const grant = buildGrantPolicy({
    profile,
    principal,
    accountId: config.accountId,
    partition: config.partition,
    requestId: PREVIEW_ID,
    expiresAt,
  });
  const summary = () =>
    summarizeGrant({ grant, profile, principal, accountId: config.accountId, expiresAt, now });
  if (principal.kind === "shared-role") {
    const code = slotPreview(config, grant.document, flags.json === true, io);
    // The inline quota line does not apply: the slot's own numbers are above.
    if (!flags.json) for (const line of summary()) if (!line.includes("10240")) io.out(line);
    return code;
  }
  if (flags.json) {
    io.out(
      JSON.stringify({ policyName: grant.policyName, document: grant.document, size: grant.size }, null, 2),
    );
    return 0;
  }
  io.out(JSON.stringify(grant.document, null, 2));
  io.out("");
  for (const line of summarizeGrant({
    grant,
    profile,
    principal,
    accountId: config.accountId,
    expiresAt,
    now,
  }))
    io.out(line);
  return 0;
}

/**
 * A shared role's grant: the statements it adds to one of the role's slots, their size, and how many
 * such grants a slot and the role hold (the base policy carries the rest).
 */
function slotPreview(config: AccessConfig, document: PolicyDocument, json: boolean, io: Io): number {
  const statements = slotStatements(document, SLOT_PREVIEW_ID);
  const size = policySize({ Version: "2012-10-17", Statement: statements }) - policySize(emptyDocument);
  const perSlot = Math.floor((MANAGED_POLICY_QUOTA - policySize(emptyDocument)) / (size + 1));
  const slots = slotArns(config);
  if (json) {
    io.out(
      JSON.stringify({ slots, statements, size, perSlot, perSharedRole: perSlot * slots.length }, null, 2),
    );
    return 0;
  }
  io.out(JSON.stringify(statements, null, 2));
  io.out("");
  io.out(`Added to the first of the shared role's slots with room: ${slots.join(", ")}.`);
  io.out(
    `It takes ${size} of a slot's ${MANAGED_POLICY_QUOTA} characters: about ${perSlot} such grants per slot, ${perSlot * slots.length} on the shared role at once.`,
  );
  io.out(
    `Own sessions, discovery${config.sessionManager.encryptSessions ? " and the session key" : ""} come from ${basePolicyArn(config)}, which the role always has.`,
  );
  io.out("Every statement is narrowed to this one person (aws:userid) and ends at the expiry second.");
  io.out("");
  return 0;
}

const emptyDocument: PolicyDocument = { Version: "2012-10-17", Statement: [] };
