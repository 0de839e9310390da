/**
 * EventBridge → session events: CloudTrail's StartSession, ResumeSession and TerminateSession calls,
 * tied to their grants, recorded and announced. A malformed event is logged with its reason and
 * dropped (a retry would bring the same event back); nothing is recorded for it.
 */

import { awsAccountPorts, hubSessions } from "../adapters/aws/account-ports.ts";
import { cloudTrailSessionEvent, toSessionEvent } from "../adapters/aws/cloudtrail.ts";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { log } from "../core/log.ts";
import { handleSessionEvent } from "../core/usecases/session-events.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";

/*
 * Other accounts (issue 12). This function changes nothing outside the hub: no grant, no
 * TerminateSession. It must still read one thing in a member account: which nodes carry a profile's
 * tags there (DescribeInstanceInformation), to tell a session its grant covers from one outside it.
 * Only that account can answer (CloudTrail names the node, not its tags). So it takes `accounts`,
 * read-only: it assumes the spoke's `jit-session-reader` (two Session Manager reads, trusted for this
 * function alone; never the broker), each session narrowed again by a session policy of the same two
 * reads, and no broker is built (account-ports.ts). It asks only about callers who hold a grant in
 * that account and region; anyone else is judged without leaving the hub. Where the reader refuses,
 * the event fails with AccountUnreachableError naming the account (retried, never judged without
 * its node).
 */
const deps = lambdaDeps(
  {
    store: () => new DynamoRequestStore(env("TABLE_NAME")),
    sessionLog: () => new DynamoRequestStore(env("TABLE_NAME")),
    sessions: hubSessions,
    notifier: notifierFor,
    accounts: (config) => awsAccountPorts(config, { sourceIdentity: "jit-sessionEvents", readOnly: true }),
  },
  { accounts: "read" },
);

export const handler = makeHandler(
  "session-events",
  cloudTrailSessionEvent,
  deps,
  async (d, event) => {
    const outcome = await handleSessionEvent(d, toSessionEvent(event));
    log.info("session event", {
      eventId: event.detail.eventID,
      name: event.detail.eventName,
      accountId: event.account,
      outcome,
    });
    return { outcome };
  },
  { malformed: "drop" },
);
