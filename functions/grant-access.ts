/** Workflow task "Grant access": attaches the expiring, tag-scoped policy and records ACTIVE. */
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { IamBroker } from "../adapters/aws/iam.ts";
import { configuredPrincipalArns } from "../core/principal.ts";
import { grantAccess } from "../core/usecases/grant.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: (config) => new IamBroker(configuredPrincipalArns(config)),
});

export const handler = makeHandler("grant-access", byRequest, deps, grantAccess);
