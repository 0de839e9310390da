/**
 * Identity Center through slots, on the real workflow and the sandbox account (which refuses inline
 * writes on `AWSReservedSSO_*` roles, limits managed policies to 6,144 characters and five versions,
 * and evaluates the role's inline policies plus the default versions of its managed ones).
 * Before slots (691944f) the first grant on the shared role was an inline PutRolePolicy, which AWS
 * refuses with UnmodifiableEntity.
 */
import { afterEach, describe, expect, it } from "vitest";
import { policySize } from "../../core/policy.ts";
import type { Person } from "../../core/principal.ts";
import { resolvePrincipal } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { emptySlot, grantsInSlot, MAX_POLICY_VERSIONS, slotArns, withGrant } from "../../core/slots.ts";
import { approve } from "../../core/usecases/approval.ts";
import { applyRecord, removeAccess } from "../../core/usecases/enforce.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { slotGrant } from "../../core/usecases/slot-writes.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { startSession } from "../../local/start-session.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE } from "../fixtures/nodes.ts";
import { seeded } from "../helpers/faults.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";
import { aRequest } from "../helpers/requests.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** 25 people who sign in through Identity Center (no principals.map entry: the shared role). */
const people: Person[] = Array.from({ length: 25 }, (_, i) => {
  const n = String(i + 1).padStart(2, "0");
  return { slackUserId: `U7P${n}PERSON`, email: `person${n}@example.com` };
});
const PROFILE_OF = (i: number) => (["staging", "sandbox", "prod-web"] as const)[i % 3] ?? "staging";
const NODE_OF: Record<string, string> = { staging: NODE.stg1, sandbox: NODE.sbx1, "prod-web": NODE.web1 };
const APPROVER: Record<string, string> = { staging: "U03DAVE", "prod-web": "U04ERIN" };

