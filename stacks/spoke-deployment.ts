/**
 * How the hub deploys the spoke (issue 12), decided purely from the config: a CloudFormation StackSet
 * with service-managed permissions (AWS Organizations creates the roles StackSets needs in each
 * account), to the configured OUs, in the home region and every region a profile spanning a member
 * account names, with automatic deployment to accounts that join the OUs later ("StackSets
 * automatically deploys additional stack instances to AWS Organizations accounts that are added to a
 * target organization or organizational unit",
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.CfnStackSet.AutoDeploymentProperty.html).
 * From a delegated administrator, every call says CallAs DELEGATED_ADMIN; from the management account,
 * SELF (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html).
 * stacks/spokes.ts turns this into resources.
 */
import { accountDisplay, memberAccountIds, profileAccountIds } from "../core/accounts.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { INLINE_POLICY_QUOTA, policySize } from "../core/policy.ts";
import { asPolicyDocument } from "./permissions.ts";
import { brokerPermissionsIn } from "./spoke-policies.ts";
import { spokeTemplate } from "./spoke-template.ts";

/** CloudFormation's limit on a template passed inline (TemplateBody), in bytes. */
export const TEMPLATE_BODY_LIMIT = 51_200;

/** Everything the StackSet and its instances need, or undefined when the config spans one account. */
export interface SpokeDeployment {
  templateBody: string;
  organizationalUnits: string[];
  /** Home first: the roles are made there, and the other regions' rules name the forwarder role. */
  regions: string[];
  /** StackSets' CallAs: SELF from the management account, DELEGATED_ADMIN from a delegated administrator. */
  callAs: "SELF" | "DELEGATED_ADMIN";
}

/** The spoke's deployment for this config and home region; throws when the template is too large. */
export function spokeDeployment(
  config: AccessConfig,
  home: string,
  revocable: string[] = [],
): SpokeDeployment | undefined {
  const members = new Set(memberAccountIds(config));
  if (members.size === 0 || !config.organization) return undefined;
  const spanning = Object.values(config.profiles).filter((p) =>
    profileAccountIds(config, p).some((id) => members.has(id)),
  );
  const others = [...new Set(spanning.flatMap((p) => p.regions))].filter((r) => r !== home).sort();
  assertBrokerPoliciesFit(config, revocable);
  const templateBody = JSON.stringify(spokeTemplate(config, home, revocable));
  const size = Buffer.byteLength(templateBody);
  if (size > TEMPLATE_BODY_LIMIT) {
    throw new Error(
      `the spoke template is ${size} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT} for a template body: fewer slots or principals in principals.accounts would shrink it`,
    );
  }
  return {
    templateBody,
    organizationalUnits: config.organization.organizationalUnits,
    regions: [home, ...others],
    callAs: config.organization.deployFrom === "management-account" ? "SELF" : "DELEGATED_ADMIN",
  };
}

/**
 * Throws when an account's broker policy would pass IAM's 10,240 characters for a role's inline
 * policies: CloudFormation would fail there, in the middle of a StackSet rollout. Measured with the
 * account's own id in place of `${AWS::AccountId}` (shorter, so this errs on the safe side).
 */
function assertBrokerPoliciesFit(config: AccessConfig, revocable: string[]): void {
  for (const id of memberAccountIds(config)) {
    const size = policySize(JSON.stringify(asPolicyDocument(brokerPermissionsIn(config, id, revocable))));
    if (size > INLINE_POLICY_QUOTA) {
      throw new Error(
        `the broker's policy in ${accountDisplay(config, id)} would be ${size} characters, over IAM's ${INLINE_POLICY_QUOTA} for a role's inline policies: that account has too many one-person principals; move people to its sharedRole`,
      );
    }
  }
}
