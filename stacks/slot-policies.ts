/**
 * The customer-managed policies a shared role's grants live in, and how they reach its permission set.
 * Pure: stacks/identity-center.ts turns these into resources.
 *
 * Identity Center roles (`AWSReservedSSO_*`) are protected: IAM refuses PutRolePolicy and
 * AttachRolePolicy on them ("this role is only modifiable by AWS"). A permission set may instead
 * reference customer-managed policies by name and path, and each account must hold a policy of that
 * name and path (AWS: CustomerManagedPolicyReference, "You must have an IAM policy that matches the
 * name and path in each AWS account where you want to deploy your permission set",
 * https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CustomerManagedPolicyReference.html).
 * So the stack creates them, with names and path from core/slots.ts, before anything references them.
 */
import type { AccessConfig } from "../core/config/load.ts";
import type { PolicyDocument } from "../core/policy.ts";
import { BASE_POLICY_NAME, basePolicyDocument, emptySlot, slotPolicyReferences } from "../core/slots.ts";
import { retainedIn } from "./notices-policies.ts";

/** One managed policy to create. */
export interface ManagedPolicySpec {
  /** The stack's logical name of the resource (unique in the stack). */
  resourceName: string;
  name: string;
  path: string;
  /** The document it is created with. */
  document: PolicyDocument;
  /** The grant functions rewrite it at run time (a slot); the base is the stack's alone. */
  runtimeDocument: boolean;
}

const logicalName = (policyName: string): string =>
  policyName
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

/** The base policy and the slots of the shared role; none without a shared role. */
export function slotPolicySpecs(config: AccessConfig): ManagedPolicySpec[] {
  if (!config.principals.sharedRole) return [];
  return slotPolicyReferences(config).map(({ name, path }) => {
    const base = name === BASE_POLICY_NAME;
    return {
      resourceName: logicalName(name),
      name,
      path,
      document: base ? basePolicyDocument(config) : emptySlot(),
      runtimeDocument: !base,
    };
  });
}

/**
 * Pulumi resource options of one of these policies (SST v4 passes a raw Pulumi resource's options as
 * its constructor's third argument, `opts?: pulumi.CustomResourceOptions`; SST's own components set
 * `ignoreChanges` the same way, e.g. .sst/platform/src/components/aws/apigatewayv2.ts).
 *
 * - A slot's `policy` is ignored after creation: the grant functions write new default versions of it
 *   (CreatePolicyVersion with SetAsDefault) while grants are live, and a deploy must neither put the
 *   placeholder back over live grants nor fail on the drift. Pulumi's `ignoreChanges` keeps the
 *   created value for the listed inputs (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/).
 * - The base is the stack's alone: its document follows the config (the regions) on every deploy.
 * - Production keeps them on removal, like the topic, its key and the session logs: SST's
 *   `removal: "retain"` covers only tables, buckets and databases (.sst/platform/src/auto/run.ts).
 */
export function managedPolicyOptions(spec: ManagedPolicySpec, production: boolean) {
  return { ...retainedIn(production), ignoreChanges: spec.runtimeDocument ? ["policy"] : [] };
}

/** One customer-managed policy reference to attach to the permission set. */
export interface PermissionSetAttachment {
  resourceName: string;
  instanceArn: string;
  permissionSetArn: string;
  reference: { name: string; path: string };
}

/**
 * The references to attach when the config names the Identity Center instance and permission set;
 * none otherwise (the one-time commands of `jit identity-center commands` do it instead).
 */
export function permissionSetAttachments(config: AccessConfig): PermissionSetAttachment[] {
  const identityCenter = config.principals.sharedRole?.identityCenter;
  if (!identityCenter) return [];
  return slotPolicyReferences(config).map((reference) => ({
    resourceName: `${logicalName(reference.name)}OnPermissionSet`,
    instanceArn: identityCenter.instanceArn,
    permissionSetArn: identityCenter.permissionSetArn,
    reference,
  }));
}
