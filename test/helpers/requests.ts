/** Builds request records for tests, with the example config's principals. */
import type { AccessRequest } from "../../core/request.ts";

export function aRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: "20261126-abcdefgh",
    requester: { slackUserId: "U01ALICE", email: "alice@example.com" },
    profileId: "prod-web",
    principal: { kind: "role", arn: "arn:aws:iam::123456789012:role/oncall/jit-alice", name: "jit-alice" },
    durationSeconds: 3600,
    reason: "disk full on web-3",
    status: "PENDING",
    createdAt: "2026-11-26T09:00:00.000Z",
    approvals: [],
    approvalsRequired: 1,
    history: [],
    version: 1,
    ...overrides,
  };
}
