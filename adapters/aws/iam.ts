/**
 * IAM adapter: the `jit-*` inline policies on roles and users, and the versions of the
 * customer-managed slot policies under `/jit/` (a shared role's grants). It writes and deletes
 * nothing else, and refuses any principal the configuration does not name.
 *
 * One broker acts in one account (issue 12): the hub's with the function's own credentials, a member's
 * through its `jit-broker` role (account-ports.ts). The inline-policy calls name a role or user by name
 * alone (RoleName, "the name of the role to associate the policy with",
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html), and IAM looks that name
 * up in the account of the credentials. A principal of another account would therefore reach a
 * same-named role here: a broker that knows its account refuses it before any call.
 */
import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  type IAMClientConfig,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  type PolicyVersion,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { NotAuthorizedError } from "../../core/errors.ts";
import {
  assertOurs,
  encodePolicy,
  POLICY_PREFIX,
  type PolicyDocument,
  policySize,
} from "../../core/policy.ts";
import type { AccessBroker, AttachedGrant } from "../../core/ports.ts";
import { type Principal, parsePrincipalArn } from "../../core/principal.ts";
import { isIdentityCenterRole, MANAGED_POLICY_QUOTA, MAX_POLICY_VERSIONS } from "../../core/slots.ts";
import { call, errorName } from "./errors.ts";

/** A customer-managed policy directly under the path `/jit/` of one account, in any partition. */
const SLOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):policy\/jit\/[\w+=,.@-]{1,128}$/;

/**
 * The guard on every slot read and write: only `arn:<partition>:iam::<account>:policy/jit/<name>`.
 * Anything else (an AWS managed policy, another path) is refused with NotAuthorizedError before a call.
 */
export function assertSlotArn(policyArn: string): void {
  if (!SLOT_ARN.test(policyArn)) {
    throw new NotAuthorizedError(
      `${policyArn} is not a customer-managed policy under /jit/; it is not ours to read or change`,
    );
  }
}

/**
 * Refuses an inline write on a role Identity Center provisions (`AWSReservedSSO_*`), before the call:
 * AWS refuses it anyway with UnmodifiableEntity, "Cannot perform the operation on the protected role
 * '…' - this role is only modifiable by AWS"
 * (https://repost.aws/knowledge-center/identity-center-aws-reserved-sso). Grants there live in slots.
 */
export function assertNotIdentityCenterRole(principal: Principal): void {
  if (isIdentityCenterRole(principal.arn)) {
    throw new NotAuthorizedError(
      `${principal.arn} is an Identity Center role: AWS refuses inline policy writes on it (UnmodifiableEntity: this role is only modifiable by AWS); its grants belong in the customer-managed slot policies /jit/jit-grants-N`,
    );
  }
}

/**
 * IAM's LimitExceeded on a policy write (the document is too large, or the policy already has five
 * versions) is a refusal, not throttling; the SDK names it LimitExceededException, which `call()`
 * would retry as transient. Renamed `LimitExceeded` (IAM's error code, as the sandbox throws it).
 */
function quotaRefusal(error: unknown): unknown {
  if (errorName(error) !== "LimitExceededException") return error;
  const refusal = new Error((error as Error).message, { cause: error });
  refusal.name = "LimitExceeded";
  return refusal;
}

const isNoSuchEntity = (error: unknown): boolean =>
  errorName(error) === "NoSuchEntityException" || errorName(error) === "NoSuchEntity";

/** Oldest first, by creation time, then by version number (two versions can share a second). */
const byAge = (a: PolicyVersion, b: PolicyVersion): number =>
  (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0) ||
  Number((a.VersionId ?? "").replace(/\D/g, "")) - Number((b.VersionId ?? "").replace(/\D/g, ""));

/**
 * The role or user name IAM is called with, taken from the ARN the guard checked (never from a
 * record's separate `name` field); a record whose two disagree is refused.
 */
function nameOf(principal: Principal): string {
  const name = parsePrincipalArn(principal.arn).name;
  if (name !== principal.name) {
    throw new NotAuthorizedError(`${principal.arn} does not name ${principal.name}; nothing was changed`);
  }
  return name;
}

const EMPTY: PolicyDocument = { Version: "2012-10-17", Statement: [] };

/**
 * An IAM client whose every call is bounded (3 s per attempt, 2 attempts), so one slot write (a list,
 * up to two deletes, a create) ends well inside the slot lease's write margin: a writer cannot stall
 * past its lease and write over the next one. A class, so AccountClients keeps one per account.
 */
