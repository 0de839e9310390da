/** `jit approve`, `deny`, `extend`, `revoke` and `cancel`: one person acting on one request. */
import type { AccessRequest } from "../../core/request.ts";
import { nowOf, until } from "../format.ts";
import type { Io } from "../io.ts";
import { callSandbox } from "../sandbox-client.ts";

const print = (io: Io, json: boolean | undefined, data: unknown, text: string) =>
  io.out(json ? JSON.stringify(data, null, 2) : text);

export async function approveCommand(
  id: string,
  o: { as?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const result = await callSandbox<{ outcome: string; request: AccessRequest }>(
    "POST",
    `/requests/${id}/approve`,
    {
      as: o.as,
    },
  );
  const { approvals, approvalsRequired } = result.request;
  print(
    io,
    o.json,
    result,
    result.outcome === "approved"
      ? `approved: ${id}`
      : `approval recorded: ${id} (${approvals.length} of ${approvalsRequired}; another approver is needed)`,
  );
  return 0;
}

export async function denyCommand(
  id: string,
  o: { as?: string; reason: string; json?: boolean },
  io: Io,
): Promise<number> {
  const result = await callSandbox<AccessRequest>("POST", `/requests/${id}/deny`, {
    as: o.as,
    reason: o.reason,
  });
  print(io, o.json, result, `denied: ${result.id} (${result.denialReason})`);
  return 0;
}

export async function extendCommand(
  id: string,
  o: { as?: string; by: string; json?: boolean },
  io: Io,
): Promise<number> {
  const result = await callSandbox<{ outcome: string; request: AccessRequest }>(
    "POST",
    `/requests/${id}/extend`,
    {
      as: o.as,
      by: o.by,
    },
  );
  print(
    io,
    o.json,
    result,
    result.outcome === "extended"
      ? `extended: ${id} ${until(result.request.expiresAt, nowOf(io))}`
      : `extension asked: ${id} (an approver must approve it)`,
  );
  return 0;
}

export async function revokeCommand(id: string, o: { as?: string; json?: boolean }, io: Io): Promise<number> {
  const result = await callSandbox<unknown>("POST", `/requests/${id}/revoke`, { as: o.as });
  print(io, o.json, result, `revoked: ${id}`);
  return 0;
}

/**
 * Withdraws a pending request. The sandbox answers a repeated cancel as a success (a retry must be
 * safe), so the person is told here that it was already cancelled, and the command exits 1.
 */
export async function cancelCommand(id: string, o: { as?: string; json?: boolean }, io: Io): Promise<number> {
  const before = await callSandbox<{ request: AccessRequest }>("GET", `/requests/${id}`);
  if (before.request.status === "CANCELLED") {
    io.err(`jit: ${id} was already cancelled; nothing was changed`);
    return 1;
  }
  const result = await callSandbox<AccessRequest>("POST", `/requests/${id}/cancel`, { as: o.as });
  print(io, o.json, result, `cancelled: ${id}`);
  return 0;
}
