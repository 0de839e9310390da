/**
 * Approvers learn, before they click, that a profile's port forwarding or SSH sessions leave no
 * transcript (Session Manager does not log them).
 */
import { describe, expect, it } from "vitest";
import { approvalMessage } from "../../../adapters/slack/approval-message.ts";
import { exampleConfig, exampleProfile } from "../../helpers/config.ts";
import { aRequest } from "../../helpers/requests.ts";

const config = exampleConfig();

describe("the approval message", () => {
  it("warns that port-forwarding sessions leave no transcript", () => {
    // Prepare
    const request = aRequest({ profileId: "prod-db", status: "PENDING" });
    // Act
    const text = JSON.stringify(approvalMessage(request, exampleProfile("prod-db", config), 2));
    // Assess
    expect(text).toContain(
      "No transcript is kept of AWS-StartPortForwardingSession and AWS-StartPortForwardingSessionToRemoteHost sessions",
    );
  });

  it("says nothing about transcripts for a shell-only profile", () => {
    const request = aRequest({ profileId: "prod-web", status: "PENDING" });
    const text = JSON.stringify(approvalMessage(request, exampleProfile("prod-web", config), 2));
    expect(text).not.toMatch(/transcript/i);
  });
});
