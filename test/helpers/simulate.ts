/**
 * Evaluates real policy documents with @cloud-copilot/iam-simulate (a dev dependency: AGPL, never in a
 * Lambda bundle). Context keys that IAM fills in from the request are passed explicitly.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";

export interface SimulateInput {
  principalArn: string;
  action: string;
  resource: string;
  accountId?: string;
  policies: { name: string; policy: unknown }[];
  /** The resource's own policy (a KMS key policy, say); KMS honours IAM policies only through one. */
  resourcePolicy?: unknown;
  context: Record<string, string | string[]>;
}

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Runs one simulation and returns IAM's decision; a validation error of the simulator fails loudly. */
export async function decide(input: SimulateInput): Promise<Decision> {
  const accountId = input.accountId ?? "123456789012";
  const response = await runSimulation(
    {
      request: {
        principal: input.principalArn,
        action: input.action,
        resource: { resource: input.resource, accountId },
        contextVariables: input.context,
      },
      identityPolicies: input.policies,
      resourcePolicy: input.resourcePolicy,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === "error") {
    throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  }
  if (response.resultType !== "single") throw new Error(`unexpected ${response.resultType} simulation`);
  return response.overallResult as Decision;
}
