/** `jit policy preview`: prints exactly the policy a grant would attach, and what it allows. */
import { loadConfigFile } from "../../adapters/config-file.ts";
import { systemClock } from "../../core/clock.ts";
import { parseBoundedDuration } from "../../core/duration.ts";
import { NotFoundError } from "../../core/errors.ts";
import { buildGrantPolicy } from "../../core/policy.ts";
import { summarizeGrant } from "../../core/policy-summary.ts";
import { principalFromReference } from "../../core/principal.ts";
import type { Io } from "../main.ts";
import { parseFlags, required } from "../usage.ts";

/** The request id shown in a preview; a real grant gets a fresh one. */
const PREVIEW_ID = "preview";

export function policyPreview(args: string[], io: Io, clock = systemClock): number {
  const flags = parseFlags(args, {
    config: { type: "string" },
    profile: { type: "string" },
    principal: { type: "string" },
    for: { type: "string" },
    json: { type: "boolean" },
  });
  const config = loadConfigFile(flags.config);
  const profileId = required(flags, "profile");
  const profile = config.profiles[profileId];
  if (!profile) {
    throw new NotFoundError(
      `no profile "${profileId}"; the profiles are ${Object.keys(config.profiles).join(", ")}`,
    );
  }
  const principal = principalFromReference(config, required(flags, "principal"));
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
