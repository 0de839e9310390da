/**
 * Two invocations at once in one process (the sandbox, tests, Lambda multi-concurrency): one starting
 * must not unmask the other's task token, and neither masks the other's words.
 */
import { afterEach, describe, expect, it } from "vitest";
import { invocationKeys } from "../../../../adapters/observability/keys.ts";
import { type LogSink, log, setLogSink } from "../../../../core/log.ts";

afterEach(() => setLogSink(undefined));

describe("an invocation's task token", () => {
  it("stays masked on its own lines while another invocation starts and ends", async () => {
    const lines: string[] = [];
    const sink: LogSink = {
      write: (_level, message) => lines.push(message),
      appendKeys: invocationKeys.append,
      resetKeys: invocationKeys.reset,
      invocationSecrets: invocationKeys.secrets,
    };
    setLogSink(sink);
    let letAGoOn: () => void = () => {};
    const aMayGoOn = new Promise<void>((r) => {
      letAGoOn = r;
    });
    const a = invocationKeys.run(async () => {
      log.newInvocation();
      log.secret("token-of-A-0123456789", "invocation");
      await aMayGoOn;
      log.info("A still has token-of-A-0123456789");
    });
    await invocationKeys.run(async () => {
      // B starts while A waits: before, this cleared one process-wide set, A's token with it.
      log.newInvocation();
      log.secret("token-of-B-0123456789", "invocation");
      log.info("B saw token-of-A-0123456789 and token-of-B-0123456789");
    });
    letAGoOn();
    await a;
    expect(lines).toEqual(["B saw token-of-A-0123456789 and [redacted]", "A still has [redacted]"]);
  });
});
