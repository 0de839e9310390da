/**
 * Grant policy sizes: for every profile of the example config and every kind of principal, the size
 * IAM counts (non-whitespace characters) and how many such grants fit one principal's inline quota.
 */
import { loadConfigFile } from "../adapters/config-file.ts";
import { buildGrantPolicy, grantsThatFit } from "../core/policy.ts";
import { resolvePrincipal } from "../core/principal.ts";

export interface PolicySizeRow {
  profile: string;
  principal: string;
  size: number;
  grantsPerPrincipal: number;
}

export function measurePolicySizes(configPath?: string): PolicySizeRow[] {
  const config = loadConfigFile(configPath);
  const people = [
    { label: "role", person: { slackUserId: "U01ALICE" } },
    { label: "iam-user", person: { slackUserId: "U02BOB" } },
    { label: "shared-role", person: { slackUserId: "U09DAN", email: "dan.longer-name@example.com" } },
  ];
  const rows: PolicySizeRow[] = [];
  for (const profile of Object.values(config.profiles)) {
    for (const { label, person } of people) {
      const principal = resolvePrincipal(config, person);
      const grant = buildGrantPolicy({
        profile,
        principal,
        accountId: config.accountId,
        requestId: "20261126-k3x9qa7m",
        expiresAt: new Date("2026-11-26T10:00:00Z"),
      });
      rows.push({
        profile: profile.id,
        principal: label,
        size: grant.size,
        grantsPerPrincipal: grantsThatFit(grant.size),
      });
    }
  }
  return rows;
}
