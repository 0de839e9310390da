/**
 * The signed API for `jit` against a deployed stage: a function URL with AWS_IAM auth. AWS verifies
 * the SigV4 signature before this runs and hands over the caller's ARN; the configuration maps it to
 * a person, and the same use cases as Slack decide. No IAM action: like the Slack endpoint, it
 * records and starts executions; the workflow does the rest.
 */
import type { Context } from "aws-lambda";
import { answer, type SignedUrlEvent } from "../adapters/api/function-url.ts";
import type { PeopleDirectory } from "../adapters/api/identity.ts";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { StepFunctionsWorkflow } from "../adapters/aws/sfn.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { SlackDirectory } from "../adapters/slack/directory.ts";
import { notifierFor } from "./notifier.ts";
import { onCallFor } from "./oncall.ts";
import { env, lambdaDeps, observed } from "./runtime.ts";
import { slackClient } from "./slack-client.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  sessions: (config) => new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
  workflow: () => new StepFunctionsWorkflow(env("STATE_MACHINE_ARN")),
  notifier: notifierFor,
  onCall: onCallFor,
});

let installed: PeopleDirectory | undefined;
let slack: PeopleDirectory | undefined;

/** Installs the people directory (tests, the sandbox); `undefined` restores Slack's. */
export function usePeople(directory: PeopleDirectory | undefined): void {
  installed = directory;
}

const people = (): PeopleDirectory => {
  if (installed) return installed;
  slack ??= new SlackDirectory(slackClient(env("SLACK_BOT_TOKEN")));
  return slack;
};

/** Answers by class, for the ApiResponses metric: a 4xx is the caller's doing, a 5xx ours. */
const outcomeOf = (status: number | undefined) =>
  status === undefined || status >= 500 ? "error" : status >= 400 ? "rejected" : "ok";

const fn = async (event: SignedUrlEvent, _context: Context) => {
  const response = await answer(deps(), people(), event);
  deps().metrics?.record("ApiResponses", 1, { outcome: outcomeOf(response.statusCode) });
  return response;
};

export const handler = observed(fn);
