/** The sandbox's accounts on disk: every account saved, restored after a restart, older folders read. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SandboxAccount } from "../../../adapters/local/account.ts";
import { SandboxOrganization } from "../../../adapters/local/organization.ts";
import type { PolicyDocument } from "../../../core/policy.ts";
import type { Principal } from "../../../core/principal.ts";
import { accountsFile, keepAccountsOnDisk } from "../../../local/accounts-file.ts";

const HUB = "123456789012";
const STAGING = "444455556666";
const HUB_ALICE = `arn:aws:iam::${HUB}:role/jit-alice`;
const STAGING_ALICE = `arn:aws:iam::${STAGING}:role/jit-alice`;
/** A one-person role, as the broker is handed it. */
const role = (arn: string): Principal => ({ kind: "role", arn, name: "jit-alice" });
const POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Shell", Effect: "Allow", Action: "ssm:StartSession", Resource: "*" }],
};

/** An organization of the hub and staging, each with one node; or the hub's account alone. */
function organization(members = [STAGING]) {
  const account = (id: string, node: string) =>
    new SandboxAccount({ nodes: [{ id: node, region: "eu-west-1", tags: {} }], accountId: id });
  const accounts: Record<string, SandboxAccount> = { [HUB]: account(HUB, "i-0hub0000000000001") };
  for (const id of members) accounts[id] = account(id, "i-0stg0000000000001");
  return new SandboxOrganization({ hubAccountId: HUB, accounts });
}

const dataDir = () => mkdtempSync(join(tmpdir(), "jit-accounts-file-"));

describe("the sandbox's accounts on disk", () => {
  it("keeps every account's grants and sessions across a restart", async () => {
    // Prepare: a grant and a session in each account, saved as they change.
    const dir = dataDir();
    const first = organization();
    keepAccountsOnDisk(first, dir);
    await first.account(HUB).putGrant(role(HUB_ALICE), "jit-20261126-aaaaaaaa", POLICY);
    await first.account(STAGING).putGrant(role(STAGING_ALICE), "jit-20261126-aaaaaaaa", POLICY);
    const inStaging = first
      .account(STAGING)
      .openSession(`arn:aws:sts::${STAGING}:assumed-role/jit-alice/alice`, "i-0stg0000000000001");

    // Act
    const second = organization();
    const { unreachable } = keepAccountsOnDisk(second, dir);

    // Assess
    expect(unreachable).toEqual([]);
    expect(second.leftoverGrants()).toEqual([
      `${HUB} ${HUB_ALICE} jit-20261126-aaaaaaaa`,
      `${STAGING} ${STAGING_ALICE} jit-20261126-aaaaaaaa`,
    ]);
    expect(second.account(STAGING).sessions.get(inStaging.sessionId)).toMatchObject({
      accountId: STAGING,
      status: "Connected",
    });
    expect(Object.keys(JSON.parse(readFileSync(accountsFile(dir), "utf8")).accounts)).toEqual([HUB, STAGING]);
  });

  it("reads an older folder's account.json as the hub's, and replaces it with accounts.json at the first save", async () => {
    // Prepare: what a sandbox of one account wrote (its sessions carry no account).
    const dir = dataDir();
    writeFileSync(
      join(dir, "account.json"),
      JSON.stringify({
        policies: { [HUB_ALICE]: { "jit-20261126-bbbbbbbb": JSON.stringify(POLICY) } },
        sessions: [
          {
            sessionId: "alice-0123456789abcdef0",
            target: "i-0hub0000000000001",
            owner: "alice",
            status: "Connected",
          },
        ],
      }),
    );
    const restored = organization();

    // Act
    const { save } = keepAccountsOnDisk(restored, dir);

    // Assess
    expect(restored.leftoverGrants()).toEqual([`${HUB} ${HUB_ALICE} jit-20261126-bbbbbbbb`]);
    expect(restored.account(HUB).sessions.get("alice-0123456789abcdef0")?.accountId).toBe(HUB);
    save();
    expect(existsSync(join(dir, "account.json"))).toBe(false);
    expect(JSON.parse(readFileSync(accountsFile(dir), "utf8")).accounts[HUB].policies).toEqual({
      [HUB_ALICE]: { "jit-20261126-bbbbbbbb": JSON.stringify(POLICY) },
    });
  });

  it("keeps, untouched, a saved account the config no longer spans, and names it when it holds grants", async () => {
    // Prepare
    const dir = dataDir();
    const before = organization();
    keepAccountsOnDisk(before, dir);
    await before.account(STAGING).putGrant(role(STAGING_ALICE), "jit-20261126-cccccccc", POLICY);

    // Act: the config spans the hub alone now.
    const after = organization([]);
    const { save, unreachable } = keepAccountsOnDisk(after, dir);
    save();

    // Assess
    expect(unreachable).toEqual([STAGING]);
    expect(JSON.parse(readFileSync(accountsFile(dir), "utf8")).accounts[STAGING].policies).toEqual({
      [STAGING_ALICE]: { "jit-20261126-cccccccc": JSON.stringify(POLICY) },
    });
  });
});
