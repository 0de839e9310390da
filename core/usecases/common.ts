/** Helpers every use case shares: loading, audited transitions, conflict retries, safe notices. */
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Deps, Notice } from "../ports.ts";
import { type AccessRequest, assertTransition, type Status } from "../request.ts";

/** Loads a request or throws NotFoundError naming it. */
export async function loadRequest(deps: Deps, id: string): Promise<AccessRequest> {
  const request = await deps.store.get(id);
  if (!request) throw new NotFoundError(`no request ${id}`);
  return request;
}

/** Appends one audit event, stamped with the clock. */
export async function audit(
  deps: Deps,
  requestId: string,
  actor: string,
  action: string,
  detail?: Record<string, unknown>,
): Promise<void> {
  await deps.store.appendAudit({ requestId, at: deps.clock.now().toISOString(), actor, action, detail });
}

/**
 * Moves a request to `to` with a conditional write, then appends the audit event. The write comes
 * first so a lost race records nothing.
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
  const updated = await deps.store.update(request, { ...changes, status: to });
  await audit(deps, request.id, actor, to.toLowerCase(), detail);
  return updated;
}

/** Runs `attempt` on a fresh read until it wins its conditional write (bounded). */
export async function retryOnConflict<T>(deps: Deps, id: string, attempt: (r: AccessRequest) => Promise<T>): Promise<T> {
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
    console.error(
      JSON.stringify({
        level: "error",
        message: "notice not delivered",
        notice: notice.type,
        requestId: notice.request.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
  }
}

/** The profile of a request; a request whose profile was removed from the config is refused. */
export function profileOf(deps: Deps, request: AccessRequest) {
  const profile = deps.config.profiles[request.profileId];
  if (!profile) throw new NotFoundError(`profile ${request.profileId} of request ${request.id} is no longer configured`);
  return profile;
}
