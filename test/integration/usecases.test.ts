/** Use cases at their edges: refusals with clear messages, and the sweeper's reconciliation. */
import { afterEach, describe, expect, it } from "vitest";
import { ConflictError, NotAuthorizedError, NotFoundError, ValidationError } from "../../core/errors.ts";
import { buildGrantPolicy, policyName } from "../../core/policy.ts";
import { resolvePrincipal } from "../../core/principal.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { revokeAccess } from "../../core/usecases/revoke.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { PEOPLE } from "../fixtures/nodes.ts";
import { exampleProfile } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { aRequest } from "../helpers/requests.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("createRequest refuses bad input and records nothing", () => {
  it.each([
    [
      { profileId: "nope" },
      NotFoundError,
      'no profile "nope"; the profiles are prod-web, prod-db, staging, sandbox',
    ],
    [
      { profileId: "prod-web", duration: "5h", ticket: "INC-1" },
      ValidationError,
      "5h is over the maximum 4h",
    ],
    [
      { profileId: "prod-web", duration: "soon", ticket: "INC-1" },
      ValidationError,
      '"soon" is not a duration',
    ],
    [
      { profileId: "prod-web", reason: "", ticket: "INC-1" },
      ValidationError,
      "the prod-web profile needs a reason",
    ],
    [
      { profileId: "prod-web", ticket: "JIRA-1" },
      ValidationError,
      "the prod-web profile needs a ticket matching ^(INC|CHG)-\\d+$",
    ],
  ])("%j", async (input, type, message) => {
    h = await startHarness();
    const act = createRequest(h.deps, { requester: PEOPLE.alice, reason: "disk full", ...input });
    await expect(act).rejects.toBeInstanceOf(type);
    await expect(
      createRequest(h.deps, { requester: PEOPLE.alice, reason: "disk full", ...input }),
    ).rejects.toThrow(message);
    expect(await h.deps.store.listByRequester(PEOPLE.alice.slackUserId)).toEqual([]);
  });

  it("refuses a person with no principal", async () => {
    h = await startHarness();
    await expect(
      createRequest(h.deps, { requester: { slackUserId: "U0NOBODY" }, profileId: "staging" }),
    ).rejects.toThrow("U0NOBODY is not a person this configuration knows");
  });

  it("refuses a requester the profile does not list", async () => {
    h = await startHarness();
    const config = {
      ...h.deps.config,
      profiles: {
        ...h.deps.config.profiles,
        staging: { ...exampleProfile("staging"), requesters: ["S0SRE"] },
      },
    };
    await expect(
      createRequest({ ...h.deps, config }, { requester: PEOPLE.alice, profileId: "staging" }),
    ).rejects.toBeInstanceOf(NotAuthorizedError);
  });

  it("returns the first request when the same id is created twice (a Slack retry)", async () => {
    h = await startHarness();
    const input = { requestId: "20261126-retry001", requester: PEOPLE.bob, profileId: "sandbox" };
    const first = await createRequest(h.deps, input);
    const second = await createRequest(h.deps, input);
    expect(second.id).toBe(first.id);
    expect(await h.deps.store.listByRequester(PEOPLE.bob.slackUserId)).toHaveLength(1);
    expect((await h.workflow.settled(first.id)).status).toBe("SUCCEEDED");
  });

  it("refuses another person's request id instead of handing back their record", async () => {
    h = await startHarness();
    await createRequest(h.deps, {
      requestId: "20261126-theirs01",
      requester: PEOPLE.bob,
      profileId: "sandbox",
    });
    await expect(
      createRequest(h.deps, {
        requestId: "20261126-theirs01",
        requester: PEOPLE.alice,
        profileId: "sandbox",
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("the sweeper", () => {
  it("deletes jit-* policies nobody has a record of, or whose embedded expiry passed, and leaves others", async () => {
    // Prepare: an orphan (no record), an expired one, and a policy that is not ours.
    h = await startHarness();
    const config = h.deps.config;
    const alice = resolvePrincipal(config, PEOPLE.alice);
    const profile = exampleProfile("prod-web", config);
    const orphan = buildGrantPolicy({
      profile,
      principal: alice,
      accountId: config.accountId,
      requestId: "20261126-orphan01",
      expiresAt: new Date("2026-11-26T18:00:00Z"),
    });
    await h.account.putGrant(alice, orphan.policyName, orphan.document);
    h.account.putForeignPolicy(alice.arn, "team-baseline", { Version: "2012-10-17", Statement: [] });

    // Act
    const report = await sweep(h.deps);

    // Assess
    expect(report.deletedPolicies).toEqual([
      { principal: alice.arn, policyName: policyName("20261126-orphan01"), why: "no request record" },
    ]);
    expect([...(h.account.policies.get(alice.arn)?.keys() ?? [])]).toEqual(["team-baseline"]);
  });

  it("settles a pending request whose execution died, and only after a grace period", async () => {
    h = await startHarness();
    const request = await createRequest(h.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "died",
      ticket: "INC-3",
    });
    await h.waitFor(request.id, (r) => r.taskToken !== undefined);
    h.workflow.abort(request.id);
    expect((await sweep(h.deps)).settledRequests).toEqual([]);

    h.clock.advance(600);
    const report = await sweep(h.deps);

    expect(report.settledRequests).toEqual([{ requestId: request.id, from: "PENDING", to: "FAILED" }]);
    expect(await h.deps.store.get(request.id)).toMatchObject({
      status: "FAILED",
      failure: "its workflow ended ABORTED",
    });
  });
});

describe("how a grant ended, as the record says it", () => {
  it("an expiry is marked atExpiry; a person's revoke is not, whatever words its reason uses", async () => {
    h = await startHarness();
    // Expiry: the sandbox profile needs no approval, and the fake clock lets the grant run out.
    const expired = await createRequest(h.deps, { requester: PEOPLE.bob, profileId: "sandbox" });
    const settled = await h.waitForStatus(expired.id, "REVOKED");
    expect(settled.history.findLast((e) => e.action === "revoked")?.detail).toMatchObject({
      reason: "expired",
      atExpiry: true,
    });
    // A person's revoke with the expiry's own reason text: still no atExpiry.
    const live = aRequest({
      id: "20261126-byperson",
      requester: PEOPLE.bob,
      profileId: "sandbox",
      principal: resolvePrincipal(h.deps.config, PEOPLE.bob),
      status: "ACTIVE",
      grantedAt: h.clock.now().toISOString(),
      expiresAt: new Date(h.clock.now().getTime() + 3_600_000).toISOString(),
    });
    await h.deps.store.create(live);
    await revokeAccess(h.deps, { requestId: live.id, actor: "U02BOB", reason: "expired" });
    const revoked = await h.deps.store.get(live.id);
    const entry = revoked?.history.findLast((e) => e.action === "revoked");
    expect(entry?.detail?.reason).toBe("expired");
    expect(entry?.detail?.atExpiry).toBeUndefined();
  });
});
