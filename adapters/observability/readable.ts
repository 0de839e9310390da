/**
 * The sandbox's log: the same events as on Lambda (same messages, same keys, same redaction, since
 * they pass core/log.ts first), one readable line each instead of a JSON object:
 *
 *   12:04:05 warn  notice not delivered  requestId=r-20261129-ab12 notice=granted error=…
 *
 * JIT_LOG_LEVEL (debug, info, warn, error; default info) picks what is printed; metrics are printed
 * at debug, as `metric` lines with their dimensions.
 */
import type { LogAttributes, LogLevel, LogSink } from "../../core/log.ts";
import { dimensionSets, type MetricName, type Metrics } from "../../core/metrics.ts";
import { invocationKeys } from "./keys.ts";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

const show = (value: unknown): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
};

/** `key=value` pairs, keys in the order given, empty values left out. */
export const pairs = (attributes: LogAttributes): string =>
  Object.entries(attributes)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(" ");

/** Warnings and errors to stderr (a caller that silences those silences them here too). */
const toConsole = (line: string, level: LogLevel) =>
  level === "error" ? console.error(line) : level === "warn" ? console.warn(line) : console.log(line);

/** A sink that prints one line per event at `level` and above. */
export function readableSink(
  print: (line: string, level: LogLevel) => void = toConsole,
  level: LogLevel = (process.env.JIT_LOG_LEVEL as LogLevel | undefined) ?? "info",
  now: () => Date = () => new Date(),
): LogSink {
  const threshold = RANK[level] ?? RANK.info;
  return {
    write(lineLevel, message, attributes) {
      if (RANK[lineLevel] < threshold) return;
      const time = now().toISOString().slice(11, 19);
      const rest = pairs({ ...invocationKeys.get(), ...attributes });
      print(`${time} ${lineLevel.padEnd(5)} ${message}${rest ? `  ${rest}` : ""}`, lineLevel);
    },
    appendKeys: invocationKeys.append,
    resetKeys: invocationKeys.reset,
    invocationSecrets: invocationKeys.secrets,
  };
}

/** Sandbox metrics: one debug line each, with the dimensions it would carry on AWS. */
export class LoggedMetrics implements Metrics {
  private readonly sink: LogSink;

  constructor(sink: LogSink) {
    this.sink = sink;
  }

  record<N extends MetricName>(name: N, value: number, dimensions: Record<string, string>): void {
    const all = dimensionSets(name, dimensions).at(-1) ?? {};
    this.sink.write("debug", `metric ${name} ${value}`, all);
  }
}