describe("25 people on one shared role", () => {
  it("are granted at once, each only on their own profile's nodes until their second, and leave the slots empty", async () => {
    // Prepare: every execution is held once its grant is written (before any wait moves the shared
    // fake clock), so all 25 grants are live together.
    const holds: (() => void)[] = [];
    let held = 0;
    const x = await startHarness({
      wrap: (state, task) =>
        state === S.announceGrant
          ? async (input) => {
              held++;
              await new Promise<void>((resolve) => holds.push(resolve));
              return task(input);
            }
          : task,
    });
    h = x;
    const shared = x.deps.config.principals.sharedRole?.arn ?? "";

    // Act: 25 requests, then every approval at once.
    const requests = await Promise.all(
      people.map((person, i) =>
        createRequest(x.deps, {
          requester: person,
          profileId: PROFILE_OF(i),
          duration: "1h",
          reason: "incident",
          ticket: "INC-7",
        }),
      ),
    );
    await Promise.all(
      requests.map(async (r) => {
        const approver = APPROVER[r.profileId];
        if (!approver) return;
        await x.waitFor(r.id, (q) => q.taskToken !== undefined);
        await approve(x.deps, { requestId: r.id, approver: { slackUserId: approver } });
      }),
    );
    const deadline = Date.now() + 20_000;
    while (held < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    // Assess: all 25 effective, in slots, and nothing inline on the protected role.
    expect(held).toBe(25);
    const records = (await Promise.all(requests.map((r) => x.deps.store.get(r.id)))) as AccessRequest[];
    expect(records.map((r) => r.status)).toEqual(requests.map(() => "ACTIVE"));
    expect([...(x.account.policies.get(shared)?.keys() ?? [])]).toEqual([]);
    const slots = await Promise.all(slotArns(x.deps.config).map((arn) => x.deps.broker.readSlot(arn)));
    const placed = slots.flatMap((doc) => [...grantsInSlot(doc ?? emptySlot()).keys()]).sort();
    expect(placed).toEqual(requests.map((r) => r.id).sort());
    for (const doc of slots) expect(policySize(doc ?? emptySlot())).toBeLessThanOrEqual(6_144);

    for (const [i, person] of people.entries()) {
      const own = NODE_OF[PROFILE_OF(i)] ?? "";
      const others = Object.values(NODE_OF).filter((n) => n !== own);
      const mine = await startSession(x.deps, x.account, { person, target: own });
      expect(mine.allowed, `${person.email} on ${own}`).toBe(true);
      for (const node of others) {
        const theirs = await startSession(x.deps, x.account, { person, target: node });
        expect(theirs.allowed, `${person.email} on ${node}`).toBe(false);
      }
    }
    // Someone on the same role with no grant of their own can use nobody's.
    const outsider = await startSession(x.deps, x.account, {
      person: { slackUserId: "U7OUTSIDER", email: "outsider@example.com" },
      target: NODE.stg1,
    });
    expect(outsider.allowed).toBe(false);

    // At each grant's expiry second IAM refuses it, a second before it allows it.
    const byExpiry = [...records].sort((a, b) => (a.expiresAt ?? "").localeCompare(b.expiresAt ?? ""));
    for (const r of byExpiry) {
      const i = requests.findIndex((q) => q.id === r.id);
      const person = people[i] as Person;
      const node = NODE_OF[PROFILE_OF(i)] ?? "";
      const expiry = new Date(r.expiresAt ?? 0);
      x.clock.set(new Date(expiry.getTime() - 1000));
      expect(
        (await startSession(x.deps, x.account, { person, target: node })).allowed,
        `${person.email} before`,
      ).toBe(true);
      x.clock.set(expiry);
      expect(
        (await startSession(x.deps, x.account, { person, target: node })).allowed,
        `${person.email} at`,
      ).toBe(false);
    }

    // After every revoke, each slot holds only its placeholder, within IAM's five versions.
    for (const release of holds) release();
    await Promise.all(requests.map((r) => x.workflow.settled(r.id)));
    for (const arn of slotArns(x.deps.config)) {
      expect(await x.deps.broker.readSlot(arn)).toEqual(emptySlot());
      expect(x.account.slotVersionCount(arn)).toBeLessThanOrEqual(MAX_POLICY_VERSIONS);
    }
    expect(x.account.liveCount()).toBe(0);
  }, 60_000);
});

describe("one slot, many writers", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    "10 grants and 10 revokes in parallel (seed %i): none lost, none left, never more than 5 versions",
    async (seed) => {
      // Prepare: 10 live grants already in the slots, 10 more approved and about to be written.
      const x = await startHarness();
      h = x;
      captureLogs();
      const random = seeded(seed);
      let maxVersions = 0;
      x.account.hooks = {
        before: () => new Promise((r) => setTimeout(r, Math.floor(random() * 4))),
        after: (op) => {
          if (op === "CreatePolicyVersion")
            for (const arn of slotArns(x.deps.config))
              maxVersions = Math.max(maxVersions, x.account.slotVersionCount(arn));
          return new Promise((r) => setTimeout(r, Math.floor(random() * 4)));
        },
      };
      const record = async (i: number, status: AccessRequest["status"]) => {
        const person = people[i] as Person;
        const r = aRequest({
          id: `20261126-race${String(i).padStart(4, "0")}`,
          requester: person,
          profileId: "staging",
          principal: resolvePrincipal(x.deps.config, person),
          status,
          approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
          grantedAt: "2026-11-26T09:00:00.000Z",
          expiresAt: "2026-11-26T10:00:00.000Z",
        });
        await x.deps.store.create(r);
        return r;
      };
      const old = await Promise.all(Array.from({ length: 10 }, (_, i) => record(i, "ACTIVE")));
      for (const r of old) await applyRecord(x.deps, r.id, "test");
      const fresh = await Promise.all(Array.from({ length: 10 }, (_, i) => record(i + 10, "ACTIVE")));
      // The old ones are settled (as a revoke does first); their removal races the new writes.
      for (const r of old)
        await x.deps.store.update(r, { status: "REVOKED", endedAt: "2026-11-26T09:30:00.000Z" });

      // Act
      const settledOld = await Promise.all(old.map((r) => x.deps.store.get(r.id)));
      await Promise.all([
        ...fresh.map((r) => applyRecord(x.deps, r.id, "test")),
        ...settledOld.map((r) => removeAccess(x.deps, r as AccessRequest)),
      ]);

      // Assess
      const held = new Set<string>();
      for (const arn of slotArns(x.deps.config)) {
        for (const id of grantsInSlot((await x.deps.broker.readSlot(arn)) ?? emptySlot()).keys())
          held.add(id);
        expect(x.account.slotVersionCount(arn)).toBeLessThanOrEqual(MAX_POLICY_VERSIONS);
      }
      expect([...held].sort()).toEqual(fresh.map((r) => r.id).sort());
      expect(maxVersions).toBeLessThanOrEqual(MAX_POLICY_VERSIONS);
    },
    30_000,
  );
});

