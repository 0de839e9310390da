/**
 * What `jit connect` needs to start a session under a grant: the node's region and the session
 * document, worked out on the server from the stored record and the profile, so the command a person
 * runs is one the grant allows.
 */
import { NotAuthorizedError, NotFoundError, ValidationError } from "../../core/errors.ts";
import type { Deps } from "../../core/ports.ts";
import type { Person } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";

/** A managed node's id as Session Manager takes it: an instance (i-) or a hybrid node (mi-). */
const TARGET = /^m?i-[0-9a-z]{8,17}$/;

/** Where and how to connect under a grant. */
export interface Connection {
  requestId: string;
  target: string;
  region: string;
  document: string;
  documents: string[];
  expiresAt?: string | undefined;
}

/** The connection for `person` to `target` under `request`; refuses anything the grant does not cover. */
export async function connectionFor(
  deps: Deps,
  person: Person,
  request: AccessRequest,
  target: string,
  document?: string,
): Promise<Connection> {
  if (request.requester.slackUserId !== person.slackUserId)
    throw new NotAuthorizedError(`${request.id} is not your grant: only its requester can connect with it`);
  if (request.status !== "ACTIVE")
    throw new ValidationError("request", `${request.id} is ${request.status.toLowerCase()}, not active`);
  if (!TARGET.test(target))
    throw new ValidationError("target", `"${target}" is not a managed node id (i-… or mi-…)`);
  const profile = deps.config.profiles[request.profileId];
  if (!profile) throw new NotFoundError(`the profile ${request.profileId} is no longer configured`);
  const chosen = document ?? profile.documents[0] ?? "SSM-SessionManagerRunShell";
  if (!profile.documents.includes(chosen))
    throw new ValidationError(
      "document",
      `${chosen} is not allowed by ${profile.id}; it allows ${profile.documents.join(", ")}`,
    );
  // One lookup per region, at once: the answer says which region holds the node.
  const found = await Promise.all(
    profile.regions.map(async (region) =>
      (await deps.sessions.matchingNodes(profile.tags, [region])).includes(target) ? region : undefined,
    ),
  );
  const region = found.find((r) => r !== undefined);
  if (region)
    return {
      requestId: request.id,
      target,
      region,
      document: chosen,
      documents: profile.documents,
      expiresAt: request.expiresAt,
    };
  throw new NotFoundError(
    `${target} is not one of ${profile.id}'s nodes in ${profile.regions.join(", ")} (or it is not online in Session Manager)`,
  );
}
