/**
 * On Slack's 3-second path, a request the live-grant check refuses is refused without waiting for the
 * on-call provider: the two run at once and a refusal ends the wait. The provider here never answers
 * and the lookup's own timer is frozen, so only a refusal that does not wait can settle the call.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../../../core/clock.ts";
import { ValidationError } from "../../../core/errors.ts";
import type { Deps } from "../../../core/ports.ts";
import { createRequest } from "../../../core/usecases/request.ts";
import { exampleConfig } from "../../helpers/config.ts";
import { aRequest } from "../../helpers/requests.ts";

afterEach(() => vi.useRealTimers());

describe("a request refused by the live-grant check", () => {
  it("is refused while the on-call provider has not answered", async () => {
    // Prepare: alice holds a live prod-db grant (port forwarding); prod-web (a shell) asks PagerDuty.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const clock = new FakeClock("2026-11-26T09:00:00Z");
    const live = aRequest({
      id: "20261126-livepfdb",
      profileId: "prod-db",
      status: "ACTIVE",
      grantedAt: "2026-11-26T08:30:00.000Z",
      expiresAt: "2026-11-26T10:00:00.000Z",
    });
    let asked = false;
    const deps = {
      config: exampleConfig(),
      clock,
      store: {
        listByStatus: async (status: string) => (status === "ACTIVE" ? [live] : []),
        create: async () => {
          throw new Error("nothing may be recorded");
        },
      },
      onCall: {
        pagerduty: {
          isOnCall: () => {
            asked = true;
            return new Promise<never>(() => {});
          },
        },
      },
    } as unknown as Deps;
    // Act
    const made = createRequest(deps, {
      requester: { slackUserId: "U01ALICE", email: "alice@example.com" },
      profileId: "prod-web",
      duration: "1h",
      reason: "disk full on web-3",
      ticket: "INC-1",
    });
    // Assess
    await expect(made).rejects.toBeInstanceOf(ValidationError);
    await expect(made).rejects.toThrow(/the requester holds 20261126-livepfdb/);
    expect(asked).toBe(true);
  });
});
