/**
 * What the config's `observability` section decides for the stack, as plain data (no SST globals, so a
 * unit test reads it): X-Ray on or off for the state machine and the functions (`tracing`), and the
 * Powertools settings each function's environment carries (`logLevel`, `debugSampleRate`).
 * stacks/workflow.ts and stacks/functions.ts apply these as they are.
 */
import type { AccessConfig } from "../core/config/load.ts";
import { METRIC_NAMESPACE } from "../core/metrics.ts";

export type ObservabilitySettings = AccessConfig["observability"];

/** X-Ray for the state machine and the functions, and whether their roles may write segments. */
export interface Tracing {
  /** aws.sfn.StateMachine `tracingConfiguration`. */
  stateMachine: { enabled: boolean };
  /** aws.lambda.Function `tracingConfig`: Active samples and sends segments; PassThrough only forwards the header. */
  function: { mode: "Active" | "PassThrough" };
  /** X-Ray's write permissions go on the roles only while tracing is on. */
  xrayPermissions: boolean;
}

export function tracingFor(tracing: boolean): Tracing {
  return {
    stateMachine: { enabled: tracing },
    function: { mode: tracing ? "Active" : "PassThrough" },
    xrayPermissions: tracing,
  };
}

/** `statement` when tracing is on, nothing otherwise: for a role's statements. */
export const xrayStatements = <T>(t: Tracing, statement: T): T[] => (t.xrayPermissions ? [statement] : []);

/**
 * The environment Powertools reads in every function (adapters/observability): the namespace the
 * dashboard and alarms read, the log level and the share of invocations logged at debug. The
 * `service` name depends on the stage and is added by stacks/functions.ts.
 */
export function powertoolsEnvironment(o: ObservabilitySettings) {
  return {
    POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: o.logLevel,
    POWERTOOLS_LOGGER_SAMPLE_RATE: String(o.debugSampleRate),
  };
}
