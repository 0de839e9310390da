/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The hub's side of several accounts (issue 12): the spoke StackSet (spoke-deployment.ts decides what
 * and where), its instances on the configured OUs, and the statement that lets the organization's
 * accounts put their Session Manager events on the hub's default bus. Nothing when the config spans
 * the hub's account alone.
 */
import type { AccessConfig } from "../core/config/load.ts";
import type { FunctionName } from "./entries.ts";
import { spokeDeployment } from "./spoke-deployment.ts";
import { BROKER_CALLERS, hubBusPermission, READER_CALLERS } from "./spoke-policies.ts";
import { READER_ROLES_PARAMETER, TRUSTED_ROLES_PARAMETER } from "./spoke-template.ts";

export function createSpokes(
  config: AccessConfig,
  home: string,
  functions: Record<FunctionName, sst.aws.Function>,
  /** Member-account principals the config dropped while they hold open requests (offboarding). */
  revocable: $util.Output<string[]>,
) {
  const deployment = spokeDeployment(config, home);
  if (!deployment || !config.organization) return undefined;
  // The roles of the functions that act in member accounts: the broker's trust names exactly these.
  const trusted = $util
    .all(BROKER_CALLERS.map((name) => functions[name].nodes.role.arn))
    .apply((arns) => arns.join(","));
  // The session-events function's role: the only one the reader's trust names.
  const readers = $util
    .all(READER_CALLERS.map((name) => functions[name].nodes.role.arn))
    .apply((arns) => arns.join(","));
  const stackSet = new aws.cloudformation.StackSet("Spokes", {
    name: `${$app.name}-${$app.stage}-spokes`,
    description: "JIT access spoke: the broker role and Session Manager event forwarding",
    permissionModel: "SERVICE_MANAGED",
    callAs: deployment.callAs,
    // Accounts that join the OUs later get the spoke at once; one that leaves loses it.
    autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
    // The template names its IAM roles (jit-broker, jit-event-forwarder).
    capabilities: ["CAPABILITY_NAMED_IAM"],
    // The same template with the dropped principals' revoke rights (known once the table is read).
    templateBody: revocable.apply((arns) => spokeDeployment(config, home, arns)?.templateBody ?? ""),
    parameters: { [TRUSTED_ROLES_PARAMETER]: trusted, [READER_ROLES_PARAMETER]: readers },
    managedExecution: { active: true },
  });
  const instances = new aws.cloudformation.StackInstances("SpokeInstances", {
    stackSetName: stackSet.name,
    callAs: deployment.callAs,
    deploymentTargets: { organizationalUnitIds: deployment.organizationalUnits },
    regions: deployment.regions,
    // Home first and one region at a time: the roles are made in home, and the other regions' rules
    // name the forwarder role.
    operationPreferences: {
      regionOrders: deployment.regions,
      regionConcurrencyType: "SEQUENTIAL",
      maxConcurrentPercentage: 100,
      failureTolerancePercentage: 0,
    },
  });
  const permission = hubBusPermission(config.organization.id);
  const bus = new aws.cloudwatch.EventPermission("SessionEventsFromTheOrganization", permission);
  return { stackSet, instances, bus };
}
