/**
 * How `jit` shows things to people: times relative to now with the local clock time, tables that
 * keep their columns whatever the width of an email, colour only where `useColor` allows it.
 * ISO times stay in `--json`.
 */
import { formatDuration } from "../core/duration.ts";
import { type Io, useColor } from "./io.ts";

const pad2 = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The local clock time, with the date when it is not today's: "14:05", "Nov 28 14:05". */
export function clockTime(at: Date, now: Date): string {
  const time = `${pad2(at.getHours())}:${pad2(at.getMinutes())}`;
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay ? time : `${MONTHS[at.getMonth()]} ${at.getDate()} ${time}`;
}

/** "in 59m (14:05)", "3m ago (13:03)", "just now (13:06)": minutes and up, seconds only near now. */
export function when(iso: string | undefined, now: Date): string {
  if (!iso) return "-";
  const at = new Date(iso);
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const size = Math.abs(seconds);
  const span =
    size < 60 ? "" : formatDuration(size >= 3600 ? Math.round(size / 60) * 60 : size - (size % 60));
  const relative = !span ? "just now" : seconds > 0 ? `in ${span}` : `${span} ago`;
  return `${relative} (${clockTime(at, now)})`;
}

/** An end time, clock first: "until 14:05 (in 59m)". */
export function until(iso: string | undefined, now: Date): string {
  if (!iso) return "until -";
  const [relative, clock] = when(iso, now).split(/ \((.*)\)$/);
  return `until ${clock} (${relative})`;
}

/** The time `io` measures from. */
export const nowOf = (io: Io): Date => io.now?.() ?? new Date();

const COLORS: Record<string, number> = {
  PENDING: 33,
  APPROVED: 36,
  ACTIVE: 32,
  DENIED: 31,
  FAILED: 31,
  EXPIRED: 90,
  REVOKED: 90,
  CANCELLED: 90,
};

/** A status word, coloured on a terminal that wants colour. */
export const paintStatus = (status: string, io: Io): string =>
  useColor(io) && COLORS[status] ? `\x1b[${COLORS[status]}m${status}\x1b[0m` : status;

/** A bold heading on a terminal that wants colour, plain otherwise. */
export const bold = (text: string, io: Io): string => (useColor(io) ? `\x1b[1m${text}\x1b[0m` : text);

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences colour adds
const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

/**
 * Rows as a terminal table (a header, columns as wide as their widest cell) or, when piped, as
 * plain tab-separated lines without a header, one row per line.
 */
export function table(headers: string[], rows: string[][], io: Io): string[] {
  if (!io.tty) return rows.map((row) => row.map(visible).join("\t"));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visible(cell).length),
      )
      .join("  ")
      .trimEnd();
  return [line(headers.map((h) => bold(h, io))), ...rows.map(line)];
}

/** An account as people read it: "staging (444455556666)", or the bare id when it has no name. */
export const accountText = (a: { accountId: string; name?: string | undefined }): string =>
  a.name ? `${a.name} (${a.accountId})` : a.accountId;
