/**
 * What reaches the caller of `send` when a member account's credentials cannot be had (issue 12),
 * on real SDK clients: the whole middleware stack runs (no aws-sdk-client-mock, which replaces
 * `send`), and a request handler that records every request stands where the network would be.
 * The SDK resolves the identity before it signs, so a provider that throws stops the call there.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import { SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { AccountCredentials, type AssumeRoleRequest } from "../../../adapters/aws/accounts.ts";
import { TransientAwsError } from "../../../adapters/aws/errors.ts";
import { IamBroker } from "../../../adapters/aws/iam.ts";
import { SsmSessions } from "../../../adapters/aws/ssm.ts";
import { AccountUnreachableError } from "../../../core/accounts.ts";
import type { PolicyDocument } from "../../../core/policy.ts";
import type { Principal } from "../../../core/principal.ts";
import { HUB, STAGING, STAGING_ALICE } from "../../helpers/accounts.ts";

const alice: Principal = { kind: "role", arn: STAGING_ALICE, name: "jit-alice" };
const doc: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "A", Effect: "Allow", Action: "ssm:DescribeSessions", Resource: "*" }],
};

/** STS answering every AssumeRole with the error `name`, counting the calls. */
function refusingSts(name: string) {
  const calls: AssumeRoleRequest[] = [];
  const assumeRole = async (request: AssumeRoleRequest) => {
    calls.push(request);
    throw Object.assign(new Error(`${name} from STS`), { name, $metadata: { httpStatusCode: 400 } });
  };
  return { calls, assumeRole };
}

/** Where the network would be: records each request and fails it, so a request sent is seen. */
function recordingHandler() {
  const sent: string[] = [];
  return {
    sent,
    handler: {
      handle: async (request: { hostname?: string }) => {
        sent.push(request.hostname ?? "?");
        throw new Error("no network in unit tests");
      },
    },
  };
}

/** Real clients signing with the staging broker's credentials, which STS refuses with `stsError`. */
function clientsRefusedBySts(stsError: string) {
  const sts = refusingSts(stsError);
  const credentials = new AccountCredentials({
    hubAccountId: HUB,
    partition: "aws",
    sourceIdentity: "jit-grantAccess",
    assumeRole: sts.assumeRole,
    label: (id) => (id === STAGING ? `staging (${STAGING})` : id),
  }).provider(STAGING);
  const network = recordingHandler();
  const config = { region: "eu-west-1", credentials, requestHandler: network.handler };
  return { sts, network, iam: new IAMClient(config), ssm: new SSMClient(config) };
}

describe("a credentials provider's error, through real SDK clients", () => {
  it.each([
    [
      "IAM",
      (c: ReturnType<typeof clientsRefusedBySts>) =>
        new IamBroker([alice.arn], c.iam, { accountId: STAGING }).putGrant(alice, "jit-1", doc),
    ],
    [
      "SSM",
      (c: ReturnType<typeof clientsRefusedBySts>) =>
        new SsmSessions(["eu-west-1"], "eu-west-1", () => c.ssm, STAGING).liveSessions(alice),
    ],
  ])(
    "reaches the %s caller as the provider threw it, before any request and without a retry",
    async (_service, act) => {
      // Prepare
      const clients = clientsRefusedBySts("AccessDenied");
      // Act
      const error = await act(clients).catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(AccountUnreachableError);
      expect(error).toMatchObject({ name: "AccountUnreachableError", accountId: STAGING, reason: "denied" });
      expect((error as Error).message).toContain(`cannot act in account staging (${STAGING})`);
      expect(clients.network.sent).toEqual([]);
      expect(clients.sts.calls).toHaveLength(1);
    },
  );

  it("keeps a throttled AssumeRole's own name through call(), for the workflow to retry, and does not fold it into TransientAwsError", async () => {
    // Prepare
    const clients = clientsRefusedBySts("Throttling");
    const broker = new IamBroker([alice.arn], clients.iam, { accountId: STAGING });
    // Act
    const error = await broker.putGrant(alice, "jit-1", doc).catch((e: unknown) => e);
    // Assess
    expect(error).not.toBeInstanceOf(TransientAwsError);
    expect(error).toMatchObject({ name: "AccountThrottledError", accountId: STAGING, reason: "throttled" });
    expect(clients.network.sent).toEqual([]);
  });

  it("is the very object the provider threw (no SDK wrapper, no $metadata added)", async () => {
    // Prepare
    const thrown = new AccountUnreachableError(STAGING, "denied", "refused");
    const network = recordingHandler();
    const client = new IAMClient({
      region: "eu-west-1",
      credentials: async () => {
        throw thrown;
      },
      requestHandler: network.handler,
    });
    // Act
    const error = await new IamBroker([alice.arn], client, { accountId: STAGING })
      .listGrants(alice)
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBe(thrown);
    expect(Object.keys(error as object)).not.toContain("$metadata");
    expect(network.sent).toEqual([]);
  });

  it("lets a client that has credentials reach the network (the handler does record requests)", async () => {
    // Prepare: the same set-up with working credentials, so the assertions above can fail.
    const network = recordingHandler();
    const client = new IAMClient({
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIA", secretAccessKey: "s" },
      requestHandler: network.handler,
      maxAttempts: 1,
    });
    // Act
    await new IamBroker([alice.arn], client, { accountId: STAGING }).listGrants(alice).catch(() => undefined);
    // Assess
    expect(network.sent).toEqual(["iam.amazonaws.com"]);
  });
});
