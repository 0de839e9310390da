/** What goes into each Lambda bundle: the function's own code and small helpers, never the AGPL simulator. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundle, entryPoints } from "../../../bench/bundles.ts";

const outdir = mkdtempSync(join(tmpdir(), "jit-bundle-test-"));

describe.each(entryPoints())("the bundle of %s", (entry) => {
  it("holds only middy and zod/mini besides our code: no AWS SDK (the runtime has it), no YAML, no iam-simulate", async () => {
    const result = await bundle(entry, outdir);
    expect(result.inputs).toEqual(["@middy/core", "@middy/util", "zod"]);
    expect(result.inputs.some((p) => p.startsWith("@cloud-copilot"))).toBe(false);
  });
});
