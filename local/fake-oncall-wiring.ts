/**
 * On call in the sandbox: the fake PagerDuty and Opsgenie (fake-oncall.ts) serve the schedule file
 * (JIT_ONCALL_SCHEDULE, else local/oncall-schedule.json), and the real adapters are pointed at them
 * with a fresh token per run. The file is read on every lookup, so editing it changes who is on call
 * without a restart.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { onCallProviders } from "../adapters/oncall/providers.ts";
import type { Deps } from "../core/ports.ts";
import { startFakeOpsgenie, startFakePagerDuty } from "./fake-oncall.ts";
import { readSchedule } from "./oncall-schedule.ts";

/** The sandbox's schedule file. */
export const SCHEDULE_FILE =
  process.env.JIT_ONCALL_SCHEDULE ?? fileURLToPath(new URL("./oncall-schedule.json", import.meta.url));

/**
 * Starts the fakes for the providers the config names and installs the real adapters, aimed at
 * them, as `deps.onCall`. Returns the fakes' URLs (for the banner) and how to stop them.
 */
export async function startSandboxOnCall(
  deps: Deps,
  schedulePath = SCHEDULE_FILE,
): Promise<{ urls: string[]; stop: () => Promise<void> }> {
  const wanted = deps.config.onCall;
  if (!wanted?.pagerduty && !wanted?.opsgenie) return { urls: [], stop: async () => {} };
  const schedule = () => readSchedule(schedulePath);
  const now = () => deps.clock.now();
  const pdToken = randomBytes(16).toString("hex");
  const ogToken = randomBytes(16).toString("hex");
  const pd = wanted.pagerduty ? await startFakePagerDuty({ schedule, token: pdToken, now }) : undefined;
  const og = wanted.opsgenie ? await startFakeOpsgenie({ schedule, token: ogToken, now }) : undefined;
  const config = {
    ...deps.config,
    onCall: {
      ...wanted,
      ...(pd ? { pagerduty: { apiUrl: pd.url } } : {}),
      ...(og ? { opsgenie: { apiUrl: og.url } } : {}),
    },
  };
  deps.onCall = onCallProviders(config, { pagerduty: pdToken, opsgenie: ogToken });
  const fakes = [pd, og].filter((f) => f !== undefined);
  return {
    urls: [pd && `PagerDuty ${pd.url}`, og && `Opsgenie ${og.url}`].filter((u): u is string => Boolean(u)),
    stop: async () => {
      deps.onCall = undefined;
      await Promise.all(fakes.map((f) => f.stop()));
    },
  };
}
