/**
 * `jit identity-center commands [--config FILE]`: prints the one-time AWS CLI commands that reference
 * the shared role's base and slot policies from its permission set, then provision the set to this
 * account, for the caller to run in the management account (or Identity Center's delegated
 * administrator account). The stack does the same itself when the config gives both ARNs and it is
 * deployed from such an account; otherwise this is the way.
 *
 * Syntax, as AWS documents it:
 * - https://docs.aws.amazon.com/cli/latest/reference/sso-admin/attach-customer-managed-policy-reference-to-permission-set.html
 *   (`--instance-arn`, `--permission-set-arn`, `--customer-managed-policy-reference` a structure of
 *   Name and Path, given in the CLI's shorthand `Name=…,Path=…`);
 * - https://docs.aws.amazon.com/cli/latest/reference/sso-admin/provision-permission-set.html
 *   (`--target-type AWS_ACCOUNT | ALL_PROVISIONED_ACCOUNTS`, `--target-id` the 12-digit account).
 * A policy change on a permission set reaches the accounts' roles only when the set is provisioned
 * again (API_AttachManagedPolicyToPermissionSet: "you will need to call ProvisionPermissionSet after
 * this operation").
 */
import { loadConfigFile } from "../../adapters/config-file.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import { ValidationError } from "../../core/errors.ts";
import { parsePrincipalArn } from "../../core/principal.ts";
import { slotPolicyReferences } from "../../core/slots.ts";
import { configPath } from "../config-path.ts";
import type { Io } from "../io.ts";

const INSTANCE_PLACEHOLDER = "<INSTANCE_ARN>";
const PERMISSION_SET_PLACEHOLDER = "<PERMISSION_SET_ARN>";

/** The permission set's name as Identity Center writes it into its roles: AWSReservedSSO_<name>_<16 hex>. */
const permissionSetName = (roleArn: string): string | undefined =>
  /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(parsePrincipalArn(roleArn).name)?.[1];

/** The lines to print: shell comments and commands only, so the output can be pasted as it is. */
export function identityCenterCommandLines(config: AccessConfig): string[] {
  const shared = config.principals.sharedRole;
  if (!shared) {
    throw new ValidationError(
      "principals.sharedRole",
      "the configuration names no shared role, so there is no permission set to attach grant slots to",
    );
  }
  const instance = shared.identityCenter?.instanceArn ?? INSTANCE_PLACEHOLDER;
  const permissionSet = shared.identityCenter?.permissionSetArn ?? PERMISSION_SET_PLACEHOLDER;
  const target = `--instance-arn ${instance} --permission-set-arn ${permissionSet}`;
  const name = permissionSetName(shared.arn);
  const lines = [
    `# One time, after \`npx sst deploy\` has created these policies in account ${config.accountId}`,
    "# (provisioning fails in an account that lacks them). Run from the Organizations management account",
    "# or the IAM Identity Center delegated administrator account, in Identity Center's region.",
  ];
  if (!shared.identityCenter) {
    lines.push(
      `# ${INSTANCE_PLACEHOLDER}: aws sso-admin list-instances --query 'Instances[].InstanceArn' --output text`,
      `# ${PERMISSION_SET_PLACEHOLDER}: aws sso-admin list-permission-sets --instance-arn ${INSTANCE_PLACEHOLDER}, then`,
      `#   aws sso-admin describe-permission-set --instance-arn ${INSTANCE_PLACEHOLDER} --permission-set-arn <each>`,
      `#   to find the one named ${name ?? "as the role's AWSReservedSSO_<name>_… says"}${name ? ` (the role ${parsePrincipalArn(shared.arn).name} comes from it)` : ""}.`,
      "# With both in principals.sharedRole.identityCenter, a deploy from one of those accounts attaches them itself.",
    );
  }
  lines.push("# Reference the base policy and every grant slot from the permission set:");
  for (const { name: policy, path } of slotPolicyReferences(config)) {
    lines.push(
      `aws sso-admin attach-customer-managed-policy-reference-to-permission-set ${target} --customer-managed-policy-reference Name=${policy},Path=${path}`,
    );
  }
  lines.push(
    `# Apply the change to the role in account ${config.accountId}. The permission set now needs these policies in`,
    "# every account it is provisioned to: deploy them there too, or keep this set for this account.",
    `aws sso-admin provision-permission-set ${target} --target-type AWS_ACCOUNT --target-id ${config.accountId}`,
  );
  return lines;
}

export function identityCenterCommands(flags: { config?: string }, io: Io): number {
  for (const line of identityCenterCommandLines(loadConfigFile(configPath(flags.config)))) io.out(line);
  return 0;
}
