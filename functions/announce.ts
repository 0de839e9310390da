/** Workflow tasks "Announce grant", "Warn expiry is near", "Announce revocation". */
import { z } from "zod";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { SnsNotifier } from "../adapters/aws/sns.ts";
import { announce } from "../core/usecases/expiry.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  notifier: () => new SnsNotifier(env("TOPIC_ARN")),
});

export const handler = makeHandler(
  "announce",
  byRequest.extend({
    type: z.enum(["granted", "expiring", "revoked"]),
    detail: z.record(z.string(), z.unknown()).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
  }),
  deps,
  announce,
);
