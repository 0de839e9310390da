/**
 * A fake Slack Web API on 127.0.0.1 that records every call and answers the way Slack does for the
 * methods the app uses. Point a WebClient at it with `slackApiUrl`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  token: string | undefined;
}

export interface FakeSlack {
  url: string;
  calls: SlackCall[];
  /** Calls of one method, in order. */
  of: (method: string) => Record<string, unknown>[];
  /** Makes the next `count` calls of a method fail with a Slack error. */
  failNext: (method: string, error: string, count?: number) => void;
  stop: () => Promise<void>;
}

/** Form fields that hold JSON (blocks, view, …) are parsed back into objects. */
function decode(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) return JSON.parse(body || "{}");
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    params[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return params;
}

export async function startFakeSlack(
  options: { emails?: Record<string, string>; groups?: Record<string, string[]> } = {},
): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const failures = new Map<string, { error: string; count: number }>();
  let ts = 1_764_147_600;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const method = (req.url ?? "").replace(/^\/(api\/)?/, "").split("?")[0] ?? "";
      const params = decode(body, req.headers["content-type"]);
      calls.push({ method, params, token: req.headers.authorization?.replace(/^Bearer /, "") });
      const failure = failures.get(method);
      let answer: Record<string, unknown> = { ok: true };
      if (failure && failure.count > 0) {
        failure.count--;
        answer = { ok: false, error: failure.error };
      } else if (method === "chat.postMessage") {
        answer = { ok: true, channel: params.channel, ts: `${++ts}.000100`, message: { text: params.text } };
      } else if (method === "users.info") {
        const user = String(params.user);
        answer = { ok: true, user: { id: user, profile: { email: options.emails?.[user] } } };
      } else if (method === "usergroups.users.list") {
        answer = { ok: true, users: options.groups?.[String(params.usergroup)] ?? [] };
      } else if (method === "views.open") {
        answer = { ok: true, view: { id: `V${++ts}` } };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    of: (method) => calls.filter((c) => c.method === method).map((c) => c.params),
    failNext: (method, error, count = 1) => void failures.set(method, { error, count }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
