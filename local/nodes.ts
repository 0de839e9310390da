/**
 * The sandbox fleet: managed nodes tagged to match the example profiles, plus one that none of them
 * selects. JIT_NODES may name a JSON file with another fleet (`[{ "id", "region", "tags" }]`).
 */
import { readFileSync } from "node:fs";
import type { SandboxNode } from "../adapters/local/account.ts";

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

export const sandboxFleet = (): SandboxNode[] =>
  process.env.JIT_NODES
    ? (JSON.parse(readFileSync(process.env.JIT_NODES, "utf8")) as SandboxNode[])
    : EXAMPLE_FLEET;
