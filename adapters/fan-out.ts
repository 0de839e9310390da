/**
 * Sends each notice to every channel (Slack, SNS). A channel that fails is logged and the others still
 * get the notice; only when every channel failed does the caller see an error (and its retry).
 */
import type { Notice, Notifier } from "../core/ports.ts";

export class FanOutNotifier implements Notifier {
  private readonly channels: { name: string; notifier: Notifier }[];

  constructor(channels: { name: string; notifier: Notifier }[]) {
    this.channels = channels;
  }

  async notify(notice: Notice): Promise<void> {
    const results = await Promise.allSettled(this.channels.map((c) => c.notifier.notify(notice)));
    const failures = results.flatMap((result, i) =>
      result.status === "rejected" ? [{ channel: this.channels[i]?.name, error: String(result.reason) }] : [],
    );
    for (const f of failures) {
      console.error(
        JSON.stringify({
          level: "error",
          message: "notice channel failed",
          notice: notice.type,
          requestId: notice.request.id,
          ...f,
        }),
      );
    }
    if (failures.length > 0 && failures.length === this.channels.length) {
      throw new AggregateError(
        results.flatMap((r) => (r.status === "rejected" ? [r.reason] : [])),
        `every notice channel failed for ${notice.type} ${notice.request.id}`,
      );
    }
  }
}
