/** Workflow task "Ask approvers" (waitForTaskToken): keeps the token on the request and asks approvers. */

import * as z from "zod/mini";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { StepFunctionsWorkflow } from "../adapters/aws/sfn.ts";
import { askApprovers } from "../core/usecases/approval.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  workflow: () => new StepFunctionsWorkflow(env("STATE_MACHINE_ARN")),
  notifier: notifierFor,
});

export const handler = makeHandler(
  "ask-approvers",
  z.extend(byRequest, { taskToken: z.string().check(z.minLength(1)) }),
  deps,
  askApprovers,
);
