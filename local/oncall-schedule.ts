/**
 * The sandbox's on-call state: a schedule file saying who is on call, where, at which level and
 * until when. Times are ISO 8601, or relative to the moment of each lookup ("-1h", "+20m"), so a
 * demo stays true whenever it runs. The fake providers (fake-oncall.ts) serve it.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseDuration } from "../core/duration.ts";

const when = z
  .string()
  .regex(/^(?:[+-]\d+[dhms](?:\d+[dhms])*|\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))$/, {
    error: 'must be an ISO time or a relative one such as "-1h" or "+20m"',
  });

const schema = z.strictObject({
  pagerduty: z
    .strictObject({
      users: z.array(z.strictObject({ id: z.string(), name: z.string(), email: z.string() })).default([]),
      oncalls: z
        .array(
          z.strictObject({
            user: z.string(),
            escalationPolicy: z.string(),
            level: z.number().int().min(1),
            schedule: z.string().nullable().default(null),
            start: when.nullable().default(null),
            end: when.nullable().default(null),
          }),
        )
        .default([]),
    })
    .default({ users: [], oncalls: [] }),
  opsgenie: z
    .strictObject({
      schedules: z
        .array(
          z.strictObject({
            id: z.string(),
            name: z.string(),
            onCall: z.array(z.strictObject({ email: z.string(), start: when, end: when })),
          }),
        )
        .default([]),
    })
    .default({ schedules: [] }),
});

/** The schedule file as written. */
export type OnCallSchedule = z.output<typeof schema>;

/** Parses a schedule (from a file's JSON or from a test), refusing anything not shaped as above. */
export function parseSchedule(value: unknown): OnCallSchedule {
  return schema.parse(value);
}

/** Reads and parses the schedule file. */
export function readSchedule(path: string): OnCallSchedule {
  return parseSchedule(JSON.parse(readFileSync(path, "utf8")));
}

/** An ISO or relative time of the file, resolved at `now`; null stays null (open-ended). */
export function resolveTime(value: string | null, now: Date): Date | null {
  if (value === null) return null;
  if (/^[+-]/.test(value)) {
    const seconds = parseDuration(value.slice(1), "schedule time");
    return new Date(now.getTime() + (value.startsWith("-") ? -seconds : seconds) * 1000);
  }
  return new Date(value);
}
