/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The signed API's caller policy, `/jit/jit-api-caller`: attach it to the principals of the people
 * who use `jit` against this stage (their roles and users; for Identity Center, reference it by name
 * and path from the permission set, as the slot policies are). The function and its AWS_IAM URL are
 * in functions.ts with the others.
 */
import { apiCallerPolicy } from "./api-caller.ts";

export function createApiCallerPolicy(api: sst.aws.Function) {
  return new aws.iam.Policy("ApiCallerPolicy", {
    name: "jit-api-caller",
    path: "/jit/",
    description: "Call the just-in-time access API (jit --stage) through its AWS_IAM function URL only",
    policy: api.nodes.function.arn.apply((arn) => JSON.stringify(apiCallerPolicy(arn))),
  });
}
