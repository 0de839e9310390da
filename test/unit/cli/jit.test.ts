import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";
import { EXAMPLE_CONFIG_PATH, exampleConfigText } from "../../helpers/config.ts";
import { captureIo } from "../../helpers/io.ts";

const run = async (...argv: string[]) => {
  const io = captureIo();
  const code = await main([...argv, ...(argv[0] === "help" ? [] : ["--config", EXAMPLE_CONFIG_PATH])], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe("jit config check", () => {
  it("says the example is valid", async () => {
    const { code, stdout } = await run("config", "check");
    expect(code).toBe(0);
    expect(stdout).toBe(
      "The configuration is valid: 6 profile(s) (prod-web, prod-db, staging, sandbox, web-release, lab).",
    );
  });

  it("prints the normalized config with --json", async () => {
    const { code, stdout } = await run("config", "check", "--json");
    expect(code).toBe(0);
    const config = JSON.parse(stdout);
    expect(config.profiles["prod-web"].maxDurationSeconds).toBe(14_400);
    expect(config.profiles["prod-web"].tags).toEqual({ Env: ["prod"], App: ["web"] });
  });

  it("lists every problem of a broken file and exits 1", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "jit-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      exampleConfigText().replace("maxDuration: 4h", "maxDuration: 9h").replace('"123456789012"', '"12"'),
    );
    const io = captureIo();
    // Act
    const code = await main(["config", "check", "--config", file], io);
    // Assess
    expect(code).toBe(1);
    expect(io.stderr()).toContain("profiles.prod-web.maxDuration: 9h is over the global maximum 8h");
    expect(io.stderr()).toContain("accountId: must be a 12-digit AWS account ID");
  });

  it("names a missing file", async () => {
    const io = captureIo();
    expect(await main(["config", "check", "--config", "/nonexistent/access.yaml"], io)).toBe(1);
    expect(io.stderr()).toContain("cannot read /nonexistent/access.yaml: no such file");
  });
});

describe("jit policy preview", () => {
  it("prints the exact policy, its name and size with --json", async () => {
    const { code, stdout } = await run(
      "policy",
      "preview",
      "--profile",
      "prod-web",
      "--principal",
      "U01ALICE",
      "--for",
      "1h",
      "--json",
    );
    expect(code).toBe(0);
    const preview = JSON.parse(stdout);
    expect(preview.policyName).toBe("jit-preview");
    expect(preview.size).toBe(JSON.stringify(preview.document).length);
    expect(preview.document.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "Nodes",
      "Documents",
      "OwnSessions",
      "Discover",
      "SessionKey",
    ]);
  });

  it("summarizes in plain English without --json", async () => {
    const { code, stdout } = await run(
      "policy",
      "preview",
      "--profile",
      "prod-db",
      "--principal",
      "dan@example.com",
      "--for",
      "90m",
    );
    expect(code).toBe(0);
    expect(stdout).toContain(
      "on EC2 instances and hybrid managed nodes tagged Env=prod and Role=db-primary|db-replica",
    );
    expect(stdout).toContain("(1h30m from now)");
    expect(stdout).toContain("Only counts when aws:userid ends in :dan@example.com");
  });

  it.each([
    [
      ["--profile", "nope", "--principal", "U01ALICE"],
      1,
      'no profile "nope"; the profiles are prod-web, prod-db, staging, sandbox',
    ],
    [
      ["--profile", "prod-web", "--principal", "U01ALICE", "--for", "9h"],
      1,
      "--for: 9h is over the maximum 4h",
    ],
    [
      ["--profile", "prod-web", "--principal", "U09NOBODY"],
      1,
      "U09NOBODY is not a person this configuration knows",
    ],
    [
      ["--profile", "prod-web"],
      2,
      "jit: required option '--principal <ref>' not specified. See `jit policy preview --help`.",
    ],
    [
      ["--profile", "prod-web", "--principal", "U01ALICE", "--bogus"],
      2,
      "jit: unknown option '--bogus'. See `jit policy preview --help`.",
    ],
  ])("refuses %j with a clear message", async (args, exitCode, message) => {
    const { code, stderr } = await run("policy", "preview", ...args);
    expect(code).toBe(exitCode);
    expect(stderr).toContain(message);
  });
});

describe("the jit binary", () => {
  it("runs through npx from the repo, on the repo's Node", async () => {
    const { stdout } = await promisify(execFile)("npx", [
      "jit",
      "config",
      "check",
      "--config",
      EXAMPLE_CONFIG_PATH,
    ]);
    expect(stdout.trim()).toBe(
      "The configuration is valid: 6 profile(s) (prod-web, prod-db, staging, sandbox, web-release, lab).",
    );
  });
});
