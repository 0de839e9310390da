/**
 * `jit sessions` and `jit ssm start-session`: Session Manager as the sandbox's accounts run it, each
 * session with the account it lives in.
 */
import type { SessionView } from "../../adapters/api/views.ts";
import { accountText, table } from "../format.ts";
import type { Io } from "../io.ts";
import { callSandbox } from "../sandbox-client.ts";

export async function sessionsCommand(o: { json?: boolean }, io: Io): Promise<number> {
  const sessions = await callSandbox<(SessionView & { status?: string })[]>("GET", "/sessions");
  if (o.json) io.out(JSON.stringify(sessions, null, 2));
  else if (!sessions.length) io.out("No sessions yet.");
  else {
    const rows = sessions.map((s) => [
      s.sessionId,
      s.status ?? "-",
      s.target,
      s.accountId ? accountText({ accountId: s.accountId, name: s.accountName }) : "-",
      s.owner,
    ]);
    io.out(table(["SESSION", "STATUS", "TARGET", "ACCOUNT", "OWNER"], rows, io).join("\n"));
  }
  return 0;
}

/**
 * Starts a session the way `aws ssm start-session` would, with AWS's words when it is refused; in
 * the account that holds the node, or the one `--account` names when several hold that id.
 */
export async function startSessionCommand(
  o: { as: string; target: string; document?: string; account?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const result = await callSandbox<{ allowed: boolean; sessionId?: string; reason?: string }>(
    "POST",
    "/sessions",
    {
      as: o.as,
      target: o.target,
      document: o.document,
      ...(o.account ? { account: o.account } : {}),
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
