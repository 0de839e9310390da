/** Helpers every use case shares: loading, audited transitions, conflict retries, safe notices. */
import { ConflictError, NotFoundError } from "../errors.ts";
import { describeError, log } from "../log.ts";
import type { AuditEvent, Deps, Notice } from "../ports.ts";
import { type AccessRequest, assertTransition, type HistoryEntry, type Status } from "../request.ts";

/** Loads a request or throws NotFoundError naming it. */
export async function loadRequest(deps: Deps, id: string): Promise<AccessRequest> {
  const request = await deps.store.get(id);
  if (!request) throw new NotFoundError(`no request ${id}`);
  log.forRequest({ requestId: request.id, profile: request.profileId, principal: request.principal.arn });
  return request;
}

/**
 * Appends one event to the append-only audit log, retrying a few times. A status change never depends
 * on it: transitions also keep their event inside the record, written with the status itself.
 */
export async function audit(
  deps: Deps,
  requestId: string,
  actor: string,
  action: string,
  detail?: Record<string, unknown>,
  at = deps.clock.now().toISOString(),
): Promise<void> {
  const event: AuditEvent = { requestId, at, actor, action, detail };
  for (let tries = 1; ; tries++) {
    try {
      await deps.store.appendAudit(event);
      return;
    } catch (error) {
      if (tries >= 4) {
        log.error("audit event not appended (the record keeps status changes)", {
          requestId,
          action,
          error: describeError(error),
        });
        return;
      }
    }
  }
}

/** The whole trail of a request: the audit log merged with the status changes kept in the record. */
export async function auditTrail(deps: Deps, id: string): Promise<AuditEvent[]> {
  const request = await loadRequest(deps, id);
  const events = await deps.store.audit(id);
  const seen = new Set(events.map((e) => `${e.at}|${e.action}|${e.actor}`));
  for (const entry of request.history) {
    if (!seen.has(`${entry.at}|${entry.action}|${entry.actor}`)) events.push({ requestId: id, ...entry });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Moves a request to `to` with a conditional write that also appends the event to the record's own
 * history (atomic with the status), then copies the event to the audit log. A lost race records nothing.
 */
export async function transition(
  deps: Deps,
  request: AccessRequest,
  to: Status,
  actor: string,
  changes: Partial<AccessRequest> = {},
  detail?: Record<string, unknown>,
): Promise<AccessRequest> {
  assertTransition(request.status, to);
  const at = deps.clock.now().toISOString();
  const entry: HistoryEntry = { at, actor, action: to.toLowerCase(), detail };
  const updated = await deps.store.update(request, {
    ...changes,
    status: to,
    history: [...request.history, entry],
  });
  await audit(deps, request.id, actor, entry.action, detail, at);
  measureTransition(deps, updated, to, actor, at);
  return updated;
}

const GRANTED_WITHOUT_APPROVERS = new Set(["auto-approval", "break-glass", "on-call"]);

/** The request funnel, and how long the approvers took (people only: auto-approval takes no time). */
function measureTransition(deps: Deps, request: AccessRequest, to: Status, actor: string, at: string) {
  const profile = request.profileId;
  deps.metrics?.record("Requests", 1, { outcome: to.toLowerCase(), profile });
  // Granted without approvers (profile, break-glass, on call: autoApprover's names): nobody waited.
  if ((to === "APPROVED" || to === "DENIED") && !GRANTED_WITHOUT_APPROVERS.has(actor)) {
    const waited = (Date.parse(at) - Date.parse(request.createdAt)) / 1000;
    deps.metrics?.record("ApprovalWait", Math.max(0, waited), { profile });
  }
}

/** Runs `attempt` on a fresh read until it wins its conditional write (bounded). */
export async function retryOnConflict<T>(
  deps: Deps,
  id: string,
  attempt: (r: AccessRequest) => Promise<T>,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(await loadRequest(deps, id));
    } catch (error) {
      if (!(error instanceof ConflictError) || tries >= 8) throw error;
    }
  }
}

/** Sends a notice; a failure is logged, never thrown: telling people must not stop access changes. */
export async function notifySafely(deps: Deps, notice: Notice): Promise<void> {
  try {
    await deps.notifier.notify(notice);
  } catch (error) {
    log.error("notice not delivered", {
      notice: notice.type,
      requestId: notice.request.id,
      error: describeError(error),
    });
  }
}

/** The profile of a request; a request whose profile was removed from the config is refused. */
export function profileOf(deps: Deps, request: AccessRequest) {
  const profile = deps.config.profiles[request.profileId];
  if (!profile)
    throw new NotFoundError(`profile ${request.profileId} of request ${request.id} is no longer configured`);
  return profile;
}
