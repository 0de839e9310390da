/**
 * `jit … | head -1`: the reader goes away early. New-user trial 2026-11-29: every multi-line command
 * printed "Error: write EPIPE … Unhandled 'error' event" and exited 1.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("a reader that closes early", () => {
  it("ends jit quietly, with no stack trace", async () => {
    // Prepare: stdout's reading end is closed before jit writes anything.
    const child = spawn(process.execPath, ["bin/jit.js", "identity-center", "commands"], {
      cwd: new URL("../../../", import.meta.url),
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });

    // Act
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    // Assess
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });
});
