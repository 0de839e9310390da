/**
 * EventBridge → session events: CloudTrail's StartSession, ResumeSession and TerminateSession calls,
 * tied to their grants, recorded and announced. A malformed event is logged with its reason and
 * dropped (a retry would bring the same event back); nothing is recorded for it.
 */

import { cloudTrailSessionEvent, toSessionEvent } from "../adapters/aws/cloudtrail.ts";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { log } from "../core/log.ts";
import { handleSessionEvent } from "../core/usecases/session-events.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  sessionLog: () => new DynamoRequestStore(env("TABLE_NAME")),
  sessions: (config) => new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
  notifier: notifierFor,
});

export const handler = makeHandler(
  "session-events",
  cloudTrailSessionEvent,
  deps,
  async (d, event) => {
    const outcome = await handleSessionEvent(d, toSessionEvent(event));
    log.info("session event", { eventId: event.detail.eventID, name: event.detail.eventName, outcome });
    return { outcome };
  },
  { malformed: "drop" },
);
