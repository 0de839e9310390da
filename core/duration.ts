/**
 * Durations as people write them: "90m", "1h30m", "2h", "45s", "1d", or ISO 8601 ("PT1H30M", "P1D").
 * Everything is kept as whole seconds.
 */
import { ValidationError } from "./errors.ts";

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const SHORT = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Parses a duration into seconds; throws ValidationError naming `field` when it cannot. */
export function parseDuration(text: string, field = "duration"): number {
  const trimmed = text.trim();
  const match = SHORT.exec(trimmed.toLowerCase()) ?? ISO.exec(trimmed.toUpperCase());
  if (!trimmed || !match || match.slice(1).every((part) => part === undefined)) {
    throw new ValidationError(
      field,
      `"${text}" is not a duration (use forms like 90m, 1h30m, 2h or PT1H30M)`,
    );
  }
  const [d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  const seconds = d * UNIT_SECONDS.d + h * UNIT_SECONDS.h + m * UNIT_SECONDS.m + s;
  if (seconds <= 0) throw new ValidationError(field, `"${text}" must be longer than zero`);
  return seconds;
}

/** Formats seconds the short way, largest units first: 5400 → "1h30m". */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  let rest = Math.round(seconds);
  let out = "";
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

/**
 * Parses `text` and checks it lies within [min, max] seconds (min: 1m unless given). `overMax` says
 * why, when a bare maximum is not the whole story (an extension: what the grant has left).
 */
export function parseBoundedDuration(
  text: string,
  field: string,
  maxSeconds: number,
  options: { minSeconds?: number; overMax?: string } = {},
): number {
  const { minSeconds = 60, overMax } = options;
  const seconds = parseDuration(text, field);
  if (seconds > maxSeconds) {
    throw new ValidationError(field, overMax ?? `${text} is over the maximum ${formatDuration(maxSeconds)}`);
  }
  if (seconds < minSeconds) {
    throw new ValidationError(field, `${text} is under the minimum ${formatDuration(minSeconds)}`);
  }
  return seconds;
}
