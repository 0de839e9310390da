/**
 * What the product measures, as data: each metric's unit and the only dimensions it may carry. The
 * use cases record through the `Metrics` port; adapters/observability turns a record into CloudWatch's
 * embedded metric format (Lambda) or keeps it in memory (tests, the sandbox); stacks/ draws the
 * dashboard and the alarms from the same names. Nothing here imports an SDK.
 *
 * Dimensions stay low-cardinality on purpose: a profile, an outcome, a kind. Never a person, a
 * principal or a request id (each distinct value is a new CloudWatch metric, billed per month, and a
 * person's name in a metric outlives any log retention).
 */

/** The CloudWatch namespace the metrics are published in (the stack's dashboard and alarms read it). */
export const METRIC_NAMESPACE = "JitAccess";

/** A CloudWatch standard unit (the subset used here). */
export type MetricUnit = "Count" | "Seconds" | "Milliseconds";

/** The catalog: unit, dimensions (in the order they are aggregated), and why the metric exists. */
export const METRICS = {
  /** Every status a request reaches, by profile: the request funnel. */
  Requests: { unit: "Count", dimensions: ["outcome", "profile"] },
  /** Time from the request to the approvers' decision (approved or denied). */
  ApprovalWait: { unit: "Seconds", dimensions: ["profile"] },
  /** Time from approval to the grant being in IAM (the record ACTIVE and the policy written). */
  ApproveToEffective: { unit: "Milliseconds", dimensions: ["profile"] },
  /** Grants live at the sweeper's pass (a gauge, every five minutes). */
  GrantsActive: { unit: "Count", dimensions: [] },
  /** How long after its expiry a grant was revoked by the workflow or the sweeper. */
  RevokeLag: { unit: "Seconds", dimensions: ["profile"] },
  /** A revocation that failed after its retries (the workflow's Catch). */
  RevokeFailures: { unit: "Count", dimensions: ["profile"] },
  /** Session Manager sessions seen starting under a grant. */
  SessionsStarted: { unit: "Count", dimensions: ["profile"] },
  /** Sessions seen ending: terminated, exit-or-idle (found by the sweeper), revoked. */
  SessionsEnded: { unit: "Count", dimensions: ["reason"] },
  /** Sessions no grant explains, or refused attempts (standing-access drift). */
  SessionAlerts: { unit: "Count", dimensions: ["kind"] },
  /** Things the sweeper found left behind and fixed; each should be rare. */
  SweeperRepairs: { unit: "Count", dimensions: ["repair"] },
  /** Steps of a sweep that failed (the next pass retries them). */
  SweepErrors: { unit: "Count", dimensions: [] },
  /**
   * Accounts a sweep could not reach (AssumeRole on their broker refused, throttled or failed), by
   * that reason: the account is named in the sweep's log line, never here (the dimension stays small).
   */
  AccountsUnreachable: { unit: "Count", dimensions: ["reason"] },
  /** One per finished sweep: its absence means the sweeper is not running. */
  SweepCompleted: { unit: "Count", dimensions: [] },
  /** How long the Slack endpoint took to answer (Slack gives up after 3 s). */
  SlackAckTime: { unit: "Milliseconds", dimensions: [] },
  /** Slack endpoint answers by class: ok, rejected (bad signature, 4xx), error (5xx or thrown). */
  SlackResponses: { unit: "Count", dimensions: ["outcome"] },
  /** The signed API's answers by class: ok, rejected (4xx: the caller's doing), error (5xx). */
  ApiResponses: { unit: "Count", dimensions: ["outcome"] },
} as const satisfies Record<string, { unit: MetricUnit; dimensions: readonly string[] }>;

export type MetricName = keyof typeof METRICS;

/** The dimensions `name` accepts, each a string; no other key type-checks. */
export type DimensionsOf<N extends MetricName> = {
  [K in (typeof METRICS)[N]["dimensions"][number]]: string;
};

/** Records metrics. Implementations never throw: a lost data point must not stop an access change. */
export interface Metrics {
  record<N extends MetricName>(name: N, value: number, dimensions: DimensionsOf<N>): void;
}

/** Every name a dimension may have, across the catalog. */
export const DIMENSION_NAMES: ReadonlySet<string> = new Set(
  Object.values(METRICS).flatMap((m) => [...m.dimensions]),
);

/** A dimension value as CloudWatch keeps it; anything else (a `*`, `${`, a long string) becomes "other". */
const SAFE_VALUE = /^[A-Za-z0-9][\w.-]{0,63}$/;

/**
 * The dimension sets a record is published under: every prefix of the catalog's order, so an alarm
 * reads the total (no dimension), a dashboard the split by the first, and so on. Values outside
 * SAFE_VALUE are replaced, and keys not in the catalog dropped, whatever the caller typed.
 */
export function dimensionSets(
  name: MetricName,
  dimensions: Record<string, string>,
): Record<string, string>[] {
  const order: readonly string[] = METRICS[name].dimensions;
  const values = order.map((key) => {
    const value = dimensions[key];
    return [key, value && SAFE_VALUE.test(value) ? value : "other"] as const;
  });
  return [{}, ...values.map((_v, i) => Object.fromEntries(values.slice(0, i + 1)))];
}
