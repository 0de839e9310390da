/**
 * The Slack front door: `/access`, the request modal, approval buttons, DM buttons and App Home.
 * Listeners only parse, call a use case and answer; everything they do before answering is a record
 * write and an execution start, far inside Slack's 3 seconds. Authorization is decided by the use
 * cases from the stored record; a button's value is only the request id.
 */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { configuredGroups, isApproverOf } from "../../core/approval.ts";
import { formatDuration } from "../../core/duration.ts";
import { ValidationError } from "../../core/errors.ts";
import type { Deps } from "../../core/ports.ts";
import { approve, deny } from "../../core/usecases/approval.ts";
import { reviewBreakGlass, revokeAsApprover } from "../../core/usecases/break-glass-review.ts";
import { approveExtension, extendGrant } from "../../core/usecases/expiry.ts";
import { cancelRequest, createRequest, mayRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { ACTION, approvalMessage, BLOCK, denyModal, HELP, homeView, requestModal, VIEW } from "./blocks.ts";
import { parseAccessCommand, requestIdFor } from "./command.ts";
import type { SlackDirectory } from "./directory.ts";
import { SHOWN, shown } from "./mrkdwn.ts";
import { replyFor } from "./replies.ts";

type ViewState = Record<
  string,
  Record<
    string,
    {
      value?: string | null;
      selected_option?: { value: string } | null;
      selected_options?: { value: string }[] | null;
    }
  >
>;
/** Whether the modal's break-glass box is ticked. */
const breakGlassTicked = (state: ViewState): boolean =>
  (state[BLOCK.breakGlass]?.value?.selected_options ?? []).some((o) => o.value === "break-glass");
const field = (state: ViewState, block: string): string | undefined => {
  const v = state[block]?.value;
  return v?.selected_option?.value ?? v?.value ?? undefined;
};

export function registerListeners(app: App, deps: () => Deps, directory: SlackDirectory): void {
  // Kept off the acknowledgement path where possible: a person mapped by Slack ID needs no email
  // lookup, and group memberships are looked up only when the config names user groups at all.
  // A profile with an on-call rule matches the requester by email, so it is looked up then too.
  const person = async (userId: string, profileId?: string) => ({
    slackUserId: userId,
    email:
      deps().config.principals.map[userId] && !deps().config.profiles[profileId ?? ""]?.onCall
        ? undefined
        : await directory.email(userId),
  });
  const approver = async (userId: string) => {
    const groups = configuredGroups(deps().config.profiles);
    return { slackUserId: userId, groups: groups.length > 0 ? await directory.groupsOf(userId, groups) : [] };
  };

  app.command("/access", async ({ command, ack }) => {
    const d = deps();
    const parsed = parseAccessCommand(command.text, d.config);
    try {
      switch (parsed.kind) {
        case "modal": {
          const me = { slackUserId: command.user_id };
          const profiles = Object.values(d.config.profiles).filter((p) => mayRequest(p, me));
          await app.client.views.open({ trigger_id: command.trigger_id, view: requestModal(profiles) });
          return await ack();
        }
        case "help":
          return await ack({ response_type: "ephemeral", text: HELP });
        case "invalid":
          return await ack({ response_type: "ephemeral", text: `:warning: ${parsed.message}` });
        case "list": {
          const mine = (await d.store.listByRequester(command.user_id)).slice(0, 20);
          const lines = mine.map(
            (r) =>
              `\`${r.id}\` *${r.profileId}* ${r.status.toLowerCase()}${r.expiresAt && r.status === "ACTIVE" ? ` until ${r.expiresAt}` : ""}`,
          );
          return await ack({
            response_type: "ephemeral",
            text: lines.length ? lines.join("\n") : "You have no requests yet.",
          });
        }
        case "revoke":
          await revokeNow(d, { requestId: parsed.requestId, actor: command.user_id });
          return await ack({
            response_type: "ephemeral",
            text: `:lock: Revoked \`${parsed.requestId}\`; its policy is being removed and its live sessions closed.`,
          });
        case "cancel":
          await cancelRequest(d, { requestId: parsed.requestId, actor: command.user_id });
          return await ack({ response_type: "ephemeral", text: `Cancelled \`${parsed.requestId}\`.` });
        case "extend": {
          const result = await extendGrant(d, {
            requestId: parsed.requestId,
            actor: command.user_id,
            by: parsed.by,
          });
          const text =
            result.outcome === "extended"
              ? `Extended \`${parsed.requestId}\` until ${result.request.expiresAt}.`
              : `Asked the approvers to extend \`${parsed.requestId}\`.`;
          return await ack({ response_type: "ephemeral", text });
        }
        case "request": {
          const request = await createRequest(d, {
            requestId: requestIdFor(command.trigger_id, d.clock.now()),
            requester: await person(command.user_id, parsed.profileId),
            profileId: parsed.profileId,
            duration: parsed.duration || undefined,
            reason: parsed.reason,
            ticket: parsed.ticket,
            breakGlass: parsed.breakGlass,
          });
          const next = request.breakGlass
            ? "break-glass: granting now; the approvers and the audit channel have been told, and an approver will review it"
            : request.onCall?.approved
              ? "you are on call, so it is granted now"
              : request.approvalsRequired === 0
                ? "granting now"
                : `the approvers have been asked${request.onCall?.reason ? ` (not approved as on call: ${shown(request.onCall.reason, SHOWN.reason)})` : ""}`;
          return await ack({
            response_type: "ephemeral",
            text: `:inbox_tray: Request \`${request.id}\` for *${request.profileId}* (${formatDuration(request.durationSeconds)}): ${next}.`,
          });
        }
      }
    } catch (error) {
      await ack({ response_type: "ephemeral", text: replyFor(error, `/access ${parsed.kind}`) });
    }
  });

  app.view(VIEW.request, async ({ ack, body, view }) => {
    const state = view.state.values as ViewState;
    const d = deps();
    try {
      const profileId = field(state, BLOCK.profile) ?? "";
      await createRequest(d, {
        requestId: requestIdFor(view.id, d.clock.now()),
        requester: await person(body.user.id, profileId),
        profileId,
        duration: field(state, BLOCK.duration),
        reason: field(state, BLOCK.reason),
        ticket: field(state, BLOCK.ticket),
        breakGlass: breakGlassTicked(state),
      });
      await ack();
    } catch (error) {
      if (error instanceof ValidationError) {
        const block = error.field in BLOCK ? BLOCK[error.field as keyof typeof BLOCK] : BLOCK.profile;
        return await ack({ response_action: "errors", errors: { [block]: error.message } });
      }
      await ack({ response_action: "errors", errors: { [BLOCK.profile]: replyFor(error, "request modal") } });
    }
  });

  /** Tells the clicker something only they see: ephemeral in a channel, a DM from App Home. */
  const tell = async (body: BlockAction, text: string) => {
    if (body.channel?.id)
      await app.client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text });
    else await app.client.chat.postMessage({ channel: body.user.id, text });
  };
  const requestIdOf = (action: ButtonAction) => action.value ?? "";

  app.action<BlockAction<ButtonAction>>(ACTION.approve, async ({ ack, body, action }) => {
    await ack();
    const requestId = requestIdOf(action);
    try {
      const result = await approve(deps(), { requestId, approver: await approver(body.user.id) });
      const profile = deps().config.profiles[result.request.profileId];
      if (body.message && body.channel) {
        await app.client.chat.update({
          channel: body.channel.id,
          ts: body.message.ts,
          text: `Access request ${requestId}`,
          blocks: approvalMessage(result.request, profile),
        });
      }
    } catch (error) {
      await tell(body, replyFor(error, "approve"));
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION.deny, async ({ ack, body, action }) => {
    await ack();
    const requestId = requestIdOf(action);
    const message =
      body.message && body.channel ? { channel: body.channel.id, ts: body.message.ts } : undefined;
    await app.client.views.open({ trigger_id: body.trigger_id, view: denyModal(requestId, message) });
  });

  app.view(VIEW.denyReason, async ({ ack, body, view }) => {
    const meta = JSON.parse(view.private_metadata || "{}") as { requestId?: string };
    const reason = field(view.state.values as ViewState, BLOCK.denyReason) ?? "";
    try {
      const requestId = meta.requestId ?? "";
      await deny(deps(), { requestId, reason, approver: await approver(body.user.id) });
      await ack();
    } catch (error) {
      await ack({ response_action: "errors", errors: { [BLOCK.denyReason]: replyFor(error, "deny") } });
    }
  });

  const simple = (id: string, run: (requestId: string, userId: string) => Promise<string>) =>
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, body, action }) => {
      await ack();
      try {
        await tell(body, await run(requestIdOf(action), body.user.id));
      } catch (error) {
        await tell(body, replyFor(error, id));
      }
    });
  simple(ACTION.revokeNow, async (requestId, user) => {
    const result = await revokeNow(deps(), { requestId, actor: user });
    return result.alreadyRevoked
      ? `\`${requestId}\` was already revoked; its sessions are being closed.`
      : `:lock: Revoked \`${requestId}\`; its policy is being removed and its live sessions closed.`;
  });
  // Break-glass review and on-call revoke: who may click is decided by the use case from the record.
  const review = (outcome: "ok" | "revoke") => async (requestId: string, user: string) => {
    const result = await reviewBreakGlass(deps(), { requestId, reviewer: await approver(user), outcome });
    if (result.alreadyReviewed) {
      const r = result.request.review;
      return `\`${requestId}\` was already reviewed${r ? ` (${r.outcome} by <@${r.by}>)` : ""}; nothing was changed.`;
    }
    return result.revoked
      ? `:lock: Revoked \`${requestId}\` at review; its policy is being removed and its live sessions closed.`
      : `:white_check_mark: Reviewed \`${requestId}\`: OK.`;
  };
  simple(ACTION.reviewOk, review("ok"));
  simple(ACTION.reviewRevoke, review("revoke"));
  simple(ACTION.onCallRevoke, async (requestId, user) => {
    const result = await revokeAsApprover(deps(), { requestId, approver: await approver(user) });
    return result.alreadyRevoked
      ? `\`${requestId}\` was already revoked; nothing more to do.`
      : `:lock: Revoked \`${requestId}\`; its policy is being removed and its live sessions closed.`;
  });
  simple(ACTION.cancel, async (requestId, user) => {
    await cancelRequest(deps(), { requestId, actor: user });
    return `Cancelled \`${requestId}\`.`;
  });
  simple(ACTION.extend, async (requestId, user) => {
    const result = await extendGrant(deps(), { requestId, actor: user, by: "1h" });
    return result.outcome === "extended"
      ? `Extended until ${result.request.expiresAt}.`
      : "Asked the approvers for one more hour.";
  });
  simple(ACTION.approveExtension, async (requestId, user) => {
    const extended = await approveExtension(deps(), { requestId, approver: await approver(user) });
    return `Extended \`${requestId}\` until ${extended.expiresAt}.`;
  });

  app.event("app_home_opened", async ({ event }) => {
    const d = deps();
    const mine = await d.store.listByRequester(event.user);
    const pending = await d.store.listByStatus("PENDING");
    const waiting: typeof pending = [];
    for (const r of pending) {
      const profile = d.config.profiles[r.profileId];
      if (!profile || r.requester.slackUserId === event.user) continue;
      const groups = await directory.groupsOf(event.user, profile.approvers);
      if (isApproverOf(profile, { slackUserId: event.user, groups })) waiting.push(r);
    }
    await app.client.views.publish({
      user_id: event.user,
      view: homeView(mine, waiting.slice(0, 10), d.clock.now()),
    });
  });
}
