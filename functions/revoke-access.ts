/** Workflow task "Revoke access": deletes the policy, terminates live sessions, records REVOKED. */
import * as z from "zod/mini";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { IamBroker } from "../adapters/aws/iam.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { configuredPrincipalArns } from "../core/principal.ts";
import { revokeAccess } from "../core/usecases/revoke.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: (config) => new IamBroker(configuredPrincipalArns(config)),
  sessions: (config) => new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
});

export const handler = makeHandler(
  "revoke-access",
  z.extend(byRequest, { actor: z._default(z.string(), "workflow") }),
  deps,
  revokeAccess,
);
