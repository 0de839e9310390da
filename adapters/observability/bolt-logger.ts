/**
 * Bolt's own remarks (a failed signature check, a listener error it caught) as our log lines, so the
 * Slack endpoint writes one format only and its lines pass the same redaction as everything else.
 */
import { type Logger, LogLevel } from "@slack/bolt";
import { log } from "../../core/log.ts";

const text = (msg: unknown[]) =>
  msg.map((m) => (m instanceof Error ? `${m.name}: ${m.message}` : String(m))).join(" ");

/** A Bolt logger writing through core/log.ts, at `level` and above. */
export function boltLogger(level: LogLevel = LogLevel.WARN): Logger {
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  let threshold = order.indexOf(level);
  const at = (l: LogLevel) => order.indexOf(l) >= threshold;
  return {
    debug: (...msg) => at(LogLevel.DEBUG) && log.debug(text(msg), { source: "bolt" }),
    info: (...msg) => at(LogLevel.INFO) && log.info(text(msg), { source: "bolt" }),
    warn: (...msg) => at(LogLevel.WARN) && log.warn(text(msg), { source: "bolt" }),
    error: (...msg) => at(LogLevel.ERROR) && log.error(text(msg), { source: "bolt" }),
    setLevel: (next) => {
      threshold = order.indexOf(next);
    },
    getLevel: () => order[threshold] ?? LogLevel.WARN,
    setName: () => {},
  };
}
