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
