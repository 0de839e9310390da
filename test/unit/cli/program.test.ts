/** The command line itself: help per command, the version, refusals of words it does not know. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { nodeRequirement } from "../../../bin/require-node.js";
import { findConfig } from "../../../cli/config-path.ts";
import { main } from "../../../cli/main.ts";
import { EXAMPLE_CONFIG_PATH } from "../../helpers/config.ts";
import { captureIo } from "../../helpers/io.ts";

const ROOT = dirname(EXAMPLE_CONFIG_PATH);
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;

const run = async (...argv: string[]) => {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe("help and version", () => {
  it.each([
    ["request", "Usage: jit request [options]"],
    ["list", "Usage: jit list [options]"],
    ["show", "Usage: jit show [options] <id>"],
    ["approve", "Usage: jit approve [options] <id>"],
    ["deny", "Usage: jit deny [options] <id>"],
    ["extend", "Usage: jit extend [options] <id>"],
    ["revoke", "Usage: jit revoke [options] <id>"],
    ["cancel", "Usage: jit cancel [options] <id>"],
    ["sessions", "Usage: jit sessions [options]"],
    ["profiles", "Usage: jit profiles [options]"],
    ["whoami", "Usage: jit whoami [options]"],
    ["ssm start-session", "Usage: jit ssm start-session [options]"],
    ["config check", "Usage: jit config check [options]"],
    ["policy preview", "Usage: jit policy preview [options]"],
    ["slack manifest", "Usage: jit slack manifest [options]"],
    ["identity-center commands", "Usage: jit identity-center commands [options]"],
  ])("`jit %s --help` exits 0 with its usage", async (command, usage) => {
    const { code, stdout, stderr } = await run(...command.split(" "), "--help");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout.split("\n")[0]).toBe(usage);
  });

  it("`jit` alone and `jit --help` list the commands", async () => {
    for (const argv of [[], ["--help"], ["help"]]) {
      const { code, stdout } = await run(...argv);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: jit \[options\] \[command\]/);
      expect(stdout).toContain("whoami [options]");
    }
  });

  it("`jit --version` prints package.json's version", async () => {
    expect(await run("--version")).toEqual({ code: 0, stdout: VERSION, stderr: "" });
  });
});

describe("words jit does not know", () => {
  it.each([
    [
      ["list", "profiles"],
      "jit: too many arguments for 'list'. Expected 0 arguments but got 1: profiles. See `jit list --help`.",
    ],
    [["lst"], "jit: unknown command 'lst' (did you mean list?). See `jit --help`."],
    [["config", "chek"], "jit: unknown command 'chek' (did you mean check?). See `jit config --help`."],
    [["show"], "jit: missing required argument 'id'. See `jit show --help`."],
    [
      ["approve", "20261129-abcdefgh"],
      "jit: required option '--as <person>' not specified (the sandbox needs it). See `jit approve --help`.",
    ],
    [["sessions", "--bogus"], "jit: unknown option '--bogus'. See `jit sessions --help`."],
    [["config"], "jit: config needs a command: check. See `jit config --help`."],
  ])("`jit %j` is refused in one line, exit 2", async (argv, line) => {
    const { code, stdout, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(line);
  });
});

describe("where jit finds the configuration", () => {
  it("walks up from a subdirectory to the folder holding access.config.yaml", () => {
    expect(findConfig(join(ROOT, "cli", "commands"))).toBe(EXAMPLE_CONFIG_PATH);
  });

  it("runs `npx jit config check` from a subdirectory", async () => {
    const env = { ...process.env };
    delete env.JIT_CONFIG;
    const { stdout } = await promisify(execFile)("npx", ["jit", "config", "check"], {
      cwd: join(ROOT, "cli"),
      env,
    });
    expect(stdout.trim()).toBe(
      "The configuration is valid: 6 profile(s) (prod-web, prod-db, staging, sandbox, web-release, lab).",
    );
  });
});

describe("an older Node", () => {
  it("is told which Node jit needs and how to get it", () => {
    expect(nodeRequirement("20.20.2")).toBe(
      "jit needs Node 24 or newer (this is Node 20.20.2). Run it as `npx jit` inside the repo, which brings Node 24 (npm ci installs it), or install Node 24.",
    );
    expect(nodeRequirement("24.1.0")).toBeUndefined();
  });

  it("`node bin/jit.js` on the machine's older Node prints that line, not a stack trace", async () => {
    const old = "/usr/bin/node";
    const { stdout: version } = await promisify(execFile)(old, ["--version"]);
    expect(Number(version.slice(1).split(".")[0])).toBeLessThan(24);
    const failed = await promisify(execFile)(old, ["bin/jit.js", "--version"], { cwd: ROOT }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe(nodeRequirement(version.trim().slice(1)));
  });
});

describe("shell completion", () => {
  it.each([
    [[], ["approve", "cancel", "completion", "config", "deny", "extend"]],
    [["config"], ["check"]],
    [["request"], ["--as", "--profile", "--for", "--reason", "--ticket", "--wait", "--json", "--help"]],
    [
      ["ssm", "start-session", "--as", "U01ALICE"],
      ["--as", "--target", "--document", "--json", "--help"],
    ],
  ])("after `jit %j` offers its words", async (words, expected) => {
    const { code, stdout } = await run("__complete", ...words);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual(expect.arrayContaining(expected));
  });

  it("`jit completion` prints a bash script that asks jit for the words", async () => {
    const { code, stdout } = await run("completion");
    expect(code).toBe(0);
    expect(stdout).toContain("complete -F _jit jit");
    expect(stdout).toContain("jit __complete");
  });

  it("completes `jit conf` to config in a real bash", async () => {
    const { stdout } = await run("completion");
    const script = `${stdout}
jit() { node ${join(ROOT, "bin/jit.js")} "$@"; }
COMP_WORDS=(jit conf); COMP_CWORD=1; _jit; echo "\${COMPREPLY[@]}"`;
    const { stdout: offered } = await promisify(execFile)("bash", ["-c", script], { cwd: ROOT });
    expect(offered.trim()).toBe("config");
  });
});
