/**
 * Fault injection for the lifecycle tests: a seeded random source, and a store that fails like
 * DynamoDB can (throttled before the write, or the write applied and the response lost).
 */
import { TransientAwsError } from "../../adapters/aws/errors.ts";
import { NotAuthorizedError, ValidationError } from "../../core/errors.ts";
import type { AuditEvent, RequestStore } from "../../core/ports.ts";
import type { AccessRequest, Status } from "../../core/request.ts";

/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface FaultCounts {
  before: number;
  lostResponse: number;
  crashes: number;
  /** Slot leases never given back: the writer "died" holding them (they run out by themselves). */
  abandonedLeases: number;
}

/** What the injector decides for one call. */
export interface Injector {
  enabled: boolean;
  rate: number;
  random: () => number;
  counts: FaultCounts & { aws: number };
}

export function injector(seed: number, rate: number): Injector {
  return {
    enabled: true,
    rate,
    random: seeded(seed),
    counts: { before: 0, lostResponse: 0, crashes: 0, abandonedLeases: 0, aws: 0 },
  };
}

const roll = (f: Injector) => f.enabled && f.random() < f.rate;

/** Throttles an AWS call (IAM, SSM) at the injector's rate. */
export function awsFault(f: Injector, operation: string): void {
  if (roll(f)) {
    f.counts.aws++;
    throw new TransientAwsError(
      operation,
      Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }),
    );
  }
}

/** A store whose calls fail at the injector's rate; writes sometimes land and then report failure. */
export function faultyStore(
  inner: RequestStore,
  f: Injector,
  crashOnActivate: () => boolean,
  /** Called when a lease is abandoned (a test moves its fake clock past the lease's time). */
  onAbandon: () => void = () => {},
): RequestStore {
  const before = (op: string) => {
    if (roll(f)) {
      f.counts.before++;
      throw new TransientAwsError(
        op,
        Object.assign(new Error("Throughput exceeded"), { name: "ProvisionedThroughputExceededException" }),
      );
    }
  };
  const write = async <T>(op: string, run: () => Promise<T>): Promise<T> => {
    before(op);
    const result = await run();
    if (roll(f)) {
      f.counts.lostResponse++;
      throw new TransientAwsError(
        op,
        Object.assign(new Error("socket hang up"), { name: "InternalServerError" }),
      );
    }
    return result;
  };
  return {
    create: (r: AccessRequest) => write("PutItem", () => inner.create(r)),
    get: async (id: string) => {
      before("GetItem");
      return inner.get(id);
    },
    update: (r: AccessRequest, changes: Partial<AccessRequest>) => {
      // The crash between attaching the policy and recording it: the grant function dies here.
      if (changes.status === "ACTIVE" && f.enabled && crashOnActivate()) {
        f.counts.crashes++;
        return Promise.reject(
          Object.assign(new Error("Runtime exited with error: signal: killed"), {
            name: "Runtime.ExitError",
          }),
        );
      }
      return write("PutItem", () => inner.update(r, changes));
    },
    appendAudit: (e: AuditEvent) => write("PutItem", () => inner.appendAudit(e)),
    audit: async (id: string) => {
      before("Query");
      return inner.audit(id);
    },
    listByStatus: async (s: Status, until?: string, after?: string) => {
      before("Query");
      return inner.listByStatus(s, until, after);
    },
    listByRequester: async (u: string) => {
      before("Query");
      return inner.listByRequester(u);
    },
    listCreated: async (from: string, to: string) => {
      before("Query");
      return inner.listCreated(from, to);
    },
    acquireLease: (key: string, owner: string, until: string, now: string) =>
      write("PutItem", () => inner.acquireLease(key, owner, until, now)),
    releaseLease: (key: string, owner: string) => {
      // A crash while holding the lease: nothing gives it back; the next writer waits for its expiry.
      if (roll(f)) {
        f.counts.abandonedLeases++;
        onAbandon();
        return Promise.resolve();
      }
      return write("PutItem", () => inner.releaseLease(key, owner));
    },
  };
}

/** Calls a person's action the way Slack and people do: again after a transient failure. */
export async function persist<T>(action: () => Promise<T>): Promise<T | undefined> {
  for (let tries = 1; ; tries++) {
    try {
      return await action();
    } catch (error) {
      if (error instanceof TransientAwsError && tries < 30) continue;
      // Someone (the workflow, a sweeper) got there first: the action no longer applies.
      if (error instanceof NotAuthorizedError || error instanceof ValidationError) return undefined;
      throw error;
    }
  }
}
