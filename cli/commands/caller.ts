/**
 * `jit profiles` and `jit whoami`: what a person may ask for and in which accounts, and who they are
 * to the sandbox (their principal in each account).
 */

import type { ProfileView, Whoami } from "../../adapters/api/views.ts";
import { formatDuration } from "../../core/duration.ts";
import { transcriptGap } from "../../core/transcripts.ts";
import { accountText, nowOf, table, until } from "../format.ts";
import type { Io } from "../io.ts";
import { asQuery, callSandbox, whereLabel } from "../sandbox-client.ts";

/** A node selector in one short phrase: "Env=prod App=web", several values joined by "|". */
export const selector = (tags: Record<string, string[]>): string =>
  Object.entries(tags)
    .map(([key, values]) => `${key}=${values.join("|")}`)
    .join(" ");

/** Who approves, and the self-approval rule in words that match it. */
function approval(p: ProfileView): string {
  if (p.approvalsRequired === 0) return "none: granted at once";
  const self = p.selfApproval ? " (an approver may approve their own request)" : "";
  return `${p.approvalsRequired} of ${p.approvers.join(", ")}${self}`;
}

export async function profilesCommand(o: { as?: string; json?: boolean }, io: Io): Promise<number> {
  const profiles = await callSandbox<ProfileView[]>("GET", `/profiles${asQuery(o.as)}`);
  if (o.json) {
    io.out(JSON.stringify(profiles, null, 2));
    return 0;
  }
  if (!profiles.length) {
    io.out(`${o.as ?? "You"} may request no profile.`);
    return 0;
  }
  // With named accounts, the accounts each profile grants in (an API older than them sends none).
  const named = profiles.some((p) => p.accounts?.some((a) => a.name));
  const rows = profiles.map((p) => [
    p.id,
    selector(p.tags),
    ...(named ? [(p.accounts ?? []).map((a) => a.name ?? a.accountId).join(", ")] : []),
    formatDuration(p.maxDurationSeconds),
    approval(p),
  ]);
  const headers = ["PROFILE", "NODES", ...(named ? ["ACCOUNTS"] : []), "MAX", "APPROVAL"];
  io.out(table(headers, rows, io).join("\n"));
  // Session Manager does not log port forwarding or SSH: said before anyone asks for such a profile
  // (on a terminal; piped lines stay one row per profile, and --json lists the documents).
  const gaps = profiles.flatMap((p) => {
    const gap = transcriptGap(p.documents);
    return gap ? [`${p.id}: ${gap}.`] : [];
  });
  if (io.tty && gaps.length) io.out(["", ...gaps].join("\n"));
  return 0;
}

/** "/jit/jit-grants-1..4" from the slot ARNs. */
const slotRange = (slots: string[]): string => {
  const first = slots[0]?.replace(/^arn:[^:]+:iam::\d+:policy/, "") ?? "";
  return slots.length > 1 ? `${first.replace(/\d+$/, "")}1..${slots.length}` : first;
};

export async function whoamiCommand(o: { as?: string; json?: boolean }, io: Io): Promise<number> {
  const me = await callSandbox<Whoami>("GET", `/whoami${asQuery(o.as)}`);
  if (o.json) {
    io.out(JSON.stringify(me, null, 2));
    return 0;
  }
  const { person, principal } = me;
  const now = nowOf(io);
  io.out(`${person.slackUserId}${person.email ? ` (${person.email})` : ""} at ${whereLabel()}`);
  io.out(
    principal.kind === "shared-role"
      ? `principal: ${principal.arn} as session ${principal.sessionName} (the Identity Center shared role: your grants land in its slots ${slotRange(me.slots)})`
      : `principal: ${principal.arn} (your own ${principal.kind}: each grant is an inline policy jit-<request id> on it)`,
  );
  // Their principal in each other account (a profile spanning it grants there).
  for (const { account, principal: there } of me.principals ?? []) {
    if (there.arn === principal.arn) continue;
    const as = there.kind === "shared-role" ? ` as session ${there.sessionName}` : "";
    io.out(`  in ${accountText(account)}: ${there.arn}${as}`);
  }
  io.out(`approver of: ${me.approverOf.join(", ") || "no profile"}`);
  if (!me.active.length) io.out("active grants: none");
  else {
    io.out("active grants:");
    const rows = me.active.map((r) => [r.id, r.profileId, until(r.expiresAt, now)]);
    io.out(table(["ID", "PROFILE", "EXPIRES"], rows, io).join("\n"));
  }
  return 0;
}
