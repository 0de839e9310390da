/**
 * The sandbox's people: Slack user IDs and the emails Slack would report for them (the shared role's
 * session name is the email). The example config's people by default; JIT_PEOPLE may name a JSON
 * file `{ "U0…": "name@example.com" }` for another config.
 */
import { readFileSync } from "node:fs";
import type { Person } from "../core/principal.ts";

const EXAMPLE: Record<string, string> = {
  U01ALICE: "alice@example.com",
  U02BOB: "bob@example.com",
  U03DAVE: "dave@example.com",
  U04ERIN: "erin@example.com",
  U05FRANK: "frank@example.com",
  U06CAROL: "carol@example.com",
  U09DAN: "dan@example.com",
  U0ADMIN01: "admin@example.com",
};

const directory = (): Record<string, string> =>
  process.env.JIT_PEOPLE ? JSON.parse(readFileSync(process.env.JIT_PEOPLE, "utf8")) : EXAMPLE;

/** A person from `--as`: a Slack user ID, or an email (its Slack ID looked up, else the email itself). */
export function personFor(as: string): Person {
  const people = directory();
  if (as.includes("@")) {
    const id = Object.entries(people).find(([, email]) => email.toLowerCase() === as.toLowerCase())?.[0];
    return { slackUserId: id ?? as, email: as };
  }
  return { slackUserId: as, email: people[as] };
}

/** The sandbox's people as the signed API's directory sees them (no Slack user groups here). */
export const sandboxPeople = {
  async idByEmail(email: string): Promise<string | undefined> {
    return Object.entries(directory()).find(([, e]) => e.toLowerCase() === email.toLowerCase())?.[0];
  },
  async email(slackUserId: string): Promise<string | undefined> {
    return directory()[slackUserId];
  },
  async groupsOf(): Promise<string[]> {
    return [];
  },
};
