/**
 * Workflow tasks "Grant access" (claim the record, attach the expiring, tag-scoped policy) and
 * "Apply the record" (`mode: "apply"`: make IAM follow a record a front door changed). Both write and
 * take back the same policy, so they share one function and one set of permissions.
 */
import * as z from "zod/mini";
import { awsAccountPorts, hubBroker, hubSessions } from "../adapters/aws/account-ports.ts";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { applyRecordTask } from "../core/usecases/enforce.ts";
import { grantAccess } from "../core/usecases/grant.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: hubBroker,
  sessions: hubSessions,
  // Member accounts, through their jit-broker role; the source identity names this function there.
  accounts: (config) => awsAccountPorts(config, { sourceIdentity: "jit-grantAccess" }),
});

export const handler = makeHandler(
  "grant-access",
  z.extend(byRequest, { mode: z.optional(z.literal("apply")) }),
  deps,
  async (d, input): Promise<unknown> =>
    input.mode === "apply" ? applyRecordTask(d, input) : grantAccess(d, input),
);
