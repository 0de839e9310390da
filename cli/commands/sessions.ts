/** `jit sessions` and `jit ssm start-session`: Session Manager as the sandbox account runs it. */
import type { SessionInfo } from "../../core/ports.ts";
import { table } from "../format.ts";
import type { Io } from "../io.ts";
import { callSandbox } from "../sandbox-client.ts";

export async function sessionsCommand(o: { json?: boolean }, io: Io): Promise<number> {
  const sessions = await callSandbox<(SessionInfo & { status: string })[]>("GET", "/sessions");
  if (o.json) io.out(JSON.stringify(sessions, null, 2));
  else if (!sessions.length) io.out("No sessions yet.");
  else {
    const rows = sessions.map((s) => [s.sessionId, s.status, s.target, s.owner]);
    io.out(table(["SESSION", "STATUS", "TARGET", "OWNER"], rows, io).join("\n"));
  }
  return 0;
}

/** Starts a session the way `aws ssm start-session` would, with AWS's words when it is refused. */
export async function startSessionCommand(
  o: { as: string; target: string; document?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const result = await callSandbox<{ allowed: boolean; sessionId?: string; reason?: string }>(
    "POST",
    "/sessions",
    {
      as: o.as,
      target: o.target,
      document: o.document,
    },
  );
  if (o.json) io.out(JSON.stringify(result, null, 2));
  else
    io.out(
      result.allowed
        ? `Starting session with SessionId: ${result.sessionId}`
        : `An error occurred (AccessDeniedException) when calling the StartSession operation: ${result.reason}`,
    );
  return result.allowed ? 0 : 1;
}
