/**
 * The task functions reach member accounts as deployed (issue 12): the handler builds its own
 * dependencies from the bundled configuration (no useDeps), and AWS is aws-sdk-client-mock. A revoke
 * of a grant spanning the hub and staging deletes the policy in each: in the hub as the function, in
 * staging through staging's jit-broker, assumed with the function's own source identity. The front
 * doors build no way into another account at all.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeSessionsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { toItem } from "../../../adapters/aws/dynamodb.ts";
import { writeNormalizedConfig } from "../../../adapters/config-json.ts";
import type { Principal } from "../../../core/principal.ts";
import { entryFile } from "../../../stacks/entries.ts";
import { BROKER_CALLERS } from "../../../stacks/spoke-policies.ts";
import { HUB, multiAccountConfig, STAGING, STAGING_ALICE } from "../../helpers/accounts.ts";
import { captureLogs } from "../../helpers/logs.ts";
import { aRequest } from "../../helpers/requests.ts";

const hubAlice: Principal = {
  kind: "role",
  arn: `arn:aws:iam::${HUB}:role/oncall/jit-alice`,
  name: "jit-alice",
};
const stagingAlice: Principal = { kind: "role", arn: STAGING_ALICE, name: "jit-alice" };
const request = aRequest({
  profileId: "staging",
  principal: hubAlice,
  grants: [
    { accountId: HUB, principal: hubAlice },
    { accountId: STAGING, principal: stagingAlice },
  ],
  status: "REVOKED",
  grantedAt: "2026-11-26T09:05:00.000Z",
  expiresAt: "2026-11-26T10:05:00.000Z",
  endedAt: "2026-11-26T09:30:00.000Z",
  endedBy: "U01ALICE",
  version: 4,
});

const dynamo = mockClient(DynamoDBDocumentClient);
const iam = mockClient(IAMClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
/** Each IAM call with the access key that signed it (resolved as the SDK does before signing). */
const deletes: { role: string | undefined; key: string }[] = [];

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "jit-wiring-"));
  const configFile = join(dir, "access.config.json");
  writeNormalizedConfig(configFile, multiAccountConfig());
  vi.stubEnv("JIT_CONFIG", configFile);
  vi.stubEnv("TABLE_NAME", "jit-prod-Requests");
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAREVOKEFUNCTION");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "s");
  dynamo.on(GetCommand).resolves({ Item: toItem(request) });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIASTAGINGBROKER",
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  iam.on(DeleteRolePolicyCommand).callsFake(async (input, getClient) => {
    const { accessKeyId } = await getClient().config.credentials();
    deletes.push({ role: input.RoleName, key: accessKeyId });
    return {};
  });
  ssm.on(DescribeSessionsCommand).resolves({ Sessions: [] });
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe("the revoke-access function, wired as deployed", () => {
  it("deletes the grant in the hub as itself and in staging through the broker, as jit-revokeAccess", async () => {
    // Prepare
    captureLogs();
    const { handler } = await import("../../../functions/revoke-access.ts");
    // Act
    const result = await handler({ requestId: request.id, actor: "U01ALICE" }, {} as Context);
    // Assess
    expect(result).toMatchObject({ policyDeleted: true, terminatedSessions: [] });
    expect(deletes).toEqual([
      { role: "jit-alice", key: "AKIAREVOKEFUNCTION" },
      { role: "jit-alice", key: "ASIASTAGINGBROKER" },
    ]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${STAGING}:role/jit-broker`,
        RoleSessionName: "jit-revokeAccess",
        SourceIdentity: "jit-revokeAccess",
        DurationSeconds: 3600,
      },
    ]);
  });
});

describe("each function's way into other accounts", () => {
  const source = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8");

  it.each(BROKER_CALLERS)("%s builds account ports with its own name as source identity", (fn) => {
    expect(source(entryFile(fn))).toContain(`awsAccountPorts(config, { sourceIdentity: "jit-${fn}" })`);
  });

  it.each(["slack", "api"] as const)("the %s front door builds none, and no broker", (fn) => {
    // Act
    const text = source(entryFile(fn));
    // Assess
    expect(text).not.toMatch(/account-ports|accounts\.ts|awsAccountPorts|IamBroker|\baccounts:/);
  });
});
