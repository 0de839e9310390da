/**
 * Bolt's own remarks (a failed signature check, a listener error it caught) as our log lines, so the
 * Slack endpoint writes one format only and its lines pass the same redaction as everything else.
 */
import { type Logger, LogLevel } from "@slack/bolt";
import { describeError, log } from "../../core/log.ts";

const text = (msg: unknown[]) => msg.map(describeError).join(" ");

/** A Bolt logger writing through core/log.ts, at `level` and above. */
export function boltLogger(level: LogLevel = LogLevel.WARN): Logger {
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  let threshold = order.indexOf(level);
  const at =
    (l: LogLevel, write: (message: string, attributes: { source: string }) => void) =>
    (...msg: unknown[]) => {
      if (order.indexOf(l) >= threshold) write(text(msg), { source: "bolt" });
    };
  return {
    debug: at(LogLevel.DEBUG, log.debug),
    info: at(LogLevel.INFO, log.info),
    warn: at(LogLevel.WARN, log.warn),
    error: at(LogLevel.ERROR, log.error),
    setLevel: (next) => {
      threshold = order.indexOf(next);
    },
    getLevel: () => order[threshold] ?? LogLevel.WARN,
    setName: () => {},
  };
}