describe("the sweeper on slots", () => {
  it("removes statements whose request is settled or unknown, and ends their people's sessions", async () => {
    // Prepare: dan's grant is in a slot and he has a session; then his record is settled without
    // its statements being removed (a revoke that died), and a stranger's statements sit there too.
    const x = await startHarness();
    h = x;
    const dan = people[0] as Person;
    const r = aRequest({
      id: "20261126-dansgrnt",
      requester: dan,
      profileId: "staging",
      principal: resolvePrincipal(x.deps.config, dan),
      status: "ACTIVE",
      approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
      grantedAt: "2026-11-26T09:00:00.000Z",
      expiresAt: "2026-11-26T10:00:00.000Z",
    });
    await x.deps.store.create(r);
    await applyRecord(x.deps, r.id, "test");
    const session = await startSession(x.deps, x.account, { person: dan, target: NODE.stg1 });
    expect(session.allowed).toBe(true);
    await x.deps.store.update((await x.deps.store.get(r.id)) as AccessRequest, { status: "REVOKED" });
    const stranger = people[1] as Person;
    const ghost = {
      ...r,
      id: "20261126-ghostgrn",
      requester: stranger,
      principal: resolvePrincipal(x.deps.config, stranger),
    };
    const [slot] = slotArns(x.deps.config);
    const doc = (await x.deps.broker.readSlot(slot ?? "")) ?? emptySlot();
    await x.deps.broker.writeSlot(
      slot ?? "",
      withGrant(doc, ghost.id, slotGrant(x.deps, ghost, new Date(r.expiresAt ?? ""))),
    );

    // Act
    const report = await sweep(x.deps);

    // Assess
    expect(report.deletedPolicies.map((d) => [d.policyName, d.why]).sort()).toEqual([
      ["20261126-dansgrnt", "request is REVOKED"],
      ["20261126-ghostgrn", "no request record"],
    ]);
    for (const arn of slotArns(x.deps.config)) expect(await x.deps.broker.readSlot(arn)).toEqual(emptySlot());
    expect(x.account.sessions.get(session.sessionId ?? "")?.status).toBe("Terminated");
  });
});

