/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The shared role's grant slots and base policy as customer-managed policies (slot-policies.ts says
 * which and why), and, when the config names them, their references on the Identity Center
 * permission set.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { managedPolicyOptions, permissionSetAttachments, slotPolicySpecs } from "./slot-policies.ts";

export function createSlotPolicies(config: AccessConfig, production: boolean) {
  const policies = slotPolicySpecs(config).map(
    (spec) =>
      new aws.iam.Policy(
        spec.resourceName,
        {
          name: spec.name,
          path: spec.path,
          // A changed description replaces the policy: keep it constant.
          description: spec.runtimeDocument
            ? "JIT access grant slot of the shared role; its document is written by the grant functions"
            : "JIT access standing rights of the shared role: own sessions, read-only discovery",
          policy: JSON.stringify(spec.document),
        },
        managedPolicyOptions(spec, production),
      ),
  );
  // Identity Center's API answers only in the management account or the delegated administrator
  // account for Identity Center, and in the instance's region: these resources work only when this
  // stage is deployed there (the stack's account and home region). Each attachment also provisions the
  // permission set again to every account it is assigned to (the provider's note on
  // aws.ssoadmin.CustomerManagedPolicyAttachment), and provisioning fails in any assigned account that
  // lacks policies of these names: hence after the policies.
  const attachments = permissionSetAttachments(config).map(
    (a) =>
      new aws.ssoadmin.CustomerManagedPolicyAttachment(
        a.resourceName,
        {
          instanceArn: a.instanceArn,
          permissionSetArn: a.permissionSetArn,
          customerManagedPolicyReference: a.reference,
        },
        { dependsOn: policies, retainOnDelete: production },
      ),
  );
  return { policies, attachments };
}
