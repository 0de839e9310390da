/**
 * The on-call providers a deployment can ask, built from the config's `onCall` section and the API
 * tokens (stack secrets): a provider without its token is left out, and requests on its profiles
 * then wait for approvers, saying why.
 */
import type { AccessConfig } from "../../core/config/load.ts";
import type { OnCallProviders } from "../../core/oncall.ts";
import { onCallTimeoutMs } from "../../core/usecases/oncall.ts";
import { OpsgenieOnCall } from "./opsgenie.ts";
import { PagerDutyOnCall } from "./pagerduty.ts";

/** The API tokens, when configured (never logged). */
export interface OnCallTokens {
  pagerduty?: string | undefined;
  opsgenie?: string | undefined;
}

/** Builds the providers the config names and a token is given for. */
export function onCallProviders(config: AccessConfig, tokens: OnCallTokens): OnCallProviders {
  const timeoutMs = onCallTimeoutMs(config);
  const providers: OnCallProviders = {};
  const pd = config.onCall?.pagerduty;
  if (pd && tokens.pagerduty)
    providers.pagerduty = new PagerDutyOnCall({ token: tokens.pagerduty, apiUrl: pd.apiUrl, timeoutMs });
  const og = config.onCall?.opsgenie;
  if (og && tokens.opsgenie)
    providers.opsgenie = new OpsgenieOnCall({ apiKey: tokens.opsgenie, apiUrl: og.apiUrl, timeoutMs });
  return providers;
}
