import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { TransientAwsError } from "../../../adapters/aws/errors.ts";
import { IamBroker } from "../../../adapters/aws/iam.ts";
import type { PolicyDocument } from "../../../core/policy.ts";
import type { Principal } from "../../../core/principal.ts";

const iam = mockClient(IAMClient);
const role: Principal = {
  kind: "role",
  arn: "arn:aws:iam::123456789012:role/oncall/jit-alice",
  name: "jit-alice",
};
const user: Principal = { kind: "user", arn: "arn:aws:iam::123456789012:user/bob", name: "bob" };
const stranger: Principal = { kind: "role", arn: "arn:aws:iam::123456789012:role/admin", name: "admin" };
const doc: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "A", Effect: "Allow", Action: "ssm:DescribeSessions", Resource: "*" }],
};
const broker = () => new IamBroker([role.arn, user.arn], new IAMClient({ region: "eu-west-1" }));

beforeEach(() => iam.reset());

describe("IamBroker", () => {
  it("puts the policy on a role by role name, compactly encoded", async () => {
    iam.on(PutRolePolicyCommand).resolves({});
    await broker().putGrant(role, "jit-r1", doc);
    expect(iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input).toEqual({
      RoleName: "jit-alice",
      PolicyName: "jit-r1",
      PolicyDocument: JSON.stringify(doc),
    });
  });

  it("puts the policy on an IAM user with the user call", async () => {
    iam.on(PutUserPolicyCommand).resolves({});
    await broker().putGrant(user, "jit-r1", doc);
    expect(iam.commandCalls(PutUserPolicyCommand)[0]?.args[0].input.UserName).toBe("bob");
  });

  it("refuses a principal the configuration does not name, before calling IAM", async () => {
    await expect(broker().putGrant(stranger, "jit-r1", doc)).rejects.toThrow(
      "arn:aws:iam::123456789012:role/admin is not a principal named in the configuration",
    );
    expect(iam.calls()).toHaveLength(0);
  });

  it("refuses a policy name that is not jit-*", async () => {
    await expect(broker().deleteGrant(role, "AdministratorAccess")).rejects.toThrow("is not a jit-* policy");
    expect(iam.calls()).toHaveLength(0);
  });

  it("treats deleting a missing policy as done", async () => {
    iam
      .on(DeleteRolePolicyCommand)
      .rejects(new NoSuchEntityException({ message: "not found", $metadata: {} }));
    expect(await broker().deleteGrant(role, "jit-r1")).toBe(false);
  });

  it("reports a delete that happened", async () => {
    iam.on(DeleteUserPolicyCommand).resolves({});
    expect(await broker().deleteGrant(user, "jit-r1")).toBe(true);
  });

  it("turns throttling into a TransientAwsError the workflow retries", async () => {
    iam
      .on(PutRolePolicyCommand)
      .rejects(
        Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } }),
      );
    await expect(broker().putGrant(role, "jit-r1", doc)).rejects.toBeInstanceOf(TransientAwsError);
  });

  it("passes a real refusal through unchanged", async () => {
    iam.on(PutRolePolicyCommand).rejects(
      Object.assign(new Error("not authorized"), {
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(broker().putGrant(role, "jit-r1", doc)).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("measures every inline policy across pages, decoding IAM's URL-encoded documents", async () => {
    iam
      .on(ListRolePoliciesCommand, { Marker: undefined })
      .resolves({ PolicyNames: ["baseline"], IsTruncated: true, Marker: "m1" })
      .on(ListRolePoliciesCommand, { Marker: "m1" })
      .resolves({ PolicyNames: ["jit-r1"], IsTruncated: false });
    iam
      .on(GetRolePolicyCommand, { PolicyName: "baseline" })
      .resolves({
        RoleName: "jit-alice",
        PolicyName: "baseline",
        PolicyDocument: encodeURIComponent('{ "a": "b c" }'),
      })
      .on(GetRolePolicyCommand, { PolicyName: "jit-r1" })
      .resolves({
        RoleName: "jit-alice",
        PolicyName: "jit-r1",
        PolicyDocument: encodeURIComponent(JSON.stringify(doc)),
      });
    const sizes = await broker().inlinePolicySizes(role);
    expect(sizes).toEqual([
      { policyName: "baseline", size: '{"a":"bc"}'.length },
      { policyName: "jit-r1", size: JSON.stringify(doc).length },
    ]);
    const grants = await broker().listGrants(role);
    expect(grants).toEqual([{ policyName: "jit-r1", document: doc }]);
  });
});
