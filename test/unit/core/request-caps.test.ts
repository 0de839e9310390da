/**
 * The reason and ticket are capped where every front door meets: createRequest. The slash command,
 * the CLI and the sandbox API all go through it, and only the modal capped the reason before.
 * Written before the fix; on the code of 2026-11-29 a 2,000-character reason and a 1,000-character
 * ticket were both accepted: createRequest resolved with a stored record ("promise resolved
 * { id: '20261126-…' } instead of rejecting"), store.create and workflow.start called.
 */
import { describe, expect, it } from "vitest";
import type { Profile } from "../../../core/config/load.ts";
import { ValidationError } from "../../../core/errors.ts";
import type { Deps } from "../../../core/ports.ts";
import { createRequest, REASON_MAX, TICKET_MAX } from "../../../core/usecases/request.ts";

const profile = {
  id: "prod-web",
  description: "Shell on production web servers",
  tags: { Env: ["prod"] },
  documents: ["SSM-SessionManagerRunShell"],
  regions: ["eu-west-1"],
  defaultDurationSeconds: 3600,
  maxDurationSeconds: 14_400,
  approvalTimeoutSeconds: 1800,
  approvers: ["U03DAVE"],
  approvalsRequired: 1,
} as unknown as Profile;

/** Deps that record whether anything got as far as the store or the workflow. */
function recordingDeps() {
  const calls: string[] = [];
  const deps = {
    config: {
      profiles: { "prod-web": profile },
      principals: { map: { U01ALICE: "arn:aws:iam::123456789012:role/jit-alice" } },
    },
    clock: { now: () => new Date("2026-11-26T09:00:00Z") },
    store: {
      create: async () => void calls.push("store.create"),
      appendAudit: async () => void calls.push("audit"),
      // No live grant: nothing for the new request to combine with.
      listByStatus: async () => [],
    },
    workflow: { start: async () => void calls.push("workflow.start") },
  } as unknown as Deps;
  return { deps, calls };
}

const alice = { slackUserId: "U01ALICE" };

describe("createRequest caps what a person types", () => {
  it.each([
    [
      "a 2,000-character reason",
      { reason: "x".repeat(2000) },
      "reason",
      /the reason is 2000 characters; at most 500 are accepted/,
    ],
    ["a 501-character reason", { reason: "y".repeat(501) }, "reason", /at most 500/],
    [
      "a 1,000-character ticket",
      { ticket: "INC-".padEnd(1000, "9") },
      "ticket",
      /the ticket is 1000 characters; at most 100/,
    ],
  ])(
    "refuses %s with a ValidationError on that field and records nothing",
    async (_, input, field, message) => {
      // Prepare
      const { deps, calls } = recordingDeps();
      // Act
      const act = createRequest(deps, { requester: alice, profileId: "prod-web", ...input });
      // Assess
      await expect(act).rejects.toBeInstanceOf(ValidationError);
      await expect(act).rejects.toMatchObject({ field, message: expect.stringMatching(message) });
      expect(calls).toEqual([]);
    },
  );

  it("accepts a reason and a ticket exactly at the caps", async () => {
    expect([REASON_MAX, TICKET_MAX]).toEqual([500, 100]);
    const { deps, calls } = recordingDeps();
    const request = await createRequest(deps, {
      requester: alice,
      profileId: "prod-web",
      reason: "r".repeat(REASON_MAX),
      ticket: "t".repeat(TICKET_MAX),
    });
    expect(request.reason).toHaveLength(500);
    expect(calls).toContain("store.create");
  });
});
