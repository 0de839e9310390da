/**
 * Refusals name their real cause, every problem at once, with what would be accepted: the minimum
 * reason, a ticket that matches, what an extension may still add.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../core/clock.ts";
import { ValidationError } from "../../../core/errors.ts";
import type { Deps } from "../../../core/ports.ts";
import type { AccessRequest } from "../../../core/request.ts";
import { deny } from "../../../core/usecases/approval.ts";
import { extendGrant } from "../../../core/usecases/expiry.ts";
import { createRequest } from "../../../core/usecases/request.ts";
import { exampleConfig } from "../../helpers/config.ts";
import { aRequest } from "../../helpers/requests.ts";

const ALICE = { slackUserId: "U01ALICE", email: "alice@example.com" };

/** Only what a refusal reads before anything is written: the config, the clock, one stored request. */
function depsWith(request?: AccessRequest): Deps {
  return {
    config: exampleConfig(),
    clock: new FakeClock(new Date("2026-11-26T12:00:00Z")),
    store: { get: async () => request },
  } as unknown as Deps;
}

/** The ValidationError an action throws (fails the test when it throws anything else). */
async function refusal(act: Promise<unknown>): Promise<ValidationError> {
  const error = await act.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("a request's refusal", () => {
  it("says a one-letter reason is too short and what the minimum is, with the ticket problem too", async () => {
    // Act
    const error = await refusal(
      createRequest(depsWith(), { requester: ALICE, profileId: "prod-web", reason: "x", ticket: "JIRA-1" }),
    );
    // Assess
    expect(error.problems).toEqual([
      {
        field: "reason",
        message: 'the reason "x" is too short: the prod-web profile needs at least 3 characters',
      },
      {
        field: "ticket",
        message:
          'the prod-web profile needs a ticket matching ^(INC|CHG)-\\d+$, such as INC-1234; "JIRA-1" is not one',
      },
    ]);
    expect(error.field).toBe("reason");
    expect(error.message).toBe(error.problems.map((p) => p.message).join("; "));
  });

  it("says a missing reason needs at least 3 characters, and shows a ticket that matches", async () => {
    // Act
    const error = await refusal(createRequest(depsWith(), { requester: ALICE, profileId: "prod-web" }));
    // Assess
    expect(error.message).toBe(
      "the prod-web profile needs a reason of at least 3 characters; the prod-web profile needs a ticket matching ^(INC|CHG)-\\d+$, such as INC-1234",
    );
  });

  it("keeps the duration's own message alongside the others", async () => {
    const error = await refusal(
      createRequest(depsWith(), { requester: ALICE, profileId: "prod-web", duration: "9h", reason: "x" }),
    );
    expect(error.problems.map((p) => p.field)).toEqual(["duration", "reason", "ticket"]);
    expect(error.message).toMatch(/^9h is over the maximum 4h; /);
  });
});

describe("a denial's refusal", () => {
  it.each([
    ["no", 'a denial needs a reason of at least 3 characters; "no" is too short'],
    ["  ", "a denial needs a reason of at least 3 characters"],
  ])("%j: %s", async (reason, message) => {
    // Act
    const error = await refusal(
      deny(depsWith(aRequest()), {
        requestId: "20261126-abcdefgh",
        approver: { slackUserId: "U03DAVE" },
        reason,
      }),
    );
    // Assess
    expect(error.message).toBe(message);
    expect(error.field).toBe("reason");
  });
});

describe("an extension's refusal", () => {
  it("names the profile's maximum and what remains", async () => {
    // Prepare: a 3h staging grant (maximum 8h), 1h in.
    const grant = aRequest({
      profileId: "staging",
      status: "ACTIVE",
      durationSeconds: 3 * 3600,
      grantedAt: "2026-11-26T11:00:00.000Z",
      expiresAt: "2026-11-26T14:00:00.000Z",
    });
    // Act
    const error = await refusal(
      extendGrant(depsWith(grant), { requestId: grant.id, actor: "U01ALICE", by: "6h" }),
    );
    // Assess
    expect(error.message).toBe(
      "6h is more than this grant can still grow: the staging profile allows at most 8h per grant, and 5h remains",
    );
    expect(error.field).toBe("by");
  });
});
