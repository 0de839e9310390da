/**
 * What the sandbox tells a person about themselves, for `jit profiles`, `jit whoami` and an
 * approver's `jit list`: the same configuration and rules the use cases apply, read, never changed.
 */
import { checkApprover, isApproverOf } from "../../core/approval.ts";
import type { Profile } from "../../core/config/load.ts";
import type { Deps } from "../../core/ports.ts";
import { type Person, type Principal, resolvePrincipal } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { slotArns } from "../../core/slots.ts";
import { mayRequest } from "../../core/usecases/request.ts";

/** A profile as a requester sees it. */
export interface ProfileView {
  id: string;
  description?: string | undefined;
  tags: Record<string, string[]>;
  documents: string[];
  defaultDurationSeconds: number;
  maxDurationSeconds: number;
  approvers: string[];
  approvalsRequired: number;
  selfApproval: boolean;
  /** The caller is one of its approvers. */
  approver: boolean;
}

const view = (p: Profile, person: Person, groups: readonly string[]): ProfileView => ({
  id: p.id,
  description: p.description,
  tags: p.tags,
  documents: p.documents,
  defaultDurationSeconds: p.defaultDurationSeconds,
  maxDurationSeconds: p.maxDurationSeconds,
  approvers: p.approvers,
  approvalsRequired: p.approvalsRequired,
  selfApproval: p.selfApproval,
  approver: isApproverOf(p, { ...person, groups }),
});

/** The profiles `person` (in `groups`) may request. */
export const profilesFor = (deps: Deps, person: Person, groups: readonly string[] = []): ProfileView[] =>
  Object.values(deps.config.profiles)
    .filter((p) => mayRequest(p, person, groups))
    .map((p) => view(p, person, groups));

/** Who `person` is to the sandbox. */
export interface Whoami {
  person: Person;
  principal: Principal;
  /** The shared role's slot policies, where this person's grants land; empty for their own principal. */
  slots: string[];
  approverOf: string[];
  active: AccessRequest[];
}

export async function whoami(deps: Deps, person: Person, groups: readonly string[] = []): Promise<Whoami> {
  const principal = resolvePrincipal(deps.config, person);
  const mine = await deps.store.listByRequester(person.slackUserId);
  return {
    person,
    principal,
    slots: principal.kind === "shared-role" ? slotArns(deps.config) : [],
    approverOf: Object.values(deps.config.profiles)
      .filter((p) => isApproverOf(p, { ...person, groups }))
      .map((p) => p.id),
    active: mine.filter((r) => r.status === "ACTIVE"),
  };
}

/** Pending requests `person` may vote on now (the same check an approval makes), oldest first. */
export async function awaitingVote(
  deps: Deps,
  person: Person,
  groups: readonly string[] = [],
): Promise<AccessRequest[]> {
  const pending = await deps.store.listByStatus("PENDING");
  return pending
    .filter((r) => {
      const profile = deps.config.profiles[r.profileId];
      return profile !== undefined && checkApprover(profile, r, { ...person, groups }).ok;
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
