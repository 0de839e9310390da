/**
 * The sandbox's AWS side on disk: every account's IAM and Session Manager state in one file of the
 * data folder, rewritten after each change, so a restart finds the grants and sessions it left.
 *
 * `accounts.json` holds `{ accounts: { <account id>: <snapshot> } }`. A data folder from before the
 * sandbox had several accounts holds `account.json`, the hub's snapshot alone: it is read as the
 * hub's, and replaced by `accounts.json` at the first save.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AccountSnapshot } from "../adapters/local/account.ts";
import type { SandboxOrganization } from "../adapters/local/organization.ts";

/** What accounts.json holds. */
export interface AccountsFile {
  accounts: Record<string, AccountSnapshot>;
}

/** The file of this data folder, and the one-account file of older ones. */
export const accountsFile = (dataDir: string): string => join(dataDir, "accounts.json");
const legacyFile = (dataDir: string): string => join(dataDir, "account.json");

/** Every account's snapshot, by id. */
export function snapshotOf(organization: SandboxOrganization): AccountsFile {
  return {
    accounts: Object.fromEntries([...organization.accounts].map(([id, account]) => [id, account.snapshot()])),
  };
}

/**
 * The saved snapshots by account id: accounts.json, else an older folder's account.json as the
 * hub's. Empty when the folder holds neither.
 */
export function readSaved(dataDir: string, hubAccountId: string): Record<string, AccountSnapshot> {
  if (existsSync(accountsFile(dataDir))) {
    const saved = JSON.parse(readFileSync(accountsFile(dataDir), "utf8")) as AccountsFile;
    return saved.accounts ?? {};
  }
  if (existsSync(legacyFile(dataDir)))
    return { [hubAccountId]: JSON.parse(readFileSync(legacyFile(dataDir), "utf8")) as AccountSnapshot };
  return {};
}

/**
 * Loads what the folder saved into the organization's accounts. Sessions saved before they carried
 * their account get the one they were saved under. Returns the saved accounts the organization does
 * not have (a config that no longer spans them), to be kept as they are.
 */
export function restoreSaved(
  organization: SandboxOrganization,
  dataDir: string,
): Record<string, AccountSnapshot> {
  const saved = readSaved(dataDir, organization.hubAccountId);
  const absent: Record<string, AccountSnapshot> = {};
  for (const [id, snapshot] of Object.entries(saved)) {
    const account = organization.accounts.get(id);
    if (!account) {
      absent[id] = snapshot;
      continue;
    }
    // Only an account of an organization stamps its id on sessions (a one-account sandbox leaves it out).
    const sessions = account.accountId
      ? snapshot.sessions.map((s) => ({ ...s, accountId: s.accountId ?? id }))
      : snapshot.sessions;
    account.restore({ ...snapshot, sessions });
  }
  return absent;
}

/**
 * Writes every account's state, and `kept` (saved accounts the config no longer spans) as it was;
 * to a temporary file first, so a crash mid-write loses nothing.
 */
export function saveAccounts(
  organization: SandboxOrganization,
  dataDir: string,
  kept: Record<string, AccountSnapshot> = {},
): void {
  const file = accountsFile(dataDir);
  const { accounts } = snapshotOf(organization);
  writeFileSync(`${file}.tmp`, JSON.stringify({ accounts: { ...kept, ...accounts } } satisfies AccountsFile));
  renameSync(`${file}.tmp`, file);
  rmSync(legacyFile(dataDir), { force: true });
}

/**
 * Restores the folder's state, then saves it after every change in any account. Returns the ids of
 * saved accounts that still hold grants but that the config no longer spans: nothing here reaches
 * them, so the sandbox says so.
 */
export function keepAccountsOnDisk(
  organization: SandboxOrganization,
  dataDir: string,
): { save: () => void; unreachable: string[] } {
  const kept = restoreSaved(organization, dataDir);
  const save = () => saveAccounts(organization, dataDir, kept);
  for (const account of organization.accounts.values()) account.onChange = save;
  const unreachable = Object.entries(kept)
    .filter(([, s]) => Object.values(s.policies ?? {}).some((p) => Object.keys(p).length > 0))
    .map(([id]) => id);
  return { save, unreachable };
}
