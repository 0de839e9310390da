import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SandboxRunningError, takeDataLock } from "../../../local/data-lock.ts";

const folder = () => mkdtempSync(join(tmpdir(), "jit-lock-"));
const lockIn = (dir: string) => join(dir, "sandbox.lock");

/** A pid that existed and is gone: a process that already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", "0"]).pid ?? 0;
}

describe("the data folder's lock", () => {
  it("is taken with this process's pid and script, gets its port, and goes on release", () => {
    // Prepare
    const dir = folder();
    // Act
    const lock = takeDataLock(dir);
    lock.setPort(7420);
    // Assess
    expect(JSON.parse(readFileSync(lockIn(dir), "utf8"))).toEqual({
      pid: process.pid,
      script: process.argv[1],
      port: 7420,
    });
    lock.release();
    expect(existsSync(lockIn(dir))).toBe(false);
  });

  it.each<[string, (dir: string) => string]>([
    ["its owner was killed", () => JSON.stringify({ pid: deadPid(), script: "/x/local/start.ts", port: 1 })],
    [
      "its pid now runs another program (after a reboot)",
      () => JSON.stringify({ pid: process.ppid, script: "/x/local/start.ts", port: 1 }),
    ],
    ["it was left half written", () => '{"pid":'],
  ])("is taken over when %s", (_why, content) => {
    // Prepare
    const dir = folder();
    writeFileSync(lockIn(dir), content(dir));
    // Act
    const lock = takeDataLock(dir);
    // Assess
    expect(JSON.parse(readFileSync(lockIn(dir), "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("is refused while its owner runs, naming the owner and its port", () => {
    // Prepare: the owner is this test's own parent process, running its own script.
    const dir = folder();
    const cmdline = readFileSync(`/proc/${process.ppid}/cmdline`, "utf8").split("\0");
    writeFileSync(lockIn(dir), JSON.stringify({ pid: process.ppid, script: cmdline[1], port: 7420 }));
    // Act
    const act = () => takeDataLock(dir);
    // Assess
    expect(act).toThrow(SandboxRunningError);
    expect(act).toThrow(
      `a sandbox is already running on ${dir} (process ${process.ppid}, API port 7420); stop it first (Ctrl-C where it runs), or set JIT_DATA to another folder`,
    );
  });

  it("leaves a lock that another process took after this one", () => {
    // Prepare
    const dir = folder();
    const lock = takeDataLock(dir);
    writeFileSync(lockIn(dir), JSON.stringify({ pid: process.ppid }));
    // Act
    lock.release();
    // Assess
    expect(existsSync(lockIn(dir))).toBe(true);
  });
});
