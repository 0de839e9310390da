/**
 * The transcript line of a session-ended message: where the session's transcript is, linked to the
 * console, or why there is none. Names in it come from the config and from CloudTrail (the session
 * id), so labels are escaped and addresses are built only from URL-encoded parts (core/transcripts.ts).
 */
import type { TranscriptLocation } from "../../core/transcripts.ts";
import { SHOWN, shown } from "./mrkdwn.ts";

/** Slack's link form; a URL with `|` or `>` in it would break out of it, so such a URL is not linked. */
const link = (url: string | undefined, label: string): string =>
  url && !/[|<>\s]/.test(url) ? `<${url}|${label}>` : label;

/** One mrkdwn line about the transcript. */
export function transcriptLine(t: TranscriptLocation): string {
  switch (t.kind) {
    case "logged": {
      const parts: string[] = [];
      if (t.cloudWatch) {
        const label = `CloudWatch Logs ${shown(t.cloudWatch.logGroup, SHOWN.detail)} › ${shown(t.cloudWatch.logStream, SHOWN.sessionId)}`;
        parts.push(link(t.cloudWatch.url, label));
      }
      if (t.s3) {
        const label = `s3://${shown(t.s3.bucket, SHOWN.word)}/${shown(t.s3.key, SHOWN.detail)}`;
        parts.push(link(t.s3.url, label));
      }
      return `Transcript: ${parts.join(" · ")}`;
    }
    case "file":
      return `Transcript: \`${shown(t.path, SHOWN.detail)}\` (sandbox)`;
    case "not-logged":
      return `No transcript: Session Manager does not log ${shown(t.document, SHOWN.word)} sessions (port forwarding and SSH are not logged)`;
    case "none-known":
      return `Transcript: none known (${shown(t.why, SHOWN.detail)})`;
  }
}
