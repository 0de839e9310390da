/** The README's commands are true: every `npx jit` line runs, every `npm run` script exists. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { captureIo } from "../helpers/io.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const scripts = Object.keys(
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).scripts,
);
const jitLines = [...readme.matchAll(/^\s*npx jit ([^\n#]+?)\s*(?:#.*)?$/gm)].map((m) => (m[1] ?? "").trim());

describe("README", () => {
  it("shows jit commands", () => {
    expect(jitLines.length).toBeGreaterThanOrEqual(4);
  });

  it.each(jitLines)("`npx jit %s` runs and succeeds", async (line) => {
    const io = captureIo();
    const code = await main(line.split(/\s+/), io);
    expect(io.stderr()).toBe("");
    expect(code).toBe(0);
  });

  it("names only npm scripts that exist", () => {
    const named = [...readme.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]);
    for (const name of named) expect(scripts).toContain(name);
  });
});
