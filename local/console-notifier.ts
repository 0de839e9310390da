/** Notices in the sandbox: one readable line each on the terminal, kept for `jit` and tests to read. */
import type { Notice, Notifier, SessionNotice } from "../core/ports.ts";
import { describeTranscript } from "../core/transcripts.ts";

export class ConsoleNotifier implements Notifier {
  readonly kept: (Notice | SessionNotice)[] = [];
  /** Another notifier to pass every notice on to (Slack, when the sandbox has it). */
  also: Notifier | undefined;
  private readonly print: (line: string) => void;

  constructor(print: (line: string) => void = (line) => console.log(line)) {
    this.print = print;
  }

  async notify(n: Notice): Promise<void> {
    this.kept.push(n);
    const r = n.request;
    const until = n.type === "granted" || n.type === "extended" ? ` until ${r.expiresAt}` : "";
    const why = n.detail?.reason ?? n.detail?.failure ?? n.detail?.problem ?? r.denialReason;
    this.print(
      `notice  ${n.type.padEnd(16)} ${r.id}  ${r.profileId}  ${r.requester.slackUserId}${until}${why ? `  (${String(why)})` : ""}`,
    );
    await this.also?.notify(n);
  }

  async notifySession(n: SessionNotice): Promise<void> {
    this.kept.push(n);
    const on = n.session.target ? ` on ${n.session.target}` : "";
    // A session in another account than the hub's says which (issue 12).
    const account = n.session.accountId ? ` in ${n.session.accountId}` : "";
    const where = `${on}${account}`;
    const grant = n.request ? `  grant ${n.request.id}` : "";
    const transcript = n.transcript ? `  transcript ${describeTranscript(n.transcript)}` : "";
    this.print(
      `notice  ${n.type.padEnd(16)} ${n.session.sessionId}${where}  ${n.outcome}  by ${n.actor}${grant}${n.detail ? `  (${n.detail})` : ""}${transcript}`,
    );
    await this.also?.notifySession(n);
  }
}
