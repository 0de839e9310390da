/**
 * The stubs that stand in for modules a Lambda never loads (stacks/stubs/): harmless to require and
 * read at load, as Bolt does, and loud the moment anything uses them. Only Bolt's own requires are
 * stubbed. Failed on main before this change: there were no stubs (the modules were bundled whole).
 */
import { createRequire } from "node:module";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../bench/sst-esbuild.ts";
import { STUBBED, stubUnusedModules } from "../../../stacks/stubs/plugin.mjs";

const unusable = createRequire(import.meta.url)("../../../stacks/stubs/unusable.cjs") as (
  name: string,
  reason: string,
) => { (...args: unknown[]): unknown; new (...args: unknown[]): unknown; [key: string]: never };

describe.each(Object.entries(STUBBED))("the stub of %s", (name, reason) => {
  const said = `${name} is left out of this Lambda bundle (${reason})`;
  const stub = unusable(name, reason);

  it("can be required, read and wrapped as Bolt does at load", () => {
    expect(stub.__esModule).toBeUndefined();
    expect(() => stub.Router && stub.default && Object.keys(stub)).not.toThrow();
  });

  it("throws, naming the module and why, when called, constructed or awaited", async () => {
    expect(() => stub()).toThrow(said);
    expect(() => new stub()).toThrow(said);
    expect(() => (stub.default as unknown as () => unknown)()).toThrow(said);
    expect(() => new (stub.SocketModeClient as unknown as new () => unknown)()).toThrow(said);
    await expect(Promise.resolve().then(() => stub)).rejects.toThrow(said);
  });
});

describe("the stubbing plugin", () => {
  const bundleInputs = async (contents: string, resolveDir: string) => {
    const result = await build({
      stdin: { contents, resolveDir, sourcefile: "probe.js" },
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      metafile: true,
      logLevel: "silent",
      plugins: [stubUnusedModules],
    });
    return Object.keys(result.metafile.inputs);
  };

  it("leaves our own imports of the same modules alone", async () => {
    const inputs = await bundleInputs(`import { match } from "path-to-regexp"; match("/x");`, PROJECT_ROOT);
    expect(inputs.some((p) => p.includes("node_modules/path-to-regexp/"))).toBe(true);
    expect(inputs.some((p) => p.startsWith("jit-stub:"))).toBe(false);
  });

  it("stubs them where Bolt requires them", async () => {
    const inputs = await bundleInputs(`export { App } from "@slack/bolt";`, PROJECT_ROOT);
    expect(inputs.filter((p) => p.startsWith("jit-stub:")).sort()).toEqual(
      Object.keys(STUBBED)
        .map((m) => `jit-stub:${m}`)
        .sort(),
    );
    expect(inputs.some((p) => /node_modules\/(express|@slack\/oauth|@slack\/socket-mode)\//.test(p))).toBe(
      false,
    );
  });
});
