/**
 * The weekly report as one SNS message. A topic takes at most 262,144 bytes by default, message body
 * and message attributes together ("By default, all existing and newly created topics have a
 * MaximumMessageSize of 262,144 bytes (256 KiB) ... Amazon SNS validates the combined size of the
 * message body and message attributes"; over it, Publish fails with InvalidParameter:
 * https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html). A busy week does not fit
 * whole: the summary always goes, and as many of the week's request rows as fit, oldest first; the
 * message then says how many were left out and which `jit audit` command prints them all.
 */
import type { WeeklyReport } from "./report.ts";

/** SNS's default maximum message size, body and attributes together. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** What the message says when it is not the whole report. */
export interface Omitted {
  requests: number;
  driftAlerts: number;
  why: string;
  allOf: string;
}

const bytes = (text: string) => new TextEncoder().encode(text).length;

/**
 * The report's JSON, at most `maxBytes` UTF-8 bytes (the caller leaves room for its attributes);
 * `omitted` is undefined when the message is the whole report.
 */
export function reportMessage(
  report: WeeklyReport,
  maxBytes: number,
): { message: string; omitted?: Omitted | undefined } {
  const whole = JSON.stringify(report);
  if (bytes(whole) <= maxBytes) return { message: whole };
  const allOf = `jit audit --from ${report.from} --to ${report.to} --format json`;
  const cut = (rows: number, alerts: number) => {
    const omitted: Omitted = {
      requests: report.requests.length - rows,
      driftAlerts: report.driftAlerts.length - alerts,
      why: `the whole report is over SNS's ${SNS_MAX_MESSAGE_BYTES}-byte message limit`,
      allOf,
    };
    return JSON.stringify({
      ...report,
      requests: report.requests.slice(0, rows),
      driftAlerts: report.driftAlerts.slice(0, alerts),
      omitted,
    });
  };
  // The alerts are kept whole when the summary and they fit; otherwise the first hundred.
  const alerts = bytes(cut(0, report.driftAlerts.length)) <= maxBytes ? report.driftAlerts.length : 100;
  if (bytes(cut(0, alerts)) > maxBytes) {
    throw new RangeError(
      `the weekly report's summary alone is over ${maxBytes} bytes; nothing was published`,
    );
  }
  // The most rows that fit: rows only add bytes, so a binary search finds the count.
  let fits = 0;
  let over = report.requests.length + 1;
  while (over - fits > 1) {
    const mid = Math.floor((fits + over) / 2);
    if (bytes(cut(mid, alerts)) <= maxBytes) fits = mid;
    else over = mid;
  }
  const message = cut(fits, alerts);
  return { message, omitted: JSON.parse(message).omitted as Omitted };
}
