/**
 * Model-based: random interleavings of request, approve, deny, cancel, extend, revoke, session
 * starts (IAM decides, through iam-simulate over what the sandbox account holds), expiry and sweeps,
 * against the real workflow on the local engine, which runs concurrently with the test's actions.
 * Two actions may also be fired at once. Invariants:
 * 1. no session is ever allowed outside a grant of that person that covers the node and had begun
 *    and not yet expired; one allowed after its grant was revoked (a losing write's short window) is
 *    ended by quiescence;
 * 2. after quiescence, no `jit-*` policy without an ACTIVE record;
 * 3. after quiescence, no live session without a covering grant in force;
 * 4. after quiescence, every granted request was settled by its own workflow.
 * It catches a planted fault: with "Apply the record" writing the policy of a REVOKED record, it
 * fails and shrinks to request → approve → (extend ∥ revoke ∥ session) on one grant.
 * fast-check shrinks a failing run to its shortest sequence of actions and prints it with its seed.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolvePrincipal } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { requestIdOfSid } from "../../core/slots.ts";
import { approve, deny } from "../../core/usecases/approval.ts";
import { samePerson } from "../../core/usecases/enforce.ts";
import { extendGrant } from "../../core/usecases/expiry.ts";
import { cancelRequest, createRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { startSession } from "../../local/start-session.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, PEOPLE } from "../fixtures/nodes.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const PERSONS = ["alice", "bob", "dan"] as const;
type PersonKey = (typeof PERSONS)[number];
const PROFILES = ["staging", "sandbox", "prod-web"] as const;
const NODES = [NODE.stg1, NODE.sbx1, NODE.web1] as const;
const APPROVER: Record<string, string> = { staging: "U03DAVE", "prod-web": "U04ERIN" };
const ADMIN = "U0ADMIN01";

type Action =
  | { kind: "request"; person: PersonKey; profile: (typeof PROFILES)[number] }
  | { kind: "approve" | "deny" | "cancel" | "expire"; pick: number }
  | { kind: "extend" | "revoke"; pick: number; byAdmin: boolean }
  | { kind: "session"; person: PersonKey; node: (typeof NODES)[number]; ofGrant: number | null }
  | { kind: "sweep" }
  | { kind: "together"; a: Action; b: Action };

const single: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("request" as const),
      person: fc.constantFrom(...PERSONS),
      profile: fc.constantFrom(...PROFILES),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("approve" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("deny" as const, "cancel" as const, "expire" as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("extend" as const, "revoke" as const),
      pick: fc.nat(),
      byAdmin: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("session" as const),
      person: fc.constantFrom(...PERSONS),
      node: fc.constantFrom(...NODES),
      // Mostly a session on a node of a live grant, as its person (the interesting case).
      ofGrant: fc.option(fc.nat(), { freq: 4, nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "sweep" as const }) },
);
/** The races that matter most, on one live grant: extend, revoke and a session start at once. */
const race: fc.Arbitrary<Action> = fc
  .record({ pick: fc.nat(), byAdmin: fc.boolean(), order: fc.boolean() })
  .map(({ pick, byAdmin, order }) => {
    const extend: Action = { kind: "extend", pick, byAdmin: !byAdmin };
    const revoke: Action = { kind: "revoke", pick, byAdmin };
    const session: Action = { kind: "session", person: "alice", node: NODE.stg1, ofGrant: pick };
    return {
      kind: "together",
      a: order ? extend : revoke,
      b: { kind: "together", a: order ? revoke : extend, b: session },
    };
  });

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: single },
  { weight: 1, arbitrary: race },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("together" as const), a: single, b: single }) },
);

interface Allowed {
  person: PersonKey;
  node: string;
  at: Date;
  sessionId: string;
}

const stats = { runs: 0, allowed: 0, statuses: {} as Record<string, number> };
let h: Harness | undefined;
/** Lets every held grant go and holds no more: a harness stops only once its handlers can finish. */
let letGo: (() => void) | undefined;
afterEach(async () => {
  letGo?.();
  await h?.stop();
  h = undefined;
});

