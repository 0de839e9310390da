/**
 * The caller of the deployed API, from the ARN AWS verified: the configuration names the person
 * (core/caller-identity.ts), the directory completes them (Slack user ID from the email or the
 * other way round), and the person's configured principal must be the one that signed.
 */
import { assertCallerIs, claimOfCaller } from "../../core/caller-identity.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import { NotAuthorizedError } from "../../core/errors.ts";
import { type Person, resolvePrincipal } from "../../core/principal.ts";
import type { Caller } from "./routes.ts";

/** What the API asks of the people directory (Slack in the stack, a file in the sandbox). */
export interface PeopleDirectory {
  idByEmail(email: string): Promise<string | undefined>;
  email(slackUserId: string): Promise<string | undefined>;
  groupsOf(slackUserId: string, candidates: readonly string[]): Promise<string[]>;
}

/** The person who signed as `callerArn`; NotAuthorizedError naming the ARN when nobody can be. */
export async function callerFromArn(
  config: AccessConfig,
  directory: PeopleDirectory,
  callerArn: string,
): Promise<Caller> {
  const claim = claimOfCaller(config, callerArn);
  let { slackUserId, email } = claim;
  if (!slackUserId && email) slackUserId = await directory.idByEmail(email);
  if (!slackUserId)
    throw new NotAuthorizedError(
      `the AWS caller ${callerArn} maps to ${email ?? "nobody"}, and Slack has no user with that email`,
    );
  email ??= await directory.email(slackUserId);
  const person: Person = { slackUserId, email };
  assertCallerIs(resolvePrincipal(config, person), person, callerArn);
  const id = slackUserId;
  return { person, groupsOf: (candidates) => directory.groupsOf(id, candidates) };
}
