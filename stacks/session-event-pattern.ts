/**
 * The EventBridge patterns for the session calls, kept free of SST globals so tests can check them
 * against the CloudTrail fixtures.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { sessionEventAccounts } from "../core/usecases/session-events.ts";

/**
 * The calls themselves, in SST's form (`detailType`). Every rule that forwards them uses it as is: a
 * member's rule (stacks/spoke-template.ts) and a region's (stacks/regions.ts) see only their own
 * account's calls anyway, so neither filters on an account.
 */
export const SESSION_EVENT_PATTERN = {
  source: ["aws.ssm"],
  detailType: ["AWS API Call via CloudTrail"],
  detail: {
    eventSource: ["ssm.amazonaws.com"],
    eventName: ["StartSession", "ResumeSession", "TerminateSession"],
  },
};

/**
 * The hub's rule, in EventBridge's own form: the calls of the hub and of every account the config
 * names (issue 12), forwarded onto its bus by their spokes. `account` is EventBridge's field, which a
 * forwarding rule keeps and a sender cannot set (adapters/aws/cloudtrail.ts), so the other accounts of
 * the organization's OUs (the StackSet deploys the spoke to all of them) cost no invocation.
 */
export function hubSessionEventPattern(config: Pick<AccessConfig, "accountId" | "accounts">) {
  const { detailType, ...rest } = SESSION_EVENT_PATTERN;
  return {
    source: rest.source,
    "detail-type": detailType,
    account: sessionEventAccounts(config),
    detail: rest.detail,
  };
}
