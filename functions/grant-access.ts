/**
 * Workflow tasks "Grant access" (claim the record, attach the expiring, tag-scoped policy) and
 * "Apply the record" (`mode: "apply"`: make IAM follow a record a front door changed). Both write and
 * take back the same policy, so they share one function and one set of permissions.
 */
import * as z from "zod/mini";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { IamBroker } from "../adapters/aws/iam.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { configuredPrincipalArns } from "../core/principal.ts";
import { applyRecordTask } from "../core/usecases/enforce.ts";
import { grantAccess } from "../core/usecases/grant.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: (config) => new IamBroker(configuredPrincipalArns(config)),
  sessions: (config) => new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
});

export const handler = makeHandler(
  "grant-access",
  z.extend(byRequest, { mode: z.optional(z.literal("apply")) }),
  deps,
  async (d, input): Promise<unknown> =>
    input.mode === "apply" ? applyRecordTask(d, input) : grantAccess(d, input),
);