describe("slot writers against AWS as it is (review 2026-11-29)", () => {
  const person = (n: string): Person => ({ slackUserId: `U7${n.toUpperCase()}X`, email: `${n}@example.com` });
  async function record(x: Harness, id: string, who: Person) {
    const r = aRequest({
      id,
      requester: who,
      profileId: "staging",
      principal: resolvePrincipal(x.deps.config, who),
      status: "ACTIVE",
      approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
      grantedAt: "2026-11-26T09:00:00.000Z",
      expiresAt: "2026-11-26T10:00:00.000Z",
    });
    await x.deps.store.create(r);
    return r;
  }
  const held = async (x: Harness) => {
    const ids: string[] = [];
    for (const arn of slotArns(x.deps.config))
      ids.push(...grantsInSlot((await x.deps.broker.readSlot(arn)) ?? emptySlot()).keys());
    return ids.sort();
  };

  it("a stale read of a slot (IAM is eventually consistent) does not bring a revoked grant back", async () => {
    // Failed before: "slots hold: [aaaaaaaa, bbbbbbbb], A is REVOKED".
    const x = await startHarness();
    h = x;
    const a = await record(x, "20261126-aaaaaaaa", person("ann"));
    await applyRecord(x.deps, a.id, "test");
    const before = new Map<string, unknown>();
    for (const arn of slotArns(x.deps.config)) before.set(arn, await x.deps.broker.readSlot(arn));
    await x.deps.store.update((await x.deps.store.get(a.id)) as AccessRequest, { status: "REVOKED" });
    await removeAccess(x.deps, (await x.deps.store.get(a.id)) as AccessRequest);
    expect(await held(x)).toEqual([]);
    // Every read under the next writer's lease returns the slot as it was before the removal.
    const broker = x.deps.broker;
    const read = broker.readSlot.bind(broker);
    const reads = new Map<string, number>();
    broker.readSlot = async (arn) => {
      const n = (reads.get(arn) ?? 0) + 1;
      reads.set(arn, n);
      return n === 2 ? (before.get(arn) as Awaited<ReturnType<typeof read>>) : read(arn);
    };
    const b = await record(x, "20261126-bbbbbbbb", person("ben"));
    await applyRecord(x.deps, b.id, "test");
    broker.readSlot = read;
    expect(await held(x)).toEqual([b.id]);
  });

  it("a writer whose lease ran low gives up instead of writing over the slot", async () => {
    const x = await startHarness();
    h = x;
    captureLogs();
    const a = await record(x, "20261126-aaaaaaaa", person("ann"));
    // The read under the lease stalls past the lease's write margin.
    const broker = x.deps.broker;
    const read = broker.readSlot.bind(broker);
    let n = 0;
    broker.readSlot = async (arn) => {
      if (++n === 5) x.clock.advance(45);
      return read(arn);
    };
    await expect(applyRecord(x.deps, a.id, "test")).rejects.toThrow("ran out before the write");
    broker.readSlot = read;
  });

  it("a statement someone else put in a /jit/ slot is removed by the sweeper and dropped by writers", async () => {
    // Failed before: "sweep deleted: []" and the slot kept its Action "*" statement.
    const x = await startHarness();
    h = x;
    const [slot] = slotArns(x.deps.config);
    const doc = (await x.deps.broker.readSlot(slot ?? "")) ?? emptySlot();
    await x.deps.broker.writeSlot(slot ?? "", {
      ...doc,
      Statement: [...doc.Statement, { Sid: "Ops", Effect: "Allow", Action: "*", Resource: "*" }],
    });

    const report = await sweep(x.deps);

    expect(report.deletedPolicies).toEqual([
      { principal: slot, policyName: "Ops", why: "a statement that is not a grant of ours" },
    ]);
    expect(await x.deps.broker.readSlot(slot ?? "")).toEqual(emptySlot());
  });

  it("a slot missing from the account takes no grant; the others do", async () => {
    // Failed before: "NoSuchEntity: Policy …/jit/jit-grants-1 does not exist" for every grant.
    const x = await startHarness();
    h = x;
    const broker = x.deps.broker;
    const read = broker.readSlot.bind(broker);
    const missing = new Set(slotArns(x.deps.config).slice(0, 3));
    broker.readSlot = async (arn) => (missing.has(arn) ? undefined : read(arn));
    const a = await record(x, "20261126-aaaaaaaa", person("ann"));
    expect((await applyRecord(x.deps, a.id, "test")).outcome).toBe("granted");
    expect(await held(x)).toEqual([a.id]);
  });
});
