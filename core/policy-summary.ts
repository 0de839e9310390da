/** A plain-English account of a grant policy, for `jit policy preview` and for Slack messages. */
import type { Profile } from "./config/load.ts";
import { formatDuration } from "./duration.ts";
import { type GrantPolicy, grantsThatFit, INLINE_POLICY_QUOTA, iamTime } from "./policy.ts";
import type { Principal } from "./principal.ts";
import { transcriptGap } from "./transcripts.ts";

const who = (p: Principal): string =>
  p.kind === "shared-role"
    ? `${p.sessionName} (role session on shared role ${p.name})`
    : `${p.kind === "user" ? "IAM user" : "role"} ${p.name}`;

/** Human-readable tag selector: `Env=prod and Role=db-primary|db-replica`. */
export const describeSelector = (tags: Profile["tags"]): string =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v.join("|")}`)
    .join(" and ");

/** Lines describing what the grant allows, until when, and its size against the quota. */
export function summarizeGrant(input: {
  grant: GrantPolicy;
  profile: Profile;
  principal: Principal;
  accountId: string;
  expiresAt: Date;
  now: Date;
}): string[] {
  const { grant, profile, principal, accountId, expiresAt, now } = input;
  const lines = [
    `Policy ${grant.policyName} on ${principal.arn}`,
    `Allows ${who(principal)} to start Session Manager sessions`,
    `  on EC2 instances and hybrid managed nodes tagged ${describeSelector(profile.tags)}`,
    `  in ${profile.regions.join(", ")} of account ${accountId}`,
    `  with the documents ${profile.documents.join(", ")} only`,
    `  and to resume or terminate only their own sessions`,
    ...(profile.sessionKeyAlias
      ? [
          `  and to use the session key ${profile.sessionKeyAlias} (kms:GenerateDataKey) in ${profile.regions.join(", ")}, which encrypted sessions need`,
        ]
      : []),
    `Until ${iamTime(expiresAt)} (${formatDuration((expiresAt.getTime() - now.getTime()) / 1000)} from now); IAM refuses new sessions from that second on`,
  ];
  const gap = transcriptGap(profile.documents);
  if (gap) lines.push(gap);
  if (principal.kind === "shared-role") {
    lines.push(
      `Only counts when aws:userid ends in :${principal.sessionName}, so others on the shared role get nothing`,
    );
  }
  lines.push(
    `Size ${grant.size} of ${INLINE_POLICY_QUOTA} characters; ${grantsThatFit(grant.size)} grants of this size fit one principal at once`,
  );
  return lines;
}
