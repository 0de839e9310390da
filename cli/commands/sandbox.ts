/**
 * `jit` commands that act on the running sandbox: request, list, show, approve, deny, extend,
 * revoke, cancel, sessions, ssm start-session. Readable by default, `--json` for scripts.
 */
import type { AuditEvent, SessionInfo } from "../../core/ports.ts";
import type { AccessRequest } from "../../core/request.ts";
import type { Io } from "../main.ts";
import { callSandbox } from "../sandbox-client.ts";
import { parseFlags, required, UsageError } from "../usage.ts";

const line = (r: AccessRequest) =>
  `${r.id}  ${r.status.padEnd(9)} ${r.profileId.padEnd(10)} ${r.requester.slackUserId.padEnd(10)} ${r.expiresAt && r.status === "ACTIVE" ? `until ${r.expiresAt}` : r.createdAt}`;

/** One status line of a request, as the progress line shows it. */
function progress(r: AccessRequest): string {
  if (r.status === "PENDING") return `waiting for approval: ${r.approvals.length} of ${r.approvalsRequired}`;
  if (r.status === "ACTIVE") return `active until ${r.expiresAt}`;
  return r.status.toLowerCase();
}

const settled = (r: AccessRequest) =>
  ["ACTIVE", "REVOKED", "DENIED", "EXPIRED", "CANCELLED", "FAILED"].includes(r.status);

/** Follows a request until it is active or settled, on one live line on a terminal. */
async function follow(
  id: string,
  io: Io,
  until: (r: AccessRequest) => boolean,
  intervalMs = 500,
): Promise<AccessRequest> {
  const tty = process.stdout.isTTY === true;
  let last = "";
  const started = Date.now();
  for (;;) {
    const { request } = await callSandbox<{ request: AccessRequest }>("GET", `/requests/${id}`);
    const text = `${id}: ${progress(request)}`;
    if (tty) process.stdout.write(`\r${text} · ${Math.round((Date.now() - started) / 1000)}s   `);
    else if (text !== last) io.out(text);
    last = text;
    if (until(request)) {
      if (tty) process.stdout.write("\n");
      return request;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function sandboxCommand(command: string, args: string[], io: Io): Promise<number> {
  const id = args[0] && !args[0].startsWith("--") ? args[0] : undefined;
  const rest = id ? args.slice(1) : args;
  const print = (json: boolean | undefined, data: unknown, text: () => string) =>
    io.out(json ? JSON.stringify(data, null, 2) : text());
  const needId = () => {
    if (!id) throw new UsageError(`jit ${command} needs a request id`);
    return id;
  };

  switch (command) {
    case "request": {
      const f = parseFlags(rest, {
        as: { type: "string" },
        profile: { type: "string" },
        for: { type: "string" },
        reason: { type: "string" },
        ticket: { type: "string" },
        wait: { type: "boolean" },
        json: { type: "boolean" },
      });
      const r = await callSandbox<AccessRequest>("POST", "/requests", {
        as: required(f, "as"),
        profile: required(f, "profile"),
        for: f.for,
        reason: f.reason,
        ticket: f.ticket,
      });
      const final = f.wait ? await follow(r.id, f.json ? { ...io, out: () => {} } : io, settled) : r;
      print(f.json, final, () => `${final.id}  ${progress(final)}`);
      return 0;
    }
    case "list": {
      const f = parseFlags(rest, { as: { type: "string" }, json: { type: "boolean" } });
      const list = await callSandbox<AccessRequest[]>(
        "GET",
        `/requests${f.as ? `?as=${encodeURIComponent(f.as)}` : ""}`,
      );
      print(f.json, list, () => (list.length ? list.map(line).join("\n") : "No requests yet."));
      return 0;
    }
    case "show": {
      const f = parseFlags(rest, { json: { type: "boolean" }, follow: { type: "boolean" } });
      const target = needId();
      if (f.follow) await follow(target, io, (r) => settled(r) && r.status !== "ACTIVE");
      const data = await callSandbox<{ request: AccessRequest; trail: AuditEvent[] }>(
        "GET",
        `/requests/${target}`,
      );
      print(f.json, data, () =>
        [
          line(data.request),
          `reason: ${data.request.reason || "-"}${data.request.ticket ? `  ticket: ${data.request.ticket}` : ""}`,
          ...(data.request.principal.kind === "shared-role" && data.request.status === "ACTIVE"
            ? [
                `principal: ${data.request.principal.arn} as ${data.request.principal.sessionName}: your current SSO session works as it is (no new role, no re-login); use your SSO profile with aws ssm start-session`,
              ]
            : []),
          "audit trail:",
          ...data.trail.map(
            (e) =>
              `  ${e.at}  ${e.action.padEnd(20)} ${e.actor}${e.detail ? `  ${JSON.stringify(e.detail)}` : ""}`,
          ),
        ].join("\n"),
      );
      return 0;
    }
    case "approve":
    case "cancel":
    case "revoke": {
      const f = parseFlags(rest, { as: { type: "string" }, json: { type: "boolean" } });
      const result = await callSandbox<Record<string, unknown>>("POST", `/requests/${needId()}/${command}`, {
        as: required(f, "as"),
      });
      const done =
        command === "approve"
          ? result.outcome === "approved"
            ? "approved"
            : "approval recorded; more are needed"
          : `${command}d`;
      print(f.json, result, () => `${done}: ${id}`);
      return 0;
    }
    case "deny": {
      const f = parseFlags(rest, {
        as: { type: "string" },
        reason: { type: "string" },
        json: { type: "boolean" },
      });
      const result = await callSandbox<AccessRequest>("POST", `/requests/${needId()}/deny`, {
        as: required(f, "as"),
        reason: required(f, "reason"),
      });
      print(f.json, result, () => `denied: ${result.id} (${result.denialReason})`);
      return 0;
    }
    case "extend": {
      const f = parseFlags(rest, {
        as: { type: "string" },
        by: { type: "string" },
        json: { type: "boolean" },
      });
      const result = await callSandbox<{ outcome: string; request: AccessRequest }>(
        "POST",
        `/requests/${needId()}/extend`,
        {
          as: required(f, "as"),
          by: required(f, "by"),
        },
      );
      print(f.json, result, () =>
        result.outcome === "extended"
          ? `extended: ${id} until ${result.request.expiresAt}`
          : `extension asked: ${id} (an approver must approve it)`,
      );
      return 0;
    }
    case "sessions": {
      const f = parseFlags(rest, { json: { type: "boolean" } });
      const sessions = await callSandbox<(SessionInfo & { status: string })[]>("GET", "/sessions");
      print(f.json, sessions, () =>
        sessions.length
          ? sessions.map((s) => `${s.sessionId}  ${s.status.padEnd(10)} ${s.target}  ${s.owner}`).join("\n")
          : "No sessions yet.",
      );
      return 0;
    }
    case "ssm": {
      if (id !== "start-session")
        throw new UsageError("jit ssm start-session --as <person> --target <node> [--document NAME]");
      const f = parseFlags(rest, {
        as: { type: "string" },
        target: { type: "string" },
        document: { type: "string" },
        json: { type: "boolean" },
      });
      const result = await callSandbox<{
        allowed: boolean;
        sessionId?: string;
        reason?: string;
        outcome: string;
      }>("POST", "/sessions", {
        as: required(f, "as"),
        target: required(f, "target"),
        document: f.document,
      });
      print(f.json, result, () =>
        result.allowed
          ? `Starting session with SessionId: ${result.sessionId}`
          : `An error occurred (AccessDeniedException) when calling the StartSession operation: ${result.reason}`,
      );
      return result.allowed ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}
