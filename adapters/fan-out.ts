/**
 * Sends each notice to every channel (Slack, SNS). A channel that fails is logged and the others still
 * get the notice; only when every channel failed does the caller see an error (and its retry).
 */
import { log } from "../core/log.ts";
import type { Notice, Notifier, SessionNotice } from "../core/ports.ts";

export class FanOutNotifier implements Notifier {
  private readonly channels: { name: string; notifier: Notifier }[];

  constructor(channels: { name: string; notifier: Notifier }[]) {
    this.channels = channels;
  }

  notify(notice: Notice): Promise<void> {
    return this.all((n) => n.notify(notice), notice.type, notice.request.id);
  }

  notifySession(notice: SessionNotice): Promise<void> {
    return this.all((n) => n.notifySession(notice), notice.type, notice.session.sessionId);
  }

  private async all(send: (n: Notifier) => Promise<void>, type: string, subject: string): Promise<void> {
    const results = await Promise.allSettled(this.channels.map((c) => send(c.notifier)));
    const failures = results.flatMap((result, i) =>
      result.status === "rejected" ? [{ channel: this.channels[i]?.name, error: String(result.reason) }] : [],
    );
    for (const f of failures) {
      log.error("notice channel failed", { notice: type, subject, ...f });
    }
    if (failures.length > 0 && failures.length === this.channels.length) {
      throw new AggregateError(
        results.flatMap((r) => (r.status === "rejected" ? [r.reason] : [])),
        `every notice channel failed for ${type} ${subject}`,
      );
    }
  }
}