export class BoundedIAMClient extends IAMClient {
  constructor(config: IAMClientConfig = {}) {
    super({
      ...config,
      maxAttempts: 2,
      requestHandler: { requestTimeout: 3_000, connectionTimeout: 1_000 },
    });
  }
}

/** Where a broker acts: its account, when it knows it (every broker the functions build does). */
export interface IamBrokerOptions {
  accountId?: string | undefined;
}

/** The AccessBroker on AWS IAM: inline `jit-*` policies for one-person principals, `/jit/` slots for shared roles. */
export class IamBroker implements AccessBroker {
  private readonly clientFor: () => IAMClient;
  private kept: IAMClient | undefined;
  private readonly allowed: ReadonlySet<string>;
  private readonly accountId: string | undefined;

  /**
   * `allowedArns`: the principals the configuration names; any other is refused before a call.
   * `client`: the client, or a factory asked on the first call (a member's client is made only when
   * the broker is used). `accountId`: the account the client's credentials act in.
   */
  constructor(
    allowedArns: Iterable<string>,
    client: IAMClient | (() => IAMClient) = () => new BoundedIAMClient(),
    options: IamBrokerOptions = {},
  ) {
    this.clientFor = typeof client === "function" ? client : () => client;
    this.allowed = new Set(allowedArns);
    this.accountId = options.accountId;
  }

  private get client(): IAMClient {
    this.kept ??= this.clientFor();
    return this.kept;
  }

  /**
   * Refuses an ARN of another account than this broker's: IAM would look its name up here and act on
   * a same-named role, user or policy of the wrong account.
   */
  private assertHere(arn: string, accountId: string): void {
    if (this.accountId !== undefined && accountId !== this.accountId) {
      throw new NotAuthorizedError(
        `${arn} is in account ${accountId}, not ${this.accountId} where this broker acts; nothing was changed`,
      );
    }
  }

  private assertPrincipalHere(principal: Principal): void {
    if (this.accountId === undefined) return;
    this.assertHere(principal.arn, parsePrincipalArn(principal.arn).accountId);
  }

  /** A slot of this broker's account only, under `/jit/` only. */
  private assertSlotHere(policyArn: string): void {
    assertSlotArn(policyArn);
    this.assertHere(policyArn, SLOT_ARN.exec(policyArn)?.[1] ?? "");
  }

  /** Writes that grant access: only principals today's configuration names, only `jit-*` names. */
  private check(principal: Principal, policyName?: string): void {
    this.assertPrincipalHere(principal);
    assertOurs(this.allowed, principal, policyName);
  }

  /**
   * Taking access away, and reading: any principal a request record names, even one the configuration
   * no longer has (an offboarded person's grant must stay revocable), but only `jit-*` policies. The
   * stack's IAM permissions bound the principals to the configured ones plus those with open records.
   */
  private checkRemoval(principal: Principal, policyName: string): void {
    this.assertPrincipalHere(principal);
    assertOurs(undefined, principal, policyName);
  }

  private checkRead(principal: Principal): void {
    this.assertPrincipalHere(principal);
    assertOurs(undefined, principal);
  }

  async putGrant(principal: Principal, policyName: string, document: PolicyDocument): Promise<void> {
    this.check(principal, policyName);
    assertNotIdentityCenterRole(principal);
    const PolicyDocument = encodePolicy(document);
    await call("PutPolicy", () =>
      principal.kind === "user"
        ? this.client.send(
            new PutUserPolicyCommand({ UserName: nameOf(principal), PolicyName: policyName, PolicyDocument }),
          )
        : this.client.send(
            new PutRolePolicyCommand({ RoleName: nameOf(principal), PolicyName: policyName, PolicyDocument }),
          ),
    );
  }

