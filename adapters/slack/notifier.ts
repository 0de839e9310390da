/**
 * Slack as a view of the lifecycle: the approvals-channel message (updated in place as the request
 * is decided), direct messages to the requester, and one line per event in the audit channel. The
 * record and the workflow are the truth; a failed post is logged by the caller and loses nothing.
 */
import type { WebClient } from "@slack/web-api";
import type { AccessConfig } from "../../core/config/load.ts";
import { ConflictError } from "../../core/errors.ts";
import type { Notice, Notifier, RequestStore, SessionControl, SessionNotice } from "../../core/ports.ts";
import type { AccessRequest } from "../../core/request.ts";
import { grantAccountIds, label } from "../../core/usecases/in-account.ts";
import {
  approvalMessage,
  auditLine,
  extensionMessage,
  requesterMessage,
  sessionAccount,
  sessionBlocks,
  startSessionCommands,
} from "./blocks.ts";
import { notifyWithoutApprovers } from "./break-glass-messages.ts";
import { SHOWN, shown } from "./mrkdwn.ts";

/** Slow lookups (node counts) never hold a notice up for longer than this. */
const LOOKUP_BUDGET_MS = 1500;

async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SlackNotifierDeps {
  client: WebClient;
  config: AccessConfig;
  store: RequestStore;
  sessions?: SessionControl;
  /** The clock for "time left" in session messages. */
  now?: () => Date;
}

export class SlackNotifier implements Notifier {
  private readonly d: SlackNotifierDeps;

  constructor(deps: SlackNotifierDeps) {
    this.d = deps;
  }

  /** Nodes the profile selects, per region, found within the lookup budget (undefined when unknown). */
  private async nodes(r: AccessRequest): Promise<{ id: string; region: string }[] | undefined> {
    const profile = this.d.config.profiles[r.profileId];
    const sessions = this.d.sessions;
    if (!profile || !sessions) return undefined;
    // The sessions port is the hub's: another account's nodes are not looked up from here.
    if (!grantAccountIds(r).includes(this.d.config.accountId)) return undefined;
    const perRegion = profile.regions.map(async (region) =>
      (await sessions.matchingNodes(profile.tags, [region])).map((id) => ({ id, region })),
    );
    return within(
      LOOKUP_BUDGET_MS,
      Promise.all(perRegion).then((lists) => lists.flat()),
    );
  }

  private async dm(
    type: string,
    r: AccessRequest,
    extra: Parameters<typeof requesterMessage>[2] = {},
  ): Promise<void> {
    const message = requesterMessage(type, r, extra);
    if (message) await this.d.client.chat.postMessage({ channel: r.requester.slackUserId, ...message });
  }

  private async audit(type: string, r: AccessRequest, detail?: Record<string, unknown>): Promise<void> {
    await this.d.client.chat.postMessage({
      channel: this.d.config.slack.auditChannel,
      text: auditLine(type, r, detail),
    });
  }

  /** Re-renders the approvals message of a request (buttons gone once it is decided). */
  private async refreshApproval(r: AccessRequest): Promise<void> {
    if (!r.approvalMessage) return;
    const blocks = approvalMessage(r, this.d.config.profiles[r.profileId]);
    await this.d.client.chat.update({
      ...r.approvalMessage,
      text: `Access request ${r.id}: ${r.status}`,
      blocks,
    });
  }

  /** Remembers where the approvals message is; a lost race is retried on a fresh read. */
  private async saveApprovalMessage(id: string, ref: { channel: string; ts: string }): Promise<void> {
    for (let tries = 0; tries < 5; tries++) {
      const current = await this.d.store.get(id);
      if (!current) return;
      try {
        await this.d.store.update(current, { approvalMessage: ref });
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  async notifySession(n: SessionNotice): Promise<void> {
    const routes = this.d.config.notices;
    const route =
      n.type === "session-started"
        ? routes.sessionStarted
        : n.type === "session-ended"
          ? routes.sessionEnded
          : routes.alerts;
    const message = sessionBlocks(n, this.d.now?.() ?? new Date(), sessionAccount(this.d.config, n.session));
    if (route.includes("audit"))
      await this.d.client.chat.postMessage({ channel: this.d.config.slack.auditChannel, ...message });
    if (route.includes("requester") && n.request) {
      await this.d.client.chat.postMessage({ channel: n.request.requester.slackUserId, ...message });
    }
  }

  async notify(notice: Notice): Promise<void> {
    const { type, request: r, detail } = notice;
    switch (type) {
      case "approval-needed": {
        const nodes = await this.nodes(r);
        const posted = await this.d.client.chat.postMessage({
          channel: this.d.config.slack.approvalsChannel,
          text: `Access request ${r.id}: ${shown(r.profileId, SHOWN.word)} for ${shown(r.requester.slackUserId, SHOWN.word)}`,
          blocks: approvalMessage(r, this.d.config.profiles[r.profileId], nodes?.length),
        });
        if (posted.ts && posted.channel) {
          await this.saveApprovalMessage(r.id, { channel: posted.channel, ts: posted.ts });
        }
        return this.audit("requested", r);
      }
      case "approved":
      case "denied":
      case "cancelled":
      case "expired":
      case "failed":
        await this.refreshApproval(r);
        await this.dm(type, r, { reason: typeof detail?.failure === "string" ? detail.failure : undefined });
        return this.audit(type, r, detail);
      case "granted": {
        const profile = this.d.config.profiles[r.profileId];
        const nodes = await this.nodes(r);
        const accounts = grantAccountIds(r);
        const { config } = this.d;
        const hubOnly = accounts.length === 1 && accounts[0] === config.accountId;
        await this.dm(type, r, {
          commands: profile && nodes ? startSessionCommands(profile, nodes) : [],
          matching: nodes?.length,
          accounts: hubOnly
            ? undefined
            : {
                labels: accounts.map((id) => label(config, id)),
                hubLabel: label(config, config.accountId),
                hubIncluded: accounts.includes(config.accountId),
              },
        });
        return this.audit(type, r);
      }
      case "expiring":
        return this.dm(type, r);
      case "extended":
        await this.dm(type, r);
        return this.audit(type, r);
      case "extension-needed":
        await this.d.client.chat.postMessage({
          channel: this.d.config.slack.approvalsChannel,
          text: `Extension asked for ${r.id}`,
          blocks: extensionMessage(r),
        });
        return;
      case "revoked": {
        const terminated = Array.isArray(detail?.terminatedSessions)
          ? (detail.terminatedSessions as string[])
          : [];
        await this.refreshApproval(r);
        await this.dm(type, r, {
          terminated,
          reason: typeof detail?.reason === "string" ? detail.reason : undefined,
        });
        return this.audit(type, r, { reason: detail?.reason, terminated: terminated.length });
      }
      case "alarm":
        return this.audit(":rotating_light: alarm", r, detail);
      case "break-glass":
      case "break-glass-reminder":
      case "break-glass-reviewed":
      case "break-glass-escalation":
      case "on-call-approved":
        return notifyWithoutApprovers(this.d.client, this.d.config, notice);
    }
  }
}
