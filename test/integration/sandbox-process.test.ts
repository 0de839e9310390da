/**
 * `npm start` as a process among others: one sandbox per data folder (a second one says so and
 * exits non-zero), a lock left by a killed sandbox does not block the next, and stopping npm stops
 * the sandbox it started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const BANNER_END = "Stop with Ctrl-C.";

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const started: Started[] = [];
/** Sandbox processes (node) a failed test could leave behind once npm is gone. */
const sandboxPids: number[] = [];
afterEach(async () => {
  for (const pid of sandboxPids.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
  for (const s of started.splice(0)) {
    if (s.child.exitCode !== null || s.child.signalCode !== null || !s.child.pid) continue;
    try {
      process.kill(-s.child.pid, "SIGINT");
    } catch {
      // Already gone.
    }
    await s.exited;
  }
});

/** `npm start` in its own process group; resolves once its banner is out or it has exited. */
async function npmStart(data: string): Promise<Started> {
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, JIT_PORT: "0", JIT_DATA: data },
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const s: Started = { child, port: 0, output: () => out, exited };
  started.push(s);
  await Promise.race([exited, until(() => out.includes(BANNER_END), 20_000)]);
  s.port = Number(/API {9}http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? 0);
  return s;
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** The sandbox's own process (node, not npm), as its lock in the data folder names it. */
function lockOf(data: string): { pid: number; port?: number } {
  return JSON.parse(readFileSync(join(data, "sandbox.lock"), "utf8"));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("npm start on a data folder", () => {
  it("refuses a second sandbox on the same data folder, naming the running one and its port", async () => {
    // Prepare
    const data = mkdtempSync(join(tmpdir(), "jit-sandbox-"));
    const first = await npmStart(data);
    expect(first.port, first.output()).toBeGreaterThan(0);

    // Act
    const second = await npmStart(data);
    const code = await second.exited;

    // Assess
    expect(code).not.toBe(0);
    const { pid } = lockOf(data);
    expect(second.output().trim()).toBe(
      `sandbox: a sandbox is already running on ${data} (process ${pid}, API port ${first.port}); stop it first (Ctrl-C where it runs), or set JIT_DATA to another folder`,
    );
    expect(second.output()).not.toContain("Database is closed");
    expect(await listening(first.port)).toBe(true);
    expect(lockOf(data)).toEqual({ pid, script: join(ROOT, "local/start.ts"), port: first.port });
  }, 60_000);

  it("starts over a lock left by a sandbox that was killed", async () => {
    // Prepare
    const data = mkdtempSync(join(tmpdir(), "jit-sandbox-"));
    const first = await npmStart(data);
    expect(first.port, first.output()).toBeGreaterThan(0);
    const { pid } = lockOf(data);

    // Act
    process.kill(pid, "SIGKILL");
    await first.exited;
    expect(existsSync(join(data, "sandbox.lock"))).toBe(true);
    const again = await npmStart(data);

    // Assess
    expect(again.port, again.output()).toBeGreaterThan(0);
    expect(lockOf(data).pid).not.toBe(pid);
    expect(await listening(again.port)).toBe(true);
  }, 60_000);

  it("stops the sandbox when npm itself is sent SIGTERM", async () => {
    // Prepare
    const data = mkdtempSync(join(tmpdir(), "jit-sandbox-"));
    const sandbox = await npmStart(data);
    expect(sandbox.port, sandbox.output()).toBeGreaterThan(0);
    const { pid } = lockOf(data);
    sandboxPids.push(pid);
    expect(pid).not.toBe(sandbox.child.pid);

    // Act: npm alone, not its process group.
    sandbox.child.kill("SIGTERM");

    // Assess
    expect(await until(() => !alive(pid), 10_000), `node ${pid} still runs`).toBe(true);
    expect(await listening(sandbox.port)).toBe(false);
    expect(existsSync(join(data, "sandbox.lock"))).toBe(false);
  }, 60_000);
});