  async deleteGrant(principal: Principal, policyName: string): Promise<boolean> {
    this.checkRemoval(principal, policyName);
    assertNotIdentityCenterRole(principal);
    try {
      await call("DeletePolicy", () =>
        principal.kind === "user"
          ? this.client.send(
              new DeleteUserPolicyCommand({ UserName: nameOf(principal), PolicyName: policyName }),
            )
          : this.client.send(
              new DeleteRolePolicyCommand({ RoleName: nameOf(principal), PolicyName: policyName }),
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
          ? this.client.send(new ListUserPoliciesCommand({ UserName: nameOf(principal), Marker }))
          : this.client.send(new ListRolePoliciesCommand({ RoleName: nameOf(principal), Marker })),
      );
      names.push(...(page.PolicyNames ?? []));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return names;
  }

  private async document(principal: Principal, policyName: string): Promise<string> {
    const result = await call<{ PolicyDocument?: string }>("GetPolicy", () =>
      principal.kind === "user"
        ? this.client.send(new GetUserPolicyCommand({ UserName: nameOf(principal), PolicyName: policyName }))
        : this.client.send(new GetRolePolicyCommand({ RoleName: nameOf(principal), PolicyName: policyName })),
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

  /**
   * The slot's default version's document (GetPolicy for its id, then GetPolicyVersion); undefined
   * when the policy does not exist. A default that another writer replaced and pruned between the two
   * calls is read again.
   */
  async readSlot(policyArn: string): Promise<PolicyDocument | undefined> {
    this.assertSlotHere(policyArn);
    for (let attempt = 1; ; attempt++) {
      let versionId: string | undefined;
      try {
        const policy = await call("GetPolicy", () =>
          this.client.send(new GetPolicyCommand({ PolicyArn: policyArn })),
        );
        versionId = policy.Policy?.DefaultVersionId;
      } catch (error) {
        if (isNoSuchEntity(error)) return undefined;
        throw error;
      }
      try {
        const version = await call("GetPolicyVersion", () =>
          this.client.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })),
        );
        // Like inline policies, IAM returns the document URL-encoded (RFC 3986).
        return JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? "")) as PolicyDocument;
      } catch (error) {
        if (!isNoSuchEntity(error) || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Makes `document` the slot's default version. IAM keeps at most five versions of a managed policy,
   * and CreatePolicyVersion on a sixth fails with LimitExceeded: "If the policy has five versions, you
   * must delete an existing version using DeletePolicyVersion before you create a new version"
   * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html). So the oldest
   * non-default version goes first; the default one cannot be deleted that way
   * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicyVersion.html), and it is the
   * one granting now. A document over IAM's 6,144-character managed-policy limit
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html) is refused with
   * LimitExceeded before any call, so nothing is pruned for a write that cannot land. Callers hold the
   * slot's lease: IAM has no compare-and-set on versions.
   */
  async writeSlot(policyArn: string, document: PolicyDocument): Promise<void> {
    this.assertSlotHere(policyArn);
    const text = encodePolicy(document);
    const size = policySize(text);
    if (size > MANAGED_POLICY_QUOTA) {
      // IAM's own words for this refusal: "Cannot exceed quota for PolicySize: 6144".
      const refusal = new Error(
        `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_QUOTA} (${policyArn} would hold ${size} characters)`,
      );
      refusal.name = "LimitExceeded";
      throw refusal;
    }
    const versions = await this.policyVersions(policyArn);
    const prunable = versions.filter((v) => !v.IsDefaultVersion).sort(byAge);
    // Room for two: ours, and a duplicate of it should the SDK resend CreatePolicyVersion after a
    // lost response (a sixth version would be refused although the write landed).
    const excess = versions.length - (MAX_POLICY_VERSIONS - 2);
    for (const old of prunable.slice(0, Math.max(0, excess))) {
      try {
        await call("DeletePolicyVersion", () =>
          this.client.send(
            new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: old.VersionId }),
          ),
        );
      } catch (error) {
        // Already gone: a writer whose lease expired pruned it. The room is there all the same.
        if (!isNoSuchEntity(error)) throw error;
      }
    }
    try {
      await call("CreatePolicyVersion", async () => {
        try {
          return await this.client.send(
            new CreatePolicyVersionCommand({
              PolicyArn: policyArn,
              PolicyDocument: text,
              SetAsDefault: true,
            }),
          );
        } catch (error) {
          throw quotaRefusal(error);
        }
      });
    } catch (error) {
      // Refused at the version limit: if the default already is our document, an earlier attempt of
      // this very write landed (its response was lost) and the refusal is of the duplicate.
      if (
        errorName(error) === "LimitExceeded" &&
        encodePolicy((await this.readSlot(policyArn)) ?? EMPTY) === text
      )
        return;
      throw error;
    }
  }

  private async policyVersions(policyArn: string): Promise<PolicyVersion[]> {
    const versions: PolicyVersion[] = [];
    let Marker: string | undefined;
    do {
      const page = await call("ListPolicyVersions", () =>
        this.client.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn, Marker })),
      );
      versions.push(...(page.Versions ?? []));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return versions;
  }
}
