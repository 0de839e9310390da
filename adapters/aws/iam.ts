/**
 * IAM adapter: the `jit-*` inline policies on roles and users. It writes and deletes nothing else,
 * and refuses any principal the configuration does not name.
 */
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  assertOurs,
  encodePolicy,
  POLICY_PREFIX,
  type PolicyDocument,
  policySize,
} from "../../core/policy.ts";
import type { AccessBroker, AttachedGrant } from "../../core/ports.ts";
import type { Principal } from "../../core/principal.ts";
import { call, errorName } from "./errors.ts";

export class IamBroker implements AccessBroker {
  private readonly client: IAMClient;
  private readonly allowed: ReadonlySet<string>;

  /** `allowedArns`: the principals the configuration names; any other is refused before a call. */
  constructor(allowedArns: Iterable<string>, client = new IAMClient({})) {
    this.client = client;
    this.allowed = new Set(allowedArns);
  }

  /** Writes that grant access: only principals today's configuration names, only `jit-*` names. */
  private check(principal: Principal, policyName?: string): void {
    assertOurs(this.allowed, principal, policyName);
  }

  /**
   * Taking access away, and reading: any principal a request record names, even one the configuration
   * no longer has (an offboarded person's grant must stay revocable), but only `jit-*` policies. The
   * stack's IAM permissions bound the principals to the configured ones plus those with open records.
   */
  private checkRemoval(principal: Principal, policyName: string): void {
    assertOurs(undefined, principal, policyName);
  }

  private checkRead(principal: Principal): void {
    assertOurs(undefined, principal);
  }

  async putGrant(principal: Principal, policyName: string, document: PolicyDocument): Promise<void> {
    this.check(principal, policyName);
    const PolicyDocument = encodePolicy(document);
    await call("PutPolicy", () =>
      principal.kind === "user"
        ? this.client.send(
            new PutUserPolicyCommand({ UserName: principal.name, PolicyName: policyName, PolicyDocument }),
          )
        : this.client.send(
            new PutRolePolicyCommand({ RoleName: principal.name, PolicyName: policyName, PolicyDocument }),
          ),
    );
  }

  async deleteGrant(principal: Principal, policyName: string): Promise<boolean> {
    this.checkRemoval(principal, policyName);
    try {
      await call("DeletePolicy", () =>
        principal.kind === "user"
          ? this.client.send(
              new DeleteUserPolicyCommand({ UserName: principal.name, PolicyName: policyName }),
            )
          : this.client.send(
              new DeleteRolePolicyCommand({ RoleName: principal.name, PolicyName: policyName }),
            ),
      );
      return true;
    } catch (error) {
      if (errorName(error) === "NoSuchEntityException" || errorName(error) === "NoSuchEntity") return false;
      throw error;
    }
  }

  private async policyNames(principal: Principal): Promise<string[]> {
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await call("ListPolicies", () =>
        principal.kind === "user"
          ? this.client.send(new ListUserPoliciesCommand({ UserName: principal.name, Marker }))
          : this.client.send(new ListRolePoliciesCommand({ RoleName: principal.name, Marker })),
      );
      names.push(...(page.PolicyNames ?? []));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return names;
  }

  private async document(principal: Principal, policyName: string): Promise<string> {
    const result = await call<{ PolicyDocument?: string }>("GetPolicy", () =>
      principal.kind === "user"
        ? this.client.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: policyName }))
        : this.client.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: policyName })),
    );
    // IAM returns the document URL-encoded (RFC 3986).
    return decodeURIComponent(result.PolicyDocument ?? "{}");
  }

  async inlinePolicySizes(principal: Principal): Promise<{ policyName: string; size: number }[]> {
    this.checkRead(principal);
    const names = await this.policyNames(principal);
    return Promise.all(
      names.map(async (policyName) => ({
        policyName,
        size: policySize(await this.document(principal, policyName)),
      })),
    );
  }

  async listGrants(principal: Principal): Promise<AttachedGrant[]> {
    this.checkRead(principal);
    const names = (await this.policyNames(principal)).filter((n) => n.startsWith(POLICY_PREFIX));
    return Promise.all(
      names.map(async (policyName) => ({
        policyName,
        document: JSON.parse(await this.document(principal, policyName)) as PolicyDocument,
      })),
    );
  }
}
