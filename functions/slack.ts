/**
 * The Slack endpoint: Bolt on Lambda. AwsLambdaReceiver verifies every request's signature and age
 * (a bad or 5-minute-old one gets 401 and reaches no listener), then runs the listeners, which parse,
 * call a use case and answer. Built once per container, on first use.
 */

import middy from "@middy/core";
import { App, AwsLambdaReceiver, LogLevel } from "@slack/bolt";
import type { Context } from "aws-lambda";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { IamBroker } from "../adapters/aws/iam.ts";
import { StepFunctionsWorkflow } from "../adapters/aws/sfn.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { SlackDirectory } from "../adapters/slack/directory.ts";
import { registerListeners } from "../adapters/slack/listeners.ts";
import { configuredPrincipalArns } from "../core/principal.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps } from "./runtime.ts";
import { slackClientOptions } from "./slack-client.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: (config) => new IamBroker(configuredPrincipalArns(config)),
  sessions: (config) => new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
  workflow: () => new StepFunctionsWorkflow(env("STATE_MACHINE_ARN")),
  notifier: notifierFor,
});

type BoltHandler = ReturnType<AwsLambdaReceiver["toHandler"]>;
type AwsEvent = Parameters<BoltHandler>[0];

let bolt: BoltHandler | undefined;

function buildBolt() {
  const receiver = new AwsLambdaReceiver({
    signingSecret: env("SLACK_SIGNING_SECRET"),
    logLevel: LogLevel.WARN,
  });
  const token = env("SLACK_BOT_TOKEN");
  const app = new App({
    receiver,
    // One workspace, one bot token: answering with it directly spares Bolt an auth.test round trip
    // (on the cold path of every container) that a plain `token` option would make.
    authorize: async () => ({ botToken: token }),
    ignoreSelf: false,
    logLevel: LogLevel.WARN,
    clientOptions: slackClientOptions(),
  });
  registerListeners(app, deps, new SlackDirectory(app.client));
  return receiver.toHandler();
}

const fn = async (event: AwsEvent, context: Context) => {
  bolt ??= buildBolt();
  return bolt(event, context);
};

export const handler = middy(fn);
