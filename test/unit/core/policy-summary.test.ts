/**
 * The plain-English account of a grant that `jit policy preview` prints: it says what the policy
 * allows and nothing the product does not enforce.
 */
import { describe, expect, it } from "vitest";
import type { Profile } from "../../../core/config/load.ts";
import { buildGrantPolicy } from "../../../core/policy.ts";
import { summarizeGrant } from "../../../core/policy-summary.ts";
import { resolvePrincipal } from "../../../core/principal.ts";
import { exampleConfig, exampleProfile } from "../../helpers/config.ts";

const config = exampleConfig();
const NOW = new Date("2026-11-26T09:00:00Z");
const EXPIRY = new Date("2026-11-26T10:00:00Z");

function summary(profile: Profile): string[] {
  const principal = resolvePrincipal(config, { slackUserId: "U01ALICE" });
  const grant = buildGrantPolicy({
    profile,
    principal,
    accountId: config.accountId,
    requestId: "r1",
    expiresAt: EXPIRY,
  });
  return summarizeGrant({
    grant,
    profile,
    principal,
    accountId: config.accountId,
    expiresAt: EXPIRY,
    now: NOW,
  });
}

describe("the grant summary", () => {
  it("promises no OS user: nothing in the grant enforces one", () => {
    // Failed on main: the prod-web preview printed "Sessions run as OS user ec2-user (through the
    // principal's SSMSessionRunAs tag)", which no part of the product made true.
    const lines = summary(exampleProfile("prod-web", config));
    expect(lines.join("\n")).not.toMatch(/run as/i);
  });

  it("names the session key the grant lets the person use, when sessions are encrypted", () => {
    // Failed on main: no line (and no statement) for the session key (observed: absent).
    const lines = summary(exampleProfile("prod-db", config));
    expect(lines).toContain(
      "  and to use the session key alias/ssm-jit-access-sessions (kms:GenerateDataKey) in eu-west-1, eu-central-1, which encrypted sessions need",
    );
  });

  it("says nothing of a key when sessions are not encrypted", () => {
    const lines = summary({ ...exampleProfile("prod-db", config), sessionKeyAlias: undefined });
    expect(lines.join("\n")).not.toContain("session key");
  });
});

describe("the grant summary and transcripts", () => {
  it("says port forwarding and SSH sessions leave no transcript", () => {
    // Prepare / Act
    const db = summary(exampleProfile("prod-db", config)).join("\n");
    const staging = summary(exampleProfile("staging", config)).join("\n");
    // Assess
    expect(db).toContain(
      "No transcript is kept of AWS-StartPortForwardingSession and AWS-StartPortForwardingSessionToRemoteHost sessions: Session Manager logs only shell sessions",
    );
    expect(staging).toContain("No transcript is kept of AWS-StartSSHSession sessions");
  });

  it("says nothing of the kind for a shell-only profile", () => {
    expect(summary(exampleProfile("prod-web", config)).join("\n")).not.toMatch(/transcript/i);
  });
});
