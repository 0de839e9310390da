/** Workflow task "Ask approvers" (waitForTaskToken): keeps the token on the request and asks approvers. */

import { z } from "zod";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { StepFunctionsWorkflow } from "../adapters/aws/sfn.ts";
import { SnsNotifier } from "../adapters/aws/sns.ts";
import { askApprovers } from "../core/usecases/approval.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  workflow: () => new StepFunctionsWorkflow(env("STATE_MACHINE_ARN")),
  notifier: () => new SnsNotifier(env("TOPIC_ARN")),
});

export const handler = makeHandler(
  "ask-approvers",
  byRequest.extend({ taskToken: z.string().min(1) }),
  deps,
  askApprovers,
);
