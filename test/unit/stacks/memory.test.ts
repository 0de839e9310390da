/**
 * The Slack function's memory comes from the cold-start measurement in bench/results/slack-ack.json.
 * Failed on main before this change: every function had a hard-coded 256 MB and the bench recorded no
 * CPU time or memory (`cold.memory` was undefined), so nothing tied the setting to a measurement.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { recommendMemory } from "../../../bench/slack-ack.ts";
import { FUNCTION_ENTRIES } from "../../../stacks/entries.ts";

const results = JSON.parse(
  readFileSync(new URL("../../../bench/results/slack-ack.json", import.meta.url), "utf8"),
) as { cold: { cpuMs: number; rssMb: number; memory: { memoryMb: number } } };
const mb = (setting: string) => Number(/^(\d+) MB$/.exec(setting)?.[1]);

describe("the Slack function's memory", () => {
  it("is at least what the recorded cold-start measurement asks for", () => {
    expect(results.cold.memory.memoryMb).toBe(
      recommendMemory(results.cold.cpuMs, results.cold.rssMb).memoryMb,
    );
    expect(mb(FUNCTION_ENTRIES.slack.memory)).toBeGreaterThanOrEqual(results.cold.memory.memoryMb);
  });

  it.each([
    [100, 40, 256, 691],
    [488, 106, 896, 963],
    [2000, 100, 3584, 2000],
  ])("recommends for %s ms of CPU and %s MB resident: %s MB (~%s ms)", (cpuMs, rssMb, memoryMb, coldMs) => {
    expect(recommendMemory(cpuMs, rssMb)).toEqual({ memoryMb, estimatedColdMs: coldMs });
  });
});
