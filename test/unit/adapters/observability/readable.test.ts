/** The sandbox's readable log: the same events as on Lambda, one line each, keys per invocation. */
import { describe, expect, it } from "vitest";
import { invocationKeys } from "../../../../adapters/observability/keys.ts";
import { LoggedMetrics, readableSink } from "../../../../adapters/observability/readable.ts";

const at = () => new Date("2026-11-29T12:04:05Z");

describe("readable log lines", () => {
  it("print the time, the level, the message, then the invocation's keys and the attributes", async () => {
    // Prepare
    const printed: string[] = [];
    const sink = readableSink((l) => printed.push(l), "info", at);
    // Act: two invocations at once, each with its own request.
    await Promise.all(
      ["20261126-aaaaaaaa", "20261126-bbbbbbbb"].map((requestId) =>
        invocationKeys.run(async () => {
          sink.appendKeys({ requestId, profile: "prod-web" });
          await new Promise((r) => setTimeout(r, 1));
          sink.write("warn", "notice not delivered", { notice: "granted", error: "Error: slack down" });
        }),
      ),
    );
    // Assess: keys never cross from one invocation to the other.
    expect(printed.sort()).toEqual([
      '12:04:05 warn  notice not delivered  requestId=20261126-aaaaaaaa profile=prod-web notice=granted error="Error: slack down"',
      '12:04:05 warn  notice not delivered  requestId=20261126-bbbbbbbb profile=prod-web notice=granted error="Error: slack down"',
    ]);
  });

  it("leave out lines below the level, and print metrics at debug", () => {
    const printed: string[] = [];
    const quiet = readableSink((l) => printed.push(l), "info", at);
    new LoggedMetrics(quiet).record("Requests", 1, { outcome: "approved", profile: "prod-web" });
    expect(printed).toEqual([]);
    const chatty = readableSink((l) => printed.push(l), "debug", at);
    new LoggedMetrics(chatty).record("Requests", 1, { outcome: "approved", profile: "prod-web" });
    expect(printed).toEqual(["12:04:05 debug metric Requests 1  outcome=approved profile=prod-web"]);
  });
});
