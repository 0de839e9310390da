/**
 * Sandbox transcripts: one file per shell session under <JIT_DATA>/transcripts/<sessionId>.log,
 * the sandbox's stand-in for the transcript Session Manager writes to CloudWatch Logs or S3. The
 * sandbox has no terminal to type into, so a transcript holds the session's start (who, which node,
 * which document, which grant) and its end (when, and why).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Notice, Notifier, SessionNotice } from "../core/ports.ts";

/** The transcript file of a session in `dir`; session ids are `<name>-<hex>`, safe as file names. */
export const transcriptPath = (dir: string, sessionId: string): string =>
  join(dir, `${sessionId.replace(/[^\w.@+=,-]/g, "_")}.log`);

function append(path: string, line: string): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${line}\n`);
}

/** The transcript's first line, written when the session opens. */
export function writeTranscriptStart(
  path: string,
  s: { sessionId: string; at: string; owner: string; target: string; region: string; document: string },
  requestId: string | undefined,
): void {
  append(
    path,
    `${s.at}  session ${s.sessionId} started by ${s.owner} on ${s.target} (${s.region}), document ${s.document}${requestId ? `, grant ${requestId}` : ", no grant"}`,
  );
}

/**
 * Passes every notice on, and ends the transcript of each session whose end is announced: the end
 * is recorded once (session-events.ts announces it once), whichever way it came (terminate, revoke,
 * exit found by the sweeper).
 */
export function endingTranscripts(inner: Notifier, pathOf: (sessionId: string) => string): Notifier {
  return {
    notify: (n: Notice) => inner.notify(n),
    notifySession: async (n: SessionNotice) => {
      if (n.type === "session-ended" && n.transcript?.kind === "file") {
        const s = n.session;
        append(
          pathOf(s.sessionId),
          `${s.endedAt ?? new Date().toISOString()}  session ${s.sessionId} ended (${s.endReason ?? "unknown"})`,
        );
      }
      await inner.notifySession(n);
    },
  };
}
