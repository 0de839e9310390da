/**
 * Metrics on Lambda: Powertools Metrics writes each record as one line in CloudWatch's embedded metric
 * format on stdout; CloudWatch Logs extracts the metric from the function's log group, so there is no
 * PutMetricData call and no permission for one
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Lambda.html).
 *
 * Each record is flushed at once (a "single metric") because each carries its own dimensions; it is
 * published under every prefix of the catalog's dimensions (core/metrics.ts `dimensionSets`), so the
 * alarms read totals and the dashboard reads the split. The middleware adds the `ColdStart` metric
 * and flushes anything left at the end of the invocation.
 */
import { Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { describeError, log } from "../../core/log.ts";
import {
  dimensionSets,
  METRIC_NAMESPACE,
  METRICS,
  type MetricName,
  type Metrics,
} from "../../core/metrics.ts";

/** Powertools' own remarks go to our log; "nothing to publish" is normal here (every record flushes). */
const remarks = {
  debug: (...m: unknown[]) => log.debug(String(m[0])),
  info: (...m: unknown[]) => log.info(String(m[0])),
  warn: (...m: unknown[]) =>
    String(m[0]).startsWith("No application metrics") ? log.debug(String(m[0])) : log.warn(String(m[0])),
  error: (...m: unknown[]) => log.error(String(m[0])),
};

/** The port, on a Powertools Metrics instance. */
export class EmfMetrics implements Metrics {
  readonly powertools: PowertoolsMetrics;

  constructor(
    powertools = new PowertoolsMetrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRIC_NAMESPACE,
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "jit-access",
      logger: remarks,
    }),
  ) {
    this.powertools = powertools;
  }

  record<N extends MetricName>(name: N, value: number, dimensions: Record<string, string>): void {
    // Powertools would write NaN as null, a data point CloudWatch cannot use: refused here instead.
    if (!Number.isFinite(value)) {
      log.warn("metric not recorded", { metric: name, error: `not a finite number: ${value}` });
      return;
    }
    try {
      const single = this.powertools.singleMetric();
      for (const set of dimensionSets(name, dimensions)) single.addDimensions(set);
      single.addMetric(name, METRICS[name].unit, value);
    } catch (error) {
      log.warn("metric not recorded", { metric: name, error: describeError(error) });
    }
  }
}

let shared: EmfMetrics | undefined;

/** The container's metrics, created on first use. */
export function lambdaMetrics(): EmfMetrics {
  shared ??= new EmfMetrics();
  return shared;
}

/** The middleware: a `ColdStart` count on a container's first invocation, and a final flush. */
export const metricsMiddleware = (metrics: EmfMetrics = lambdaMetrics()) =>
  logMetrics(metrics.powertools, { captureColdStartMetric: true });
