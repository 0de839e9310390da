/**
 * Which grant explains a session, judged in the account the session ran in (issue 12). The event's
 * account is the one EventBridge stamped on it (adapters/aws/cloudtrail.ts); everything else is
 * matched against it. A grant covers the session only when, at the event's time:
 * - it was live (granted, not yet expired, ended or revoked);
 * - it grants in that account, and its principal there is the caller: a role of the same name in
 *   another account is not, and neither is the requester's principal in another account of the same
 *   grant (an account's events cannot be explained by a grant written in a different one);
 * - its profile spans that account (as configured now) and the event's region;
 * - the node is one of the profile's nodes in that account and region, asked of that account.
 *
 * A grant "held" is one whose principal in any of its accounts is the caller: it makes the alert
 * "outside its grant" rather than "no grant", and lets the alert say what the caller does hold.
 */
import { profileAccountIds } from "../accounts.ts";
import type { Deps } from "../ports.ts";
import type { Principal } from "../principal.ts";
import type { AccessRequest } from "../request.ts";
import { grantTargets, inAccount, principalIn } from "./in-account.ts";
import type { SessionEvent } from "./session-events.ts";

const IAM_ARN = /^arn:([^:]+):iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/;

/**
 * Whether two IAM role or user ARNs name the same identity: same partition, account, kind and name.
 * The path is ignored: CloudTrail's `sessionIssuer.arn` carries the role's real path (Identity Center
 * roles exist with and without a region in it), while the config may name the role without it. Role
 * and user names are unique per account whatever their path (IAM's naming rules).
 */
export function sameIamIdentity(a: string, b: string): boolean {
  const key = (arn: string) => {
    const m = IAM_ARN.exec(arn);
    return m ? `${m[1]}|${m[2]}|${m[3]}|${m[4]}` : undefined;
  };
  const ka = key(a);
  return ka !== undefined && ka === key(b);
}

/** The account in an IAM role or user ARN; undefined for anything else. */
const accountInArn = (arn: string): string | undefined => IAM_ARN.exec(arn)?.[2];

/** Whether the event's caller is this principal (on a shared role, this person's role session). */
function isCaller(p: Principal, e: SessionEvent): boolean {
  if (!e.principalArn || !sameIamIdentity(p.arn, e.principalArn)) return false;
  return p.kind !== "shared-role" || p.sessionName === e.sessionName;
}

/** Whether the grant was live at `at` (ms): granted, and neither past its expiry nor ended. */
function liveAt(r: AccessRequest, at: number): boolean {
  const from = r.grantedAt ? new Date(r.grantedAt).getTime() : Number.POSITIVE_INFINITY;
  const until = Math.min(
    r.expiresAt ? new Date(r.expiresAt).getTime() : 0,
    r.endedAt ? new Date(r.endedAt).getTime() : Number.POSITIVE_INFINITY,
  );
  return from <= at && at < until;
}

/** The grants the caller held at the event's time (any account, any node), and the one covering it. */
export async function grantsAt(
  deps: Deps,
  e: SessionEvent,
): Promise<{ held: AccessRequest[]; covering?: AccessRequest }> {
  const candidates = [
    ...(await deps.store.listByStatus("ACTIVE")),
    ...(await deps.store.listByStatus("REVOKED")),
  ];
  const at = new Date(e.time).getTime();
  const held = candidates.filter(
    (r) => liveAt(r, at) && grantTargets(r).some((t) => isCaller(t.principal, e)),
  );
  for (const r of held) {
    const principal = principalIn(r, e.accountId);
    // Its principal in the event's account, and that principal's ARN in that account too: a record
    // whose grant list says otherwise is not trusted to explain this account's session.
    if (!principal || accountInArn(principal.arn) !== e.accountId || !isCaller(principal, e)) continue;
    const profile = deps.config.profiles[r.profileId];
    // A grant covers only its profile's accounts and regions: a matching node elsewhere is standing access.
    if (!profile || !e.target || !profile.regions.includes(e.region)) continue;
    if (!profileAccountIds(deps.config, profile).includes(e.accountId)) continue;
    // The node is looked up where the session ran: a node of that id and tags in the hub proves nothing.
    const nodes = await inAccount(deps, e.accountId).sessions.matchingNodes(profile.tags, [e.region]);
    if (nodes.includes(e.target)) return { held, covering: r };
  }
  return { held };
}
