/** The sandbox's terminal line of a session notice names the session's account (issue 12). */
import { describe, expect, it } from "vitest";
import { ConsoleNotifier } from "../../../local/console-notifier.ts";

describe("the sandbox's session notice line", () => {
  it("says which account the session ran in, when it is known", async () => {
    const lines: string[] = [];
    const notifier = new ConsoleNotifier((line) => lines.push(line));
    const session = {
      sessionId: "alice-0123",
      target: "i-0aaa1000000000011",
      owner: "arn:aws:sts::444455556666:assumed-role/jit-alice/alice",
      startAnnounced: true,
      endAnnounced: false,
      version: 1,
    };
    await notifier.notifySession({
      type: "session-started",
      session: { ...session, accountId: "444455556666" },
      outcome: "started",
      actor: session.owner,
    });
    await notifier.notifySession({
      type: "session-started",
      session,
      outcome: "started",
      actor: session.owner,
    });
    expect(lines[0]).toContain("on i-0aaa1000000000011 in 444455556666");
    expect(lines[1]).toContain("on i-0aaa1000000000011  started");
  });
});
