/**
 * SNS notifier: every notice as a structured JSON message, with message attributes (event, profile,
 * requester, status) so subscribers can filter without parsing the body.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { AccessConfig } from "../../core/config/load.ts";
import type { Notice, Notifier, SessionNotice } from "../../core/ports.ts";
import { grantTargets } from "../../core/usecases/in-account.ts";
import { call } from "./errors.ts";

/** The message body a subscriber receives. Stable field names: treat as a public contract. */
export function noticeMessage(notice: Notice) {
  const r = notice.request;
  return {
    event: notice.type,
    requestId: r.id,
    profile: r.profileId,
    requester: r.requester.slackUserId,
    principal: r.principal.arn,
    /** Every account the request grants in, with the principal there (issue 12). */
    accounts: grantTargets(r).map((g) => ({ accountId: g.accountId, principal: g.principal.arn })),
    status: r.status,
    reason: r.reason,
    ticket: r.ticket,
    expiresAt: r.expiresAt,
    detail: notice.detail,
    /** Granted without approvers (issue 13): the break-glass state, its review, the on-call decision. */
    breakGlass: r.breakGlass,
    review: r.review,
    onCall: r.onCall,
  };
}

/**
 * The message body of a session notice. `accountName` names an account id (its name in the config);
 * without it, or for a record from before issue 12 that says no account, only what is known is sent.
 */
export function sessionMessage(n: SessionNotice, accountName?: (accountId: string) => string) {
  const accountId = n.session.accountId;
  return {
    event: n.type,
    outcome: n.outcome,
    sessionId: n.session.sessionId,
    /** The account the session ran in (issue 12), and its name in the config. */
    accountId,
    account: accountId && accountName ? accountName(accountId) : undefined,
    node: n.session.target,
    region: n.session.region,
    actor: n.actor,
    startedAt: n.session.startedAt,
    endedAt: n.session.endedAt,
    endReason: n.session.endReason,
    requestId: n.request?.id,
    profile: n.request?.profileId,
    requester: n.request?.requester.slackUserId,
    reason: n.request?.reason,
    grantExpiresAt: n.request?.expiresAt,
    detail: n.detail,
    document: n.session.document,
    /** Where the transcript is (session-ended): CloudWatch stream and S3 key with console links, or why none. */
    transcript: n.transcript,
  };
}

const attribute = (value: string) => ({ DataType: "String", StringValue: value || "-" });

export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;
  private readonly routes: AccessConfig["notices"] | undefined;
  private readonly accountName: ((accountId: string) => string) | undefined;

  /**
   * `routes`: the config's notice routing; session notices go to SNS only where it says `sns`.
   * `accountName`: an account's name in the config, for session notices (their account id is sent
   * whatever it says).
   */
  constructor(
    topicArn: string,
    client = new SNSClient({}),
    routes?: AccessConfig["notices"],
    accountName?: (accountId: string) => string,
  ) {
    this.topicArn = topicArn;
    this.client = client;
    this.routes = routes;
    this.accountName = accountName;
  }

  async notifySession(n: SessionNotice): Promise<void> {
    const route =
      n.type === "session-started"
        ? this.routes?.sessionStarted
        : n.type === "session-ended"
          ? this.routes?.sessionEnded
          : this.routes?.alerts;
    if (route && !route.includes("sns")) return;
    await call("Publish", () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: `JIT access ${n.type}: ${n.session.target ?? n.session.sessionId}`.slice(0, 100),
          Message: JSON.stringify(sessionMessage(n, this.accountName)),
          MessageAttributes: {
            event: attribute(n.type),
            outcome: attribute(n.outcome),
            profile: attribute(n.request?.profileId ?? ""),
            requester: attribute(n.request?.requester.slackUserId ?? ""),
            node: attribute(n.session.target ?? ""),
            // A subscription's filter policy can keep one account's sessions (or leave them out).
            account: attribute(n.session.accountId ?? ""),
          },
        }),
      ),
    );
  }

  async notify(notice: Notice): Promise<void> {
    const r = notice.request;
    await call("Publish", () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: `JIT access ${notice.type}: ${r.profileId} ${r.id}`.slice(0, 100),
          Message: JSON.stringify(noticeMessage(notice)),
          MessageAttributes: {
            event: attribute(notice.type),
            profile: attribute(r.profileId),
            requester: attribute(r.requester.slackUserId),
            status: attribute(r.status),
          },
        }),
      ),
    );
  }
}
