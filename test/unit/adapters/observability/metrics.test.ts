/** The EMF adapter: one document per record, our namespace, the catalog's dimension sets; never throws. */

import { LogLevel } from "@slack/bolt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { boltLogger } from "../../../../adapters/observability/bolt-logger.ts";
import { EmfMetrics } from "../../../../adapters/observability/metrics.ts";
import { setLogSink } from "../../../../core/log.ts";
import { captureLogs } from "../../../helpers/logs.ts";

afterEach(() => {
  setLogSink(undefined);
  vi.restoreAllMocks();
});

describe("EMF metrics", () => {
  it("write one document per record, under every prefix of the catalog's dimensions", () => {
    const out = captureLogs();
    new EmfMetrics().record("SessionAlerts", 1, { kind: "no-grant" });
    const [doc] = out.metrics() as { _aws: { CloudWatchMetrics: unknown[] }; [k: string]: unknown }[];
    expect(out.metrics()).toHaveLength(1);
    expect(doc?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "JitAccess",
        Dimensions: [["service"], ["service", "kind"]],
        Metrics: [{ Name: "SessionAlerts", Unit: "Count" }],
      },
    ]);
    expect(doc).toMatchObject({ service: "jit-access", kind: "no-grant", SessionAlerts: 1 });
  });

  it("never throw: a value CloudWatch would refuse is logged and dropped", () => {
    const out = captureLogs();
    expect(() => new EmfMetrics().record("RevokeLag", Number.NaN, { profile: "prod-web" })).not.toThrow();
    expect(out.metrics()).toEqual([]);
    expect(out.lines()).toEqual([
      expect.objectContaining({ message: "metric not recorded", metric: "RevokeLag" }),
    ]);
  });
});

describe("Bolt's logger", () => {
  it("writes Bolt's remarks at its level and above as our lines, tokens masked", () => {
    const out = captureLogs();
    const bolt = boltLogger(LogLevel.WARN);
    bolt.info("ignored below the level");
    bolt.warn("An API error occurred: invalid_auth for", "xoxb-1-2-abcdefABCDEF");
    expect(out.lines()).toEqual([
      expect.objectContaining({
        level: "warn",
        message: "An API error occurred: invalid_auth for [redacted]",
        source: "bolt",
      }),
    ]);
  });
});
