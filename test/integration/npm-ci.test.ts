/**
 * `npm ci` on a machine whose own Node is older than the repo's: no wall of engine warnings (the repo
 * brings Node 24 itself). Run with the Node and npm outside node_modules, on a copy of the manifest,
 * the lock file and .npmrc, as a dry run: nothing is downloaded or installed.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);
/**
 * The environment of a fresh shell: PATH without the repo's node_modules/.bin (the machine's own node
 * and npm), and none of the npm_config_* settings the npm running this test passes down.
 */
const machineEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
  PATH: (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => !dir.includes("node_modules"))
    .join(delimiter),
};

async function npmCiDryRun(files: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "jit-npm-ci-"));
  for (const file of files) copyFileSync(join(ROOT, file), join(dir, file));
  const { stdout, stderr } = await run("npm", ["ci", "--dry-run", "--no-audit", "--no-fund"], {
    cwd: dir,
    env: machineEnv,
  });
  return `${stdout}${stderr}`;
}

describe("npm ci with the machine's own Node", () => {
  it("prints no engine warnings", async () => {
    // Prepare
    const { stdout: version } = await run("node", ["--version"], {
      env: machineEnv,
    });
    const older = Number(/^v(\d+)/.exec(version)?.[1] ?? 0) < 24;

    // Act
    const withRc = await npmCiDryRun(["package.json", "package-lock.json", ".npmrc"]);
    const withoutRc = older ? await npmCiDryRun(["package.json", "package-lock.json"]) : "";

    // Assess: the same install without .npmrc shows what it hides (on an older Node).
    expect(withRc).not.toContain("EBADENGINE");
    expect(withRc).toMatch(/added \d+ packages/);
    if (older) expect(withoutRc).toContain("npm warn EBADENGINE");
  }, 60_000);
});
