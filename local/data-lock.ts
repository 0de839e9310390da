/**
 * One sandbox per data folder. dynalite's leveldb refuses a second opener only with an uncaught
 * "Database is closed", so `npm start` takes its own lock first: <data>/sandbox.lock holds the
 * owner's pid (and its API port once it listens). A lock whose process is gone (kill -9, a crash) is
 * stale and taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

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
  port?: number;
}

export interface DataLock {
  /** Records the API port, for the message a second sandbox prints. */
  setPort: (port: number) => void;
  /** Removes the lock if it is still this process's; safe to call twice. */
  release: () => void;
}

/** True while a process with this pid exists (EPERM: it exists, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readLock(file: string): LockRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as Partial<LockRecord>;
    return typeof record.pid === "number" ? { pid: record.pid, port: record.port } : undefined;
  } catch {
    // Missing, or half written by an owner that died mid-write: nobody holds it.
    return undefined;
  }
}

/** Takes <dataDir>/sandbox.lock for this process; throws SandboxRunningError if a live one holds it. */
export function takeDataLock(dataDir: string): DataLock {
  const file = join(dataDir, "sandbox.lock");
  const mine: LockRecord = { pid: process.pid };
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
      if (held && isAlive(held.pid) && held.pid !== process.pid) {
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
