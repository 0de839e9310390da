/**
 * The broker role's policy in the spoke template (issue 12). One template serves every member account,
 * yet each account's broker must name only that account's principals: IAM caps a role's inline
 * policies at 10,240 characters, which a list of every account's principals would pass at about 200
 * of them, and least privilege wants no other account's names there anyway. So the principals sit in
 * template Mappings keyed by account id, and each inline-policy statement is taken in only where its
 * account has principals of that kind (Fn::If with AWS::NoValue drops it elsewhere, such as in an
 * account that joined the OUs without being in the config); the slot versions likewise only where a
 * shared role has slots. Pure.
 */
import { memberAccountIds } from "../core/accounts.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { asPolicyDocument } from "./permissions.ts";
import {
  brokerCommonPermissions,
  brokerInlineStatements,
  brokerSlotPermission,
  hasSharedRole,
} from "./spoke-policies.ts";
import { inAccounts, SHARED_ROLE_CONDITION } from "./spoke-slots.ts";

type Json = unknown;

/** Roles and users get different IAM actions; each kind has its own mapping and condition. */
interface Kind {
  actions: string[];
  byAccount: Record<string, { Arns: string[] }>;
}

/**
 * The broker's policy, its mappings and its conditions, for the template to take in. `revocable`:
 * principals the config dropped that still hold open requests (offboarding), kept revocable in
 * their account under a mapping of their own (Get, List, Delete; no Put).
 */
export function brokerPolicy(config: AccessConfig, revocable: string[] = []) {
  const kinds = new Map<string, Kind>();
  for (const id of memberAccountIds(config)) {
    for (const statement of brokerInlineStatements(config, id, revocable)) {
      const users = statement.actions.some((a) => a.includes("User"));
      const writes = statement.actions.some((a) => a.includes(":Put"));
      const kind = `${users ? "Users" : "Roles"}${writes ? "" : "Revocable"}`;
      const entry = kinds.get(kind) ?? { actions: statement.actions, byAccount: {} };
      entry.byAccount[id] = { Arns: statement.resources };
      kinds.set(kind, entry);
    }
  }
  const mappings: Record<string, Json> = {};
  const conditions: Record<string, Json> = {};
  const statements: Json[] = [];
  for (const [kind, { actions, byAccount }] of [...kinds].sort(([a], [b]) => a.localeCompare(b))) {
    const map = `Broker${kind}`;
    const condition = `Broker${kind}Here`;
    mappings[map] = byAccount;
    conditions[condition] = inAccounts(Object.keys(byAccount));
    statements.push({
      "Fn::If": [
        condition,
        {
          Effect: "Allow",
          Action: actions,
          Resource: { "Fn::FindInMap": [map, { Ref: "AWS::AccountId" }, "Arns"] },
        },
        { Ref: "AWS::NoValue" },
      ],
    });
  }
  // The slot versions only where a shared role has slots (spoke-slots.ts defines the condition).
  if (memberAccountIds(config).some((id) => hasSharedRole(config, id))) {
    const [slots] = asPolicyDocument([brokerSlotPermission(config)]).Statement;
    statements.push({ "Fn::If": [SHARED_ROLE_CONDITION, slots, { Ref: "AWS::NoValue" }] });
  }
  const common = asPolicyDocument(brokerCommonPermissions(config));
  return {
    document: { Version: common.Version, Statement: [...statements, ...common.Statement] },
    mappings,
    conditions,
  };
}
