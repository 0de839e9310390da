/**
 * Who signed an API call: the caller ARN AWS verified (a function URL with AWS_IAM auth passes it to
 * the function) mapped to a person through the configuration, the reverse of `resolvePrincipal`.
 * Pure: the Slack lookups that complete the person are the API adapter's.
 *
 * A role maps to a person only when the configuration says whose it is: a `principals.map` role
 * belongs to the one person mapped to it; the shared role names its person by the role session name,
 * which counts only where the caller cannot choose it (an Identity Center role, whose session name is
 * the user name Identity Center sets, or a role whose trust policy pins `sts:RoleSessionName`).
 */
import type { AccessConfig } from "./config/load.ts";
import { NotAuthorizedError } from "./errors.ts";
import { type Person, type Principal, parsePrincipalArn, sessionOwnedBy } from "./principal.ts";
import { isIdentityCenterRole } from "./slots.ts";

/** What the configuration says of a caller: a Slack user ID, an email, or both. */
export interface CallerClaim {
  slackUserId?: string | undefined;
  email?: string | undefined;
  /** How the caller was recognized, for error messages and the audit trail. */
  via: "user" | "role" | "shared-role";
}

const NAME = "[\\w+=,.@-]+";
// IAM user ARNs may carry a path; assumed-role ARNs never do (STS drops it).
const USER_ARN = new RegExp(`^arn:(aws[a-z-]*):iam::(\\d{12}):user/(?:${NAME}/)*(${NAME})$`);
const ASSUMED_ROLE_ARN = new RegExp(`^arn:(aws[a-z-]*):sts::(\\d{12}):assumed-role/(${NAME})/(${NAME})$`);
const SLACK_ID = /^[UW][A-Z0-9]{2,}$/;

const refuse = (arn: string, why: string) =>
  new NotAuthorizedError(`the API does not know the AWS caller ${arn}: ${why}`);

/** Account and name of a configured principal ARN. */
const keyOf = (arn: string) => {
  const p = parsePrincipalArn(arn);
  return `${p.type}:${p.accountId}:${p.name}`;
};

/** The one person among `keys` (Slack user IDs and emails mapped to the same principal). */
function onePerson(arn: string, keys: string[], via: CallerClaim["via"]): CallerClaim {
  const ids = [...new Set(keys.filter((k) => SLACK_ID.test(k)))];
  const emails = [...new Set(keys.filter((k) => k.includes("@")).map((k) => k.toLowerCase()))];
  if (ids.length > 1 || (ids.length === 0 && emails.length > 1))
    throw refuse(
      arn,
      `${keys.length} people are mapped to this principal in principals.map (${keys.join(", ")}), so a call signed with it cannot say which of them acts`,
    );
  return { slackUserId: ids[0], email: ids.length === 1 && emails.length > 1 ? undefined : emails[0], via };
}

/** The person a shared role's session name stands for, from `names` or the sessionName template. */
function fromSessionName(config: AccessConfig, sessionName: string): Omit<CallerClaim, "via"> | undefined {
  const shared = config.principals.sharedRole;
  if (!shared) return undefined;
  const named = Object.entries(shared.names ?? {}).filter(([, name]) => name === sessionName);
  if (named.length > 0) {
    const claim = onePerson(
      sessionName,
      named.map(([key]) => key),
      "shared-role",
    );
    return { slackUserId: claim.slackUserId, email: claim.email };
  }
  const pattern = shared.sessionName
    .split(/(\{email\}|\{slackUserId\})/)
    .map((part) =>
      part === "{email}"
        ? "(?<email>[^@\\s]+@[^@\\s]+)"
        : part === "{slackUserId}"
          ? "(?<slackUserId>[UW][A-Z0-9]{2,})"
          : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  const match = new RegExp(`^${pattern}$`).exec(sessionName);
  if (!match?.groups) return undefined;
  return { slackUserId: match.groups.slackUserId, email: match.groups.email?.toLowerCase() };
}

/**
 * Who `callerArn` is to the configuration; NotAuthorizedError naming the ARN when nobody, several
 * people, or a shared-role session name the caller could have chosen.
 */
export function claimOfCaller(config: AccessConfig, callerArn: string): CallerClaim {
  const user = USER_ARN.exec(callerArn);
  const role = ASSUMED_ROLE_ARN.exec(callerArn);
  if (!user && !role)
    throw refuse(callerArn, "only IAM users and assumed-role sessions can be mapped to a person");
  const [, , account = "", name = "", sessionName = ""] = (user ?? role) as RegExpExecArray;
  const wanted = `${user ? "user" : "role"}:${account}:${name}`;
  const mapped = Object.entries(config.principals.map).filter(([, arn]) => keyOf(arn) === wanted);
  if (mapped.length > 0)
    return onePerson(
      callerArn,
      mapped.map(([key]) => key),
      user ? "user" : "role",
    );
  const shared = config.principals.sharedRole;
  if (role && shared && keyOf(shared.arn) === wanted) {
    // Identity Center sets its roles' session names to the user name; nobody assumes them otherwise.
    if (!shared.identityCenter && !shared.trustPinsSessionName && !isIdentityCenterRole(shared.arn))
      throw refuse(
        callerArn,
        "whoever may assume the shared role chooses its session name, so the name proves nothing; once the role's trust policy pins sts:RoleSessionName, set principals.sharedRole.trustPinsSessionName",
      );
    const person = fromSessionName(config, sessionName);
    if (!person)
      throw refuse(
        callerArn,
        `the session name ${sessionName} is not one principals.sharedRole.sessionName (${shared.sessionName}) or names makes`,
      );
    return { ...person, via: "shared-role" };
  }
  throw refuse(callerArn, "it is not in principals.map and is not the shared role");
}

/**
 * The last check, once the person is complete: their configured principal must be the one that
 * signed. A person mapped to their own role who signs with the shared role (or with somebody else's
 * session name) is refused, so nobody acts as anyone but themselves.
 */
export function assertCallerIs(principal: Principal, person: Person, callerArn: string): void {
  if (!sessionOwnedBy(callerArn, principal))
    throw new NotAuthorizedError(
      `the AWS caller ${callerArn} is not ${person.email ?? person.slackUserId}'s configured principal (${principal.arn}${principal.kind === "shared-role" ? ` as ${principal.sessionName}` : ""})`,
    );
}
