/**
 * Workflow tasks "Revoke access" (settle the record, delete the policy, end live sessions) and
 * "Close late sessions" (`mode: "late"`: the second pass once IAM's propagation window is over).
 */
import * as z from "zod/mini";
import { awsAccountPorts, hubBroker, hubSessions } from "../adapters/aws/account-ports.ts";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { closeLateSessions } from "../core/usecases/enforce.ts";
import { revokeAccess } from "../core/usecases/revoke.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest, timestamp } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: hubBroker,
  sessions: hubSessions,
  // Member accounts, through their jit-broker role; the source identity names this function there.
  accounts: (config) => awsAccountPorts(config, { sourceIdentity: "jit-revokeAccess" }),
});

export const handler = makeHandler(
  "revoke-access",
  z.extend(byRequest, {
    actor: z._default(z.string(), "workflow"),
    mode: z.optional(z.literal("late")),
    at: z.optional(timestamp),
  }),
  deps,
  async (d, input): Promise<unknown> =>
    input.mode === "late" ? closeLateSessions(d, input) : revokeAccess(d, input),
);
