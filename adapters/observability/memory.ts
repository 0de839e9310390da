/**
 * Metrics kept in memory, for tests and the sandbox: each record with the dimension sets it would be
 * published under on AWS, so a test asserts exactly what CloudWatch would receive.
 */
import {
  dimensionSets,
  METRICS,
  type MetricName,
  type Metrics,
  type MetricUnit,
} from "../../core/metrics.ts";

/** One recorded data point. */
export interface RecordedMetric {
  name: MetricName;
  unit: MetricUnit;
  value: number;
  dimensions: Record<string, string>;
  /** The dimension sets (names only) it is published under, total first. */
  sets: string[][];
}

export class MemoryMetrics implements Metrics {
  readonly recorded: RecordedMetric[] = [];

  record<N extends MetricName>(name: N, value: number, dimensions: Record<string, string>): void {
    // As strict as the EMF adapter: a value CloudWatch cannot use is not recorded.
    if (!Number.isFinite(value)) return;
    const sets = dimensionSets(name, dimensions);
    this.recorded.push({
      name,
      unit: METRICS[name].unit,
      value,
      dimensions: sets.at(-1) ?? {},
      sets: sets.map((s) => Object.keys(s)),
    });
  }

  /** The data points of one metric, optionally only those with these dimension values. */
  of(name: MetricName, where: Record<string, string> = {}): RecordedMetric[] {
    return this.recorded.filter(
      (m) => m.name === name && Object.entries(where).every(([k, v]) => m.dimensions[k] === v),
    );
  }

  /** The sum of one metric's values (with these dimension values). */
  sum(name: MetricName, where: Record<string, string> = {}): number {
    return this.of(name, where).reduce((total, m) => total + m.value, 0);
  }
}
