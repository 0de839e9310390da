/**
 * The signed API's own permissions and the policy its callers get, evaluated with iam-simulate: the
 * function records and starts executions and never touches IAM; a caller reaches it only through
 * its AWS_IAM URL, never by a direct invoke that could carry a forged caller.
 */
import { describe, expect, it } from "vitest";
import { apiCallerPolicy } from "../../../stacks/api-caller.ts";
import { asPolicyDocument, functionPermissions, type ResourceArns } from "../../../stacks/permissions.ts";
import { exampleConfig } from "../../helpers/config.ts";
import { decide } from "../../helpers/simulate.ts";

const config = exampleConfig();
const ACCOUNT = config.accountId;
const arns: ResourceArns = {
  table: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/jit-prod-Requests`,
  topic: `arn:aws:sns:eu-west-1:${ACCOUNT}:jit-prod-Notices`,
  topicKey: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
  stateMachine: `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:jit-prod-access`,
};
const api = asPolicyDocument(functionPermissions(config, arns).api);
const asApi = (action: string, resource: string) =>
  decide({
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/jit-prod-api/session`,
    action,
    resource,
    policies: [{ name: "api", policy: api }],
    context: {},
  });

describe("the API function", () => {
  it.each([
    ["dynamodb:PutItem", arns.table],
    ["dynamodb:Query", `${arns.table}/index/byStatus`],
    ["states:StartExecution", arns.stateMachine],
    ["states:SendTaskSuccess", "*"],
    ["ssm:DescribeSessions", "*"],
  ])("may %s on %s", async (action, resource) => {
    expect(await asApi(action, resource)).toBe("Allowed");
  });

  it.each([
    ["iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/oncall/jit-alice`],
    ["iam:DeleteRolePolicy", `arn:aws:iam::${ACCOUNT}:role/oncall/jit-alice`],
    ["iam:PutUserPolicy", `arn:aws:iam::${ACCOUNT}:user/bob`],
    ["iam:CreatePolicyVersion", `arn:aws:iam::${ACCOUNT}:policy/jit/jit-grants-1`],
    ["ssm:TerminateSession", `arn:aws:ssm:eu-west-1:${ACCOUNT}:session/alice-0123456789abcdef0`],
    ["ssm:StartSession", `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`],
    ["dynamodb:DeleteItem", arns.table],
    ["dynamodb:Scan", arns.table],
    ["states:StopExecution", `arn:aws:states:eu-west-1:${ACCOUNT}:execution:jit-prod-access:x`],
  ])("may not %s on %s", async (action, resource) => {
    expect(await asApi(action, resource)).toBe("ImplicitlyDenied");
  });
});

describe("the API caller policy", () => {
  const fn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:jit-prod-ApiFunction`;
  const other = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:jit-prod-GrantAccessFunction`;
  const asCaller = (action: string, resource: string, context: Record<string, string>) =>
    decide({
      principalArn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      action,
      resource,
      policies: [{ name: "jit-api-caller", policy: apiCallerPolicy(fn) }],
      context,
    });

  it("lets a person call the API through its AWS_IAM URL", async () => {
    expect(await asCaller("lambda:InvokeFunctionUrl", fn, { "lambda:FunctionUrlAuthType": "AWS_IAM" })).toBe(
      "Allowed",
    );
    expect(await asCaller("lambda:InvokeFunction", fn, { "lambda:InvokedViaFunctionUrl": "true" })).toBe(
      "Allowed",
    );
  });

  it("refuses a direct invoke, which could hand the function a forged caller", async () => {
    expect(await asCaller("lambda:InvokeFunction", fn, { "lambda:InvokedViaFunctionUrl": "false" })).toBe(
      "ImplicitlyDenied",
    );
    expect(await asCaller("lambda:InvokeFunction", fn, {})).toBe("ImplicitlyDenied");
  });

  it("refuses a URL without auth, and every other function", async () => {
    expect(await asCaller("lambda:InvokeFunctionUrl", fn, { "lambda:FunctionUrlAuthType": "NONE" })).toBe(
      "ImplicitlyDenied",
    );
    expect(
      await asCaller("lambda:InvokeFunctionUrl", other, { "lambda:FunctionUrlAuthType": "AWS_IAM" }),
    ).toBe("ImplicitlyDenied");
    expect(await asCaller("lambda:InvokeFunction", other, { "lambda:InvokedViaFunctionUrl": "true" })).toBe(
      "ImplicitlyDenied",
    );
  });
});
