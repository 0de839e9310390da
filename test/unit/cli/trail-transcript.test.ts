/** `jit show` lists each ended session's transcript location, from the session-ended audit event. */
import { describe, expect, it } from "vitest";
import { sentence } from "../../../cli/trail.ts";
import { aRequest } from "../../helpers/requests.ts";

describe("jit show's audit trail", () => {
  it("names where an ended session's transcript is", () => {
    // Prepare
    const request = aRequest({ id: "20261126-alice000", profileId: "prod-web" });
    const event = {
      requestId: request.id,
      at: "2026-11-26T09:40:00.000Z",
      actor: "arn:aws:sts::123456789012:assumed-role/jit-alice/alice",
      action: "session-ended",
      detail: {
        sessionId: "alice-0a1b2c3d4e5f60001",
        reason: "terminated by its owner",
        transcript: "CloudWatch Logs /ssm-jit-access/production/sessions stream alice-0a1b2c3d4e5f60001",
      },
    };
    // Act
    const line = sentence(event, request, new Date("2026-11-26T10:00:00Z"));
    // Assess
    expect(line).toContain(
      "transcript CloudWatch Logs /ssm-jit-access/production/sessions stream alice-0a1b2c3d4e5f60001",
    );
  });
});
