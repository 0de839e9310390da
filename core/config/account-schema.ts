/**
 * The schema of the configuration's accounts (issue 12): named accounts, the accounts a profile spans
 * and the organization the hub deploys its spokes to. Kept apart from schema.ts so the several-account
 * shape reads in one place; the cross-field rules are in accounts.ts.
 */
import { z } from "zod";

/** An account's name in the config: what profiles and principals call it. */
export const accountName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: "account names are lowercase letters, digits and -" });

/**
 * A 12-digit account ID, as a string. Unquoted in YAML it is a number, and a leading zero is already
 * gone: the message says to quote it and shows the value as it was meant.
 */
export const accountIdText = z
  .string({
    error: (issue) =>
      typeof issue.input === "number" && Number.isInteger(issue.input) && issue.input >= 0
        ? `write it in quotes, "${String(issue.input).padStart(12, "0")}": unquoted, YAML reads it as a number (and drops leading zeros)`
        : "must be a 12-digit AWS account ID in quotes",
  })
  .regex(/^\d{12}$/, { error: "must be a 12-digit AWS account ID" });

/** Named accounts: `{ prod: "111122223333", staging: "444455556666" }`. */
export const accountsSchema = z
  .record(accountName, accountIdText)
  .describe(
    "Named AWS accounts the profiles may span, by name. Absent: the one account of accountId. Name the hub's own account here too when a profile spans it and others",
  );

/** The accounts a profile spans, by name. */
export const profileAccountsSchema = z
  .array(accountName)
  .min(1)
  .describe("The named accounts this profile spans (default: the hub's own account, accountId)");

/**
 * Organizations ids. OU: "ou-" then 4-32 lowercase letters or digits (its root), "-", then 8-32 more;
 * a root: "r-" then 4-32 (https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html,
 * API_Root.html). A StackSet deploys to either (DeploymentTargets.OrganizationalUnitIds takes "the
 * organization root ID or organizational unit (OU) IDs").
 */
const deploymentTarget = z.string().regex(/^(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/, {
  error: "must be an organizational unit ID (ou-abcd-12345678) or the root ID (r-abcd)",
});

/** Where the hub deploys its spokes, and the organization its event bus admits. */
export const organizationSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, { error: "must be an organization ID such as o-a1b2c3d4e5" })
      .describe("The organization's ID: the hub's event bus admits events from its accounts only"),
    organizationalUnits: z
      .array(deploymentTarget)
      .min(1)
      .describe(
        "The OUs (or the root) whose accounts get the spoke; accounts that join them later get it too",
      ),
    deployFrom: z
      .enum(["delegated-administrator", "management-account"])
      .default("delegated-administrator")
      .describe(
        "Where the hub is: a StackSets delegated administrator (recommended) or the management account. StackSets never deploy to the management account itself",
      ),
  })
  .describe(
    "The AWS Organization the named accounts belong to: the hub deploys the spoke (role jit-broker, event forwarding) to these OUs as a StackSet",
  );
