/** The bot token goes exactly to the functions that post to Slack. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { entryFile, FUNCTION_ENTRIES, type FunctionName } from "../../../stacks/entries.ts";

describe("function entries", () => {
  it.each(Object.keys(FUNCTION_ENTRIES) as FunctionName[])(
    "%s gets the Slack token only if it talks to Slack",
    (name) => {
      const source = readFileSync(new URL(`../../../${entryFile(name)}`, import.meta.url), "utf8");
      const talksToSlack = /from "\.\/(notifier|slack-client)\.ts"/.test(source);
      expect(FUNCTION_ENTRIES[name].slack).toBe(talksToSlack);
    },
  );
});
