/**
 * The on-call providers of the functions that create requests (Slack, the signed API): the tokens
 * come from stack secrets passed as PAGERDUTY_API_TOKEN and OPSGENIE_API_KEY, set only when the
 * config names that provider (stacks/functions.ts).
 */
import { onCallProviders } from "../adapters/oncall/providers.ts";
import type { AccessConfig } from "../core/config/load.ts";
import type { OnCallProviders } from "../core/oncall.ts";

export function onCallFor(config: AccessConfig): OnCallProviders {
  return onCallProviders(config, {
    pagerduty: process.env.PAGERDUTY_API_TOKEN || undefined,
    opsgenie: process.env.OPSGENIE_API_KEY || undefined,
  });
}
