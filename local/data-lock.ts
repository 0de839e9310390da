/**
 * One sandbox per data folder. dynalite's leveldb refuses a second opener only with an uncaught
 * "Database is closed", so `npm start` takes its own lock first: <data>/sandbox.lock holds the
 * owner's pid (and its API port once it listens). A lock whose process is gone (kill -9, a crash) is
 * stale and taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { basename, join } from "node:path";

/** Another live sandbox holds this data folder. */
export class SandboxRunningError extends Error {
  override name = "SandboxRunningError";
  readonly pid: number;
  readonly port: number | undefined;
  constructor(dataDir: string, pid: number, port: number | undefined) {
    const where = port ? `API port ${port}` : "still starting";
    super(
      `a sandbox is already running on ${dataDir} (process ${pid}, ${where}); stop it first (Ctrl-C where it runs), or set JIT_DATA to another folder`,
    );
    this.pid = pid;
    this.port = port;
  }
}

interface LockRecord {
  pid: number;
  /** The owner's script (process.argv[1]): a pid reused after a reboot runs something else. */
  script?: string;
  port?: number;
}

export interface DataLock {
  /** Records the API port, for the message a second sandbox prints. */
  setPort: (port: number) => void;
  /** Removes the lock if it is still this process's; safe to call twice. */
  release: () => void;
}

/**
 * True while the lock's owner runs: a process with its pid exists (EPERM: owned by someone else) and,
 * where /proc tells, runs the owner's script, not a program that got the pid after a reboot.
 */
function isAlive(held: LockRecord): boolean {
  try {
    process.kill(held.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (!held.script) return true;
  try {
    // By file name: the arguments are as the owner was started (relative, through symlinks).
    const args = readFileSync(`/proc/${held.pid}/cmdline`, "utf8").split("\0");
    return args.some((arg) => arg && basename(arg) === basename(held.script ?? ""));
  } catch {
    return true; // no /proc (macOS) or not readable: the pid is all there is to go by
  }
}

function readLock(file: string): LockRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as Partial<LockRecord>;
    return typeof record.pid === "number"
      ? { pid: record.pid, script: record.script, port: record.port }
      : undefined;
  } catch {
    // Missing, or half written by an owner that died mid-write: nobody holds it.
    return undefined;
  }
}

/** Takes <dataDir>/sandbox.lock for this process; throws SandboxRunningError if a live one holds it. */
export function takeDataLock(dataDir: string): DataLock {
  const file = join(dataDir, "sandbox.lock");
  const mine: LockRecord = { pid: process.pid, script: process.argv[1] };
  // Two tries: the second follows the removal of a stale lock, and loses only to a sandbox that
  // started in between (which then holds the folder).
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o644);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const held = readLock(file);
      if (held && held.pid !== process.pid && isAlive(held)) {
        throw new SandboxRunningError(dataDir, held.pid, held.port);
      }
      if (attempt > 0) throw new SandboxRunningError(dataDir, held?.pid ?? 0, held?.port);
      rmSync(file, { force: true });
    }
  }
  let released = false;
  return {
    setPort: (port) => {
      mine.port = port;
      writeFileSync(file, JSON.stringify(mine));
    },
    release: () => {
      if (released) return;
      released = true;
      if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
