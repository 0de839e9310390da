/** The grant policy of a request, as the grant, every extension and every re-application write it. */
import { buildGrantPolicy, type GrantPolicy } from "../policy.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { profileOf } from "./common.ts";

/** The grant policy of `request`, ending at `expiresAt`. */
export function grantPolicyOf(deps: Deps, request: AccessRequest, expiresAt: Date): GrantPolicy {
  return buildGrantPolicy({
    profile: profileOf(deps, request),
    principal: request.principal,
    accountId: deps.config.accountId,
    partition: deps.config.partition,
    requestId: request.id,
    expiresAt,
  });
}
