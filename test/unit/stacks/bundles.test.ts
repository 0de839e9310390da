/** What goes into each Lambda bundle: never the AGPL simulator, the YAML parser or the AWS SDK. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundle, entryPoints } from "../../../bench/bundles.ts";

const outdir = mkdtempSync(join(tmpdir(), "jit-bundle-test-"));

describe.each(entryPoints())("the bundle of %s", (entry) => {
  it("leaves out iam-simulate (AGPL, tests only), YAML (read at deploy) and the AWS SDK (in the runtime)", async () => {
    const { inputs } = await bundle(entry, outdir);
    expect(inputs).toContain("@middy/core");
    expect(
      inputs.filter((p) => p.startsWith("@cloud-copilot") || p === "yaml" || p.startsWith("@aws-sdk")),
    ).toEqual([]);
  });
});