/** People and their actions fail in expected ways (not allowed, already settled): those are outcomes. */
const attempt = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (!["NotAuthorizedError", "ValidationError", "NotFoundError", "ConflictError"].includes(name))
      throw error;
  }
};

async function run(actions: Action[], delays: number[]): Promise<void> {
  // A failed run (fast-check goes on shrinking) left its harness running: stop it first.
  letGo?.();
  await h?.stop();
  // Prepare: every grant is held live (before its announcement and waits) until "expire" lets it go.
  const holds = new Map<string, () => void>();
  let holding = true;
  letGo = () => {
    holding = false;
    for (const release of holds.values()) release();
    holds.clear();
  };
  const x = await startHarness({
    wrap: (state, task) =>
      state === S.announceGrant
        ? async (input) => {
            if (holding) await new Promise<void>((resolve) => holds.set(String(input.requestId), resolve));
            return task(input);
          }
        : task,
  });
  h = x;
  // IAM and SSM calls take a random few milliseconds, so the test's actions land while they are in flight.
  let turn = 0;
  const pause = () => new Promise<void>((r) => setTimeout(r, delays[turn++ % delays.length] ?? 0));
  x.account.hooks = { before: pause, after: pause };
  const ids: string[] = [];
  const allowed: Allowed[] = [];
  /** The request an action aims at: among those in a state where it can matter, when there are any. */
  const aim = async (a: Action): Promise<AccessRequest | undefined> => {
    if (!("pick" in a)) return undefined;
    const all = (await Promise.all(ids.map((id) => x.deps.store.get(id)))).filter(
      (r): r is AccessRequest => r !== undefined,
    );
    const wanted =
      a.kind === "approve" || a.kind === "deny" || a.kind === "cancel" ? ["PENDING"] : ["ACTIVE", "APPROVED"];
    const fit = all.filter((r) => wanted.includes(r.status));
    const pool = fit.length > 0 ? fit : all;
    return pool[a.pick % Math.max(pool.length, 1)];
  };
  const NODE_OF: Record<string, string> = { staging: NODE.stg1, sandbox: NODE.sbx1, "prod-web": NODE.web1 };
  const personOf = (r: AccessRequest) =>
    PERSONS.find((p) => PEOPLE[p].slackUserId === r.requester.slackUserId) ?? "alice";

  const perform = async (a: Action): Promise<void> => {
    const request = await aim(a);
    switch (a.kind) {
      case "request":
        await attempt(async () => {
          const created = await createRequest(x.deps, {
            requester: PEOPLE[a.person],
            profileId: a.profile,
            reason: "model",
            ticket: "INC-1",
          });
          ids.push(created.id);
        });
        return;
      case "approve":
      case "deny":
        if (!request) return;
        await attempt(() =>
          (a.kind === "approve" ? approve : deny)(x.deps, {
            requestId: request.id,
            approver: { slackUserId: APPROVER[request.profileId] ?? ADMIN },
            reason: "model",
          }),
        );
        return;
      case "cancel":
        if (request)
          await attempt(() =>
            cancelRequest(x.deps, { requestId: request.id, actor: request.requester.slackUserId }),
          );
        return;
      case "expire":
        if (request) holds.get(request.id)?.();
        return;
      case "extend":
      case "revoke": {
        if (!request) return;
        const actor = a.byAdmin ? ADMIN : request.requester.slackUserId;
        await attempt(() =>
          a.kind === "extend"
            ? extendGrant(x.deps, { requestId: request.id, actor, by: "1h" })
            : revokeNow(x.deps, { requestId: request.id, actor }),
        );
        return;
      }
      case "session": {
        const recent =
          a.ofGrant === null
            ? undefined
            : await x.deps.store.get(ids[a.ofGrant % Math.max(ids.length, 1)] ?? "");
        const person = recent ? personOf(recent) : a.person;
        const node = recent ? (NODE_OF[recent.profileId] ?? a.node) : a.node;
        const at = x.clock.now();
        const result = await startSession(x.deps, x.account, { person: PEOPLE[person], target: node });
        if (result.allowed && result.sessionId)
          allowed.push({ person, node, at, sessionId: result.sessionId });
        return;
      }
      case "sweep":
        await sweep(x.deps);
        return;
      case "together":
        await Promise.all([perform(a.a), perform(a.b)]);
        return;
    }
  };

  // Act
  for (const a of actions) await perform(a);
  // Quiescence: every held execution goes on (again after each extension) until nothing moves.
  const deadline = Date.now() + 20_000;
  for (let quiet = 0; quiet < 3; ) {
    for (const release of holds.values()) release();
    holds.clear();
    await new Promise((r) => setTimeout(r, 5));
    quiet = x.workflow.busy() || holds.size > 0 ? 0 : quiet + 1;
    if (Date.now() > deadline) throw new Error("the workflow never came to rest");
  }

  // Assess
  const records = (await Promise.all(ids.map((id) => x.deps.store.get(id)))).filter(
    (r): r is AccessRequest => r !== undefined,
  );
  const covers = async (r: AccessRequest, node: string) => {
    const profile = x.deps.config.profiles[r.profileId];
    return profile ? (await x.account.matchingNodes(profile.tags, profile.regions)).includes(node) : false;
  };
  // 1. Every allowed start lay inside a grant of that person covering the node.
  for (const start of allowed) {
    const principal = resolvePrincipal(x.deps.config, PEOPLE[start.person]);
    let explained = false;
    for (const r of records) {
      if (!samePerson(r.principal, principal) || !r.grantedAt || !r.expiresAt) continue;
      if (start.at < new Date(r.grantedAt) || start.at >= new Date(r.expiresAt)) continue;
      if (!(await covers(r, start.node))) continue;
      explained = true;
      if (r.endedAt && start.at >= new Date(r.endedAt)) {
        // Allowed after the revoke (a losing write's window): it must have been ended.
        expect(x.account.sessions.get(start.sessionId)?.status, `${start.sessionId} after ${r.id}`).toBe(
          "Terminated",
        );
      }
    }
    expect(explained, `session ${start.sessionId} of ${start.person} on ${start.node}`).toBe(true);
  }
  stats.runs++;
  stats.allowed += allowed.length;
  for (const r of records) stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
  // 4. Every granted request was settled by its workflow (nothing left to the sweeper here).
  expect(records.filter((r) => r.status === "ACTIVE" || r.status === "APPROVED").map((r) => r.id)).toEqual(
    [],
  );
  // 2. No policy without an ACTIVE record.
  for (const leftover of x.account.leftoverGrants()) {
    // `arn jit-<id>` for an inline policy, `policyArn J<id>…` for a slot statement.
    const [, second = ""] = leftover.split(" ");
    const id = leftover.split(" jit-")[1] ?? requestIdOfSid(second) ?? leftover;
    expect(records.find((r) => r.id === id)?.status, leftover).toBe("ACTIVE");
  }
  // 3. No live session without a covering grant in force.
  const now = x.clock.now();
  for (const session of x.account.sessions.values()) {
    if (session.status !== "Connected") continue;
    const covering = [];
    for (const r of records)
      if (
        r.status === "ACTIVE" &&
        r.expiresAt &&
        new Date(r.expiresAt) > now &&
        (await covers(r, session.target))
      )
        covering.push(r.id);
    expect(covering, `live session ${session.sessionId}`).not.toEqual([]);
  }
  letGo();
  await h.stop();
  h = undefined;
}

describe("random interleavings (model-based)", () => {
  it("keep every invariant", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 4, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 16 }),
        (actions, delays) => run(actions, delays),
      ),
      {
        numRuns: 120,
        seed: 20_261_129,
        endOnFailure: false,
        // Shrinking a failure replays runs for minutes (each a fresh harness): cut it short of the
        // test's timeout, so the failure is reported with its seed, its path and the smallest
        // sequence found so far instead of "Test timed out". All 120 runs must still complete.
        plugins: [fc.interruptAfterTimeLimit(150_000, { failOnInterrupt: true })],
      },
    );
    vi.restoreAllMocks();
    console.log(JSON.stringify({ model: stats }));
  }, 180_000);
});
