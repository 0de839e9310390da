/**
 * The sandbox fleet: managed nodes in each account of the example organization, tagged to match the
 * example profiles, plus one that none of them selects. JIT_NODES may name a JSON file with another
 * fleet (`[{ "id", "region", "tags", "account" }]`); a node's `account` is a name from the config's
 * `accounts` or an account id, and the hub's account when absent (so a fleet file written before
 * there were several accounts still puts every node in the hub).
 */
import { readFileSync } from "node:fs";
import type { SandboxNode } from "../adapters/local/account.ts";
import type { AccessConfig } from "../core/config/load.ts";

/** A node and the account it is in (a name or an id; the hub's when absent). */
export interface FleetNode extends SandboxNode {
  account?: string;
}

/** The hub's (prod's) nodes. */
export const EXAMPLE_FLEET: SandboxNode[] = [
  { id: "i-0web1000000000001", region: "eu-west-1", tags: { Name: "web-1", Env: "prod", App: "web" } },
  { id: "i-0web2000000000002", region: "eu-west-1", tags: { Name: "web-2", Env: "prod", App: "web" } },
  { id: "i-0db10000000000003", region: "eu-west-1", tags: { Name: "db-1", Env: "prod", Role: "db-primary" } },
  {
    id: "i-0db20000000000004",
    region: "eu-central-1",
    tags: { Name: "db-2", Env: "prod", Role: "db-replica" },
  },
  { id: "i-0stg1000000000005", region: "eu-west-1", tags: { Name: "staging-1", Env: "staging", App: "web" } },
  {
    id: "mi-0sbx100000000006",
    region: "eu-west-1",
    tags: { Name: "sandbox-1", Env: "sandbox", Owner: "team-a" },
  },
  { id: "i-0ops1000000000007", region: "eu-west-1", tags: { Name: "ops-1", Env: "ops" } },
];

/** The nodes of the example's other accounts: staging's web servers in two regions, the lab's nodes. */
export const EXAMPLE_MEMBER_FLEET: FleetNode[] = [
  {
    id: "i-0sweb100000000011",
    region: "eu-west-1",
    tags: { Name: "stg-web-1", Env: "staging", App: "web" },
    account: "staging",
  },
  {
    id: "i-0sweb200000000012",
    region: "eu-central-1",
    tags: { Name: "stg-web-2", Env: "staging", App: "web" },
    account: "staging",
  },
  {
    id: "i-0sdb1000000000013",
    region: "eu-west-1",
    tags: { Name: "stg-db-1", Env: "staging", Role: "db-primary" },
    account: "staging",
  },
  { id: "i-0lab1000000000021", region: "eu-west-1", tags: { Name: "lab-1", Env: "lab" }, account: "sandbox" },
  { id: "i-0lab2000000000022", region: "eu-west-1", tags: { Name: "lab-2", Env: "lab" }, account: "sandbox" },
];

/** The fleet split by account: the hub's nodes, and every other account's by id. */
export interface Fleets {
  nodes: SandboxNode[];
  memberNodes: Record<string, SandboxNode[]>;
}

/** A fleet that cannot be placed: a node in an account the config does not name, an id twice in one account. */
export class FleetError extends Error {
  override name = "FleetError";
}

/**
 * Puts each node in its account. `lenient` drops nodes of accounts the config does not name (the
 * built-in fleet under another config); otherwise such a node is refused with the accounts there are.
 */
export function fleetsOf(config: AccessConfig, fleet: FleetNode[], lenient = false): Fleets {
  const named = config.accounts ?? {};
  const idOf = (account: string | undefined) =>
    account === undefined
      ? config.accountId
      : (named[account] ?? (/^\d{12}$/.test(account) ? account : undefined));
  const fleets: Fleets = { nodes: [], memberNodes: {} };
  const seen = new Set<string>();
  for (const { account, ...node } of fleet) {
    const accountId = idOf(account);
    if (accountId === undefined) {
      if (lenient) continue;
      const known = Object.keys(named).join(", ") || `only the hub's ${config.accountId}`;
      throw new FleetError(
        `node ${node.id} is in account "${account}", which the config does not name (${known})`,
      );
    }
    if (seen.has(`${accountId}/${node.id}`))
      throw new FleetError(
        `node ${node.id} is listed twice in account ${accountId}: a node id is unique in its account`,
      );
    seen.add(`${accountId}/${node.id}`);
    if (accountId === config.accountId) fleets.nodes.push(node);
    else fleets.memberNodes[accountId] = [...(fleets.memberNodes[accountId] ?? []), node];
  }
  return fleets;
}

/** The example organization's fleet, as the config at hand names its accounts. */
export const exampleFleets = (config: AccessConfig): Fleets =>
  fleetsOf(config, [...EXAMPLE_FLEET, ...EXAMPLE_MEMBER_FLEET], true);

/** The sandbox's fleet: JIT_NODES's file, else the example's. */
export function sandboxFleets(config: AccessConfig): Fleets {
  const file = process.env.JIT_NODES;
  if (!file) return exampleFleets(config);
  const listed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(listed)) throw new FleetError(`JIT_NODES (${file}) must hold a JSON array of nodes`);
  return fleetsOf(config, listed as FleetNode[]);
}
