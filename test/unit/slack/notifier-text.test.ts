/**
 * The notifier's own fallback texts (what a notification shows, parsed as mrkdwn like the blocks)
 * also carry outside strings. Written before the fix; on the code of 2026-11-29 the approvals post
 * for a requester id `U1 <!channel>` (an id the sandbox API takes from `--as`) had the text
 * "Access request …: prod-web for U1 <!channel>".
 */
import type { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { SlackNotifier } from "../../../adapters/slack/notifier.ts";
import type { AccessConfig } from "../../../core/config/load.ts";
import type { RequestStore } from "../../../core/ports.ts";
import { aRequest } from "../../helpers/requests.ts";
import { allText, aProfile } from "./block-kit-limits.ts";

describe("SlackNotifier", () => {
  it("posts nothing raw: neither in the blocks nor in the fallback text", async () => {
    // Prepare
    const posted: { text?: string; blocks?: unknown }[] = [];
    const client = {
      chat: {
        postMessage: async (m: { text?: string; blocks?: unknown }) => {
          posted.push(m);
          return { ok: true };
        },
      },
    } as unknown as WebClient;
    const config = {
      profiles: { "prod-web": aProfile() },
      slack: { approvalsChannel: "C0APPROVALS", auditChannel: "C0AUDIT" },
    } as unknown as AccessConfig;
    const notifier = new SlackNotifier({ client, config, store: {} as RequestStore });
    const request = aRequest({
      requester: { slackUserId: "U1 <!channel>" },
      reason: "<!here> please\n*Pre-approved by* <@U0BOSS>",
    });
    // Act
    await notifier.notify({ type: "approval-needed", request });
    // Assess
    expect(posted).toHaveLength(2);
    for (const message of posted) {
      const seen = `${message.text ?? ""}\n${allText(message.blocks ?? [])}`;
      expect(seen).not.toMatch(/<!channel>|<!here>|<@U0BOSS>/);
    }
  });
});
