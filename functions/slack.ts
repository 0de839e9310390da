/**
 * The Slack endpoint: Bolt on Lambda. AwsLambdaReceiver verifies every request's signature and age
 * (a bad or 5-minute-old one gets 401 and reaches no listener), then runs the listeners, which parse,
 * call a use case and answer. Built once per container, on first use.
 */

import { App, AwsLambdaReceiver, LogLevel } from "@slack/bolt";
import type { Context } from "aws-lambda";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { StepFunctionsWorkflow } from "../adapters/aws/sfn.ts";
import { boltLogger } from "../adapters/observability/bolt-logger.ts";
import { SlackDirectory } from "../adapters/slack/directory.ts";
import { registerListeners } from "../adapters/slack/listeners.ts";
import { timestampInWindow } from "../adapters/slack/request-age.ts";
import { notifierFor } from "./notifier.ts";
import { onCallFor } from "./oncall.ts";
import { env, lambdaDeps, observed } from "./runtime.ts";
import { slackClientOptions } from "./slack-client.ts";

// No broker, no session control and no other account's ports: the internet-facing function records
// and votes, and every change to IAM or to sessions (an early revoke, an extension) runs as a workflow
// execution (`Workflow.sync`) in the task functions, in whichever accounts the grant spans. A listener
// that reached for either would fail here at once ("not available in this function").
const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  workflow: () => new StepFunctionsWorkflow(env("STATE_MACHINE_ARN")),
  notifier: notifierFor,
  onCall: onCallFor,
});

type BoltHandler = ReturnType<AwsLambdaReceiver["toHandler"]>;
type AwsEvent = Parameters<BoltHandler>[0];

let bolt: BoltHandler | undefined;

function buildBolt() {
  const receiver = new AwsLambdaReceiver({
    signingSecret: env("SLACK_SIGNING_SECRET"),
    logger: boltLogger(LogLevel.WARN),
  });
  const token = env("SLACK_BOT_TOKEN");
  const app = new App({
    receiver,
    // One workspace, one bot token: answering with it directly spares Bolt an auth.test round trip
    // (on the cold path of every container) that a plain `token` option would make.
    authorize: async () => ({ botToken: token }),
    ignoreSelf: false,
    logger: boltLogger(LogLevel.WARN),
    clientOptions: slackClientOptions(),
  });
  registerListeners(app, deps, new SlackDirectory(app.client));
  return receiver.toHandler();
}

/** Answers by class, for the SlackResponses metric: a 401 is a bad signature, not our fault. */
const outcomeOf = (status: number | undefined) =>
  status === undefined || status >= 500 ? "error" : status >= 400 ? "rejected" : "ok";

const fn = async (event: AwsEvent, context: Context) => {
  const started = performance.now();
  let status: number | undefined;
  try {
    // Bolt refuses a request stamped over 5 minutes ago; one stamped that far ahead is refused here.
    if (!timestampInWindow(event.headers, Date.now())) {
      status = 401;
      return { statusCode: 401, body: "" };
    }
    bolt ??= buildBolt();
    const response = await bolt(event, context);
    status = response.statusCode;
    return response;
  } finally {
    // The time Slack waited on the handler (it gives up at 3 s). A config that cannot load has
    // already failed the request; measuring must not replace that error with its own.
    const metrics = (() => {
      try {
        return deps().metrics;
      } catch {
        return undefined;
      }
    })();
    metrics?.record("SlackAckTime", Math.round(performance.now() - started), {});
    metrics?.record("SlackResponses", 1, { outcome: outcomeOf(status) });
  }
};

export const handler = observed(fn);
