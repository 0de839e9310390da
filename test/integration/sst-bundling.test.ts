/**
 * The bench and the bundle tests build what SST deploys. The stack passes NODEJS_OPTIONS to every
 * function; bench/bundles.ts builds from the same object (bench/sst-esbuild.ts, after SST's Go
 * builder), and here the Slack bundle built through SST's own plugin runner, as on deploy, must be
 * byte for byte the one the bench measures. Failed on main before this change: the bench built with
 * its own options (no plugins, target node24, no keepNames), so a stub given to esbuild there would
 * never have reached the deployed bundle, and `alias` in `nodejs.esbuild` is dropped by SST unread.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { bundle } from "../../bench/bundles.ts";
import { PROJECT_ROOT, sstBuildOptions, UnsupportedBundlingOptionError } from "../../bench/sst-esbuild.ts";
import { NODEJS_OPTIONS, PLUGINS_FILE, RUNTIME_PROVIDED } from "../../stacks/bundling.ts";
import { sstPluginRunner } from "../helpers/sst-plugin-runner.ts";

const out = mkdtempSync(join(tmpdir(), "jit-sst-bundling-"));

describe("the stack's bundling options", () => {
  it("are what stacks/functions.ts gives every function", () => {
    const functions = readFileSync(new URL("../../stacks/functions.ts", import.meta.url), "utf8");
    expect(functions).toMatch(/^\s*nodejs: NODEJS_OPTIONS,$/m);
    expect(NODEJS_OPTIONS.plugins).toBe(PLUGINS_FILE);
  });

  it("become the esbuild options SST's Go builder would use", async () => {
    const options = await sstBuildOptions(NODEJS_OPTIONS, "functions/slack.ts", join(out, "x.mjs"));
    expect(options).toMatchObject({
      platform: "node",
      format: "esm",
      target: "es2024",
      keepNames: true,
      minify: true,
      sourcemap: "linked",
      mainFields: ["module", "main"],
      external: ["sharp", "pg-native", ...RUNTIME_PROVIDED],
    });
    expect(options.plugins?.map((p) => p.name)).toEqual(["jit-stub-unused-modules"]);
  });

  it.each([
    [
      "esbuild.alias",
      { ...NODEJS_OPTIONS, esbuild: { ...NODEJS_OPTIONS.esbuild, alias: { express: "./x" } } },
    ],
    ["esbuild.plugins", { ...NODEJS_OPTIONS, esbuild: { ...NODEJS_OPTIONS.esbuild, plugins: [] } }],
    ["a misspelt option", { ...NODEJS_OPTIONS, sourceMaps: true }],
  ])("refuses %s, which SST would drop without a word", async (_name, nodejs) => {
    await expect(sstBuildOptions(nodejs as never, "functions/slack.ts", join(out, "y.mjs"))).rejects.toThrow(
      UnsupportedBundlingOptionError,
    );
  });

  it("refuse a plugins file that exports no list", async () => {
    await expect(
      sstBuildOptions(
        { ...NODEJS_OPTIONS, plugins: "stacks/stubs/unusable.cjs" },
        "functions/slack.ts",
        "z.mjs",
      ),
    ).rejects.toThrow(/must export a list of esbuild plugins/);
  });
});

describe("the Slack bundle through SST's plugin runner", () => {
  it("is byte for byte the bench's, stubs included", { timeout: 120_000 }, async () => {
    const bench = await bundle("functions/slack.ts", join(out, "bench"));
    const file = join(out, "sst", "slack.mjs");
    const options = await sstBuildOptions(NODEJS_OPTIONS, "functions/slack.ts", file);
    const result = await build({ ...options, plugins: [sstPluginRunner(PROJECT_ROOT, PLUGINS_FILE)] });

    const deployed = readFileSync(file, "utf8");
    expect(result.errors).toEqual([]);
    expect(deployed).toBe(readFileSync(bench.file, "utf8"));
    expect(deployed).toContain("is left out of this Lambda bundle");
    expect(bench.inputs).not.toContain("express");
  });
});
