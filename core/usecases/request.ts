/** Creating a request, and cancelling it while it waits for approval. */
import { grantsWithoutApprovers } from "../approval.ts";
import type { Profile } from "../config/load.ts";
import { parseBoundedDuration } from "../duration.ts";
import {
  ConflictError,
  type InputProblem,
  NotAuthorizedError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import type { Deps, WorkflowInput } from "../ports.ts";
import { type Person, resolvePrincipal } from "../principal.ts";
import { type AccessRequest, newRequestId } from "../request.ts";
import { ticketExample } from "../ticket-example.ts";
import { breakGlassTerms } from "./break-glass.ts";
import { audit, notifySafely, retryOnConflict, transition } from "./common.ts";
import { combinationProblem } from "./grantable.ts";
import { resolveGrantTargets } from "./in-account.ts";
import { decideOnCall, onCallTimeoutMs } from "./oncall.ts";

export interface CreateRequestInput {
  requester: Person;
  profileId: string;
  /** "1h", "90m", …; the profile's default when absent. */
  duration?: string | undefined;
  reason?: string | undefined;
  ticket?: string | undefined;
  /** Slack user groups of the requester, for profiles restricted to some requesters. */
  groups?: readonly string[];
  /** A caller-chosen id (for example derived from a Slack trigger) so a retry never creates a second request. */
  requestId?: string | undefined;
  /** Break-glass: granted at once without approvers, where the profile allows it; reviewed after. */
  breakGlass?: boolean | undefined;
}

/** The longest reason accepted: what the Slack modal allows, now enforced for every front door. */
export const REASON_MAX = 500;
/** The longest ticket accepted: ticket keys are short ("INC-1234", a URL at most). */
export const TICKET_MAX = 100;

/** Why text longer than `max` characters is refused, naming the field, its length and the cap. */
function tooLong(field: "reason" | "ticket", value: string, max: number): InputProblem | undefined {
  const length = [...value].length;
  if (length <= max) return undefined;
  return { field, message: `the ${field} is ${length} characters; at most ${max} are accepted` };
}

/** The shortest reason accepted where a profile needs one. */
export const REASON_MIN = 3;

/** Why a reason will not do, or undefined when it will. */
function shortReason(profileId: string, reason: string): string | undefined {
  if (!reason) return `the ${profileId} profile needs a reason of at least ${REASON_MIN} characters`;
  if ([...reason].length >= REASON_MIN) return undefined;
  return `the reason "${reason}" is too short: the ${profileId} profile needs at least ${REASON_MIN} characters`;
}

/** Why a ticket will not do (missing, or not matching), with one that would; undefined when it will. */
function wrongTicket(profileId: string, pattern: string, ticket: string | undefined): string | undefined {
  if (ticket && new RegExp(pattern).test(ticket)) return undefined;
  const example = ticketExample(pattern);
  const needs = `the ${profileId} profile needs a ticket matching ${pattern}${example ? `, such as ${example}` : ""}`;
  return ticket ? `${needs}; "${ticket}" is not one` : needs;
}

/**
 * The duration, reason and ticket as the profile accepts them. Every problem is found before one
 * error reports them all: a person fixes the duration, the reason and the ticket in one go.
 */
function acceptedInput(
  profile: Profile,
  input: CreateRequestInput,
): { durationSeconds: number; reason: string; ticket: string | undefined } {
  const problems: (InputProblem | undefined)[] = [];
  const duration = input.duration;
  let durationSeconds = profile.defaultDurationSeconds;
  if (duration) {
    try {
      durationSeconds = parseBoundedDuration(duration, "duration", profile.maxDurationSeconds);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  const reason = (input.reason ?? "").trim();
  const reasonTooLong = tooLong("reason", reason, REASON_MAX);
  problems.push(reasonTooLong);
  if (!reasonTooLong && profile.reasonRequired) {
    const why = shortReason(profile.id, reason);
    if (why) problems.push({ field: "reason", message: why });
  }
  const ticket = input.ticket?.trim() || undefined;
  const ticketTooLong = ticket ? tooLong("ticket", ticket, TICKET_MAX) : undefined;
  problems.push(ticketTooLong);
  if (!ticketTooLong && profile.ticketPattern) {
    const why = wrongTicket(profile.id, profile.ticketPattern, ticket);
    if (why) problems.push({ field: "ticket", message: why });
  }
  const [first, ...more] = problems.filter((p) => p !== undefined);
  if (first) throw ValidationError.of([first, ...more]);
  return { durationSeconds, reason, ticket };
}

const workflowInput = (request: AccessRequest, profile: Profile): WorkflowInput => ({
  requestId: request.id,
  autoApprove: grantsWithoutApprovers(profile, request),
  approvalTimeoutSeconds: profile.approvalTimeoutSeconds,
});

/** Who may request a profile: everyone mapped, unless the profile lists requesters. */
export function mayRequest(
  profile: { requesters?: string[] | undefined },
  person: Person,
  groups: readonly string[] = [],
): boolean {
  return (
    !profile.requesters || profile.requesters.some((id) => id === person.slackUserId || groups.includes(id))
  );
}

/**
 * Validates the request against its profile, records it PENDING and starts its workflow. With the
 * same `requestId` twice, the second call returns the first record and starts nothing new.
 */
export async function createRequest(deps: Deps, input: CreateRequestInput): Promise<AccessRequest> {
  const profile = deps.config.profiles[input.profileId];
  if (!profile) {
    throw new NotFoundError(
      `no profile "${input.profileId}"; the profiles are ${Object.keys(deps.config.profiles).join(", ")}`,
    );
  }
  if (!mayRequest(profile, input.requester, input.groups)) {
    deps.metrics?.record("Requests", 1, { outcome: "refused", profile: profile.id });
    throw new NotAuthorizedError(`you may not request the ${profile.id} profile`);
  }
  // Break-glass has its own duration bound and reason rule; the profile's other rules still hold.
  const breakGlass = input.breakGlass ? breakGlassTerms(deps, profile, input) : undefined;
  const accepted = acceptedInput(profile, breakGlass ? { ...input, duration: undefined } : input);
  const { reason, ticket } = accepted;
  // The requester's principal in every account the profile spans; the first is the record's principal.
  const grants = resolveGrantTargets(deps.config, profile, input.requester);
  const principal = grants[0]?.principal ?? resolvePrincipal(deps.config, input.requester);
  const now = deps.clock.now();
  const id = input.requestId ?? newRequestId(now, deps.random);
  // Both on Slack's 3-second path, and independent: the provider's answer (up to onCall.timeout)
  // and the live-grant check (one query) run at once. The check refuses now, not after the
  // approvers' time, a grant of other documents while another is live (IAM would combine the two;
  // see grantable.ts), and its refusal rejects at once: it never waits for the provider.
  const refusal = combinationProblem(deps, { id, profileId: profile.id, principal, grants }).then(
    (problem) => {
      if (!problem) return;
      deps.metrics?.record("Requests", 1, { outcome: "refused", profile: profile.id });
      throw new ValidationError("profile", problem);
    },
  );
  const [onCall] = await Promise.all([
    breakGlass
      ? undefined
      : decideOnCall(
          deps.onCall,
          profile,
          deps.config.principals.map,
          input.requester,
          accepted.durationSeconds,
          now,
          onCallTimeoutMs(deps.config),
        ),
    refusal,
  ]);
  const durationSeconds = breakGlass?.durationSeconds ?? onCall?.durationSeconds ?? accepted.durationSeconds;
  const withoutApprovers = breakGlass !== undefined || onCall?.decision.approved === true;
  const detail = {
    profile: profile.id,
    durationSeconds,
    reason,
    ticket,
    principal: principal.arn,
    ...(grants.length > 1 || grants[0]?.accountId !== deps.config.accountId
      ? { accounts: grants.map((g) => ({ account: g.accountId, principal: g.principal.arn })) }
      : {}),
    ...(breakGlass ? { breakGlass: true } : {}),
    // The on-call lookup's outcome (provider, schedule, level, shift end, or why not) is part of the
    // request's first audit event, so the trail says why it was or was not approved at once.
    ...(onCall ? { onCall: onCall.decision } : {}),
  };
  const request: AccessRequest = {
    id,
    requester: input.requester,
    profileId: profile.id,
    principal,
    grants,
    durationSeconds,
    reason,
    ticket,
    status: "PENDING",
    createdAt: now.toISOString(),
    approvals: [],
    approvalsRequired: withoutApprovers ? 0 : profile.approvalsRequired,
    ...(breakGlass ? { breakGlass: breakGlass.breakGlass } : {}),
    ...(onCall ? { onCall: onCall.decision } : {}),
    history: [{ at: now.toISOString(), actor: input.requester.slackUserId, action: "requested", detail }],
    version: 1,
  };
  try {
    await deps.store.create(request);
  } catch (error) {
    const existing =
      error instanceof ConflictError && input.requestId ? await deps.store.get(input.requestId) : undefined;
    // Only the same person's retry finds the first record; another's id is not theirs to read.
    if (!existing || existing.requester.slackUserId !== input.requester.slackUserId) throw error;
    // A retry of the same request: make sure its workflow runs (starting it twice is a no-op).
    await deps.workflow.start(existing.id, workflowInput(existing, profile));
    return existing;
  }
  await audit(deps, request.id, input.requester.slackUserId, "requested", detail, request.createdAt);
  deps.metrics?.record("Requests", 1, { outcome: "requested", profile: profile.id });
  await announceWithoutApprovers(deps, request);
  await deps.workflow.start(request.id, workflowInput(request, profile));
  return request;
}

/**
 * The audit events of a request decided at creation (the on-call lookup, break-glass), and the loud
 * notices: break-glass to the audit channel, the topic and every approver; an on-call approval as an
 * FYI to the approvers. Sent before the workflow starts, so nobody learns of it from the grant first.
 */
async function announceWithoutApprovers(deps: Deps, request: AccessRequest): Promise<void> {
  const actor = request.requester.slackUserId;
  if (request.onCall?.approved) {
    await notifySafely(deps, { type: "on-call-approved", request, detail: { ...request.onCall } });
  }
  if (request.breakGlass) {
    const detail = {
      reason: request.reason,
      durationSeconds: request.durationSeconds,
      ...request.breakGlass,
    };
    await audit(deps, request.id, actor, "break-glass", detail, request.createdAt);
    await notifySafely(deps, { type: "break-glass", request, detail });
  }
}

/** The requester withdraws a request that is still waiting for approval. */
export async function cancelRequest(
  deps: Deps,
  input: { requestId: string; actor: string },
): Promise<AccessRequest> {
  const cancelled = await retryOnConflict(deps, input.requestId, async (request) => {
    if (request.requester.slackUserId !== input.actor) {
      throw new NotAuthorizedError("only the requester can cancel a request");
    }
    if (request.status === "CANCELLED") return request; // a retry: hand the outcome to the workflow again
    if (request.status !== "PENDING") {
      throw new ValidationError(
        "status",
        `request ${request.id} is ${request.status.toLowerCase()}; only pending requests can be cancelled`,
      );
    }
    return transition(deps, request, "CANCELLED", input.actor, {
      endedAt: deps.clock.now().toISOString(),
      endedBy: input.actor,
    });
  });
  if (cancelled.taskToken)
    await deps.workflow.sendTaskFailure(cancelled.taskToken, "Cancelled", `cancelled by ${input.actor}`);
  return cancelled;
}
