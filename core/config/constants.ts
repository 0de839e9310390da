/**
 * Facts about the configuration that code outside the schema needs. Kept free of zod so Lambda
 * bundles (which read an already-validated config) never carry the schema library.
 */

/** An IAM role or IAM user ARN: partition, account, kind, path, name. */
export const PRINCIPAL_ARN =
  /^arn:(aws[a-z-]*):iam::(\d{12}):(role|user)\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,128})$/;

/** Session documents a profile may allow, by short name; anything else names a custom document. */
export const BUILT_IN_DOCUMENTS = {
  shell: "SSM-SessionManagerRunShell",
  "port-forwarding": "AWS-StartPortForwardingSession",
  "port-forwarding-remote": "AWS-StartPortForwardingSessionToRemoteHost",
  ssh: "AWS-StartSSHSession",
} as const;

/**
 * IAM's role session name: 2 to 64 of `[\w+=,.@-]` (STS AssumeRole `RoleSessionName`, see
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). A name outside it cannot
 * exist, and a `*` or `?` in it would widen an `aws:userid` StringLike to other people.
 */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Characters IAM reads as wildcards (`*`, `?`) or as the start of a policy variable (`${`). */
export const IAM_WILDCARD = /[*?]/;
export const IAM_VARIABLE = "${";

/** The KMS alias the stack gives the session key it creates, unless the config names another. */
export const DEFAULT_SESSION_KEY_ALIAS = "alias/ssm-jit-access-sessions";
