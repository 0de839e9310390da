/**
 * `npm run demo`: the story in well under a minute, every step printed, on the same embedded parts as
 * the sandbox, in simulated time (waits take no time; the clock jumps as they would). The sandbox is
 * the example's organization: prod (the hub), staging and sandbox, each with its own nodes.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile } from "../adapters/config-file.ts";
import type { SandboxOrganization } from "../adapters/local/organization.ts";
import type { LocalWorkflow } from "../adapters/local/workflow.ts";
import { FakeClock } from "../core/clock.ts";
import type { Deps } from "../core/ports.ts";
import type { AccessRequest } from "../core/request.ts";
import { grantsInSlot, slotArns } from "../core/slots.ts";
import { approve, deny } from "../core/usecases/approval.ts";
import { listUnreviewed } from "../core/usecases/break-glass.ts";
import { reviewBreakGlass } from "../core/usecases/break-glass-review.ts";
import { auditTrail } from "../core/usecases/common.ts";
import { grantTargets, label } from "../core/usecases/in-account.ts";
import { createRequest } from "../core/usecases/request.ts";
import { revokeNow } from "../core/usecases/revoke.ts";
import { sweep } from "../core/usecases/sweep.ts";
import { S } from "../workflows/access-workflow.ts";
import { ConsoleNotifier } from "./console-notifier.ts";
import { startSandboxOnCall } from "./fake-oncall-wiring.ts";
import { exampleFleets } from "./nodes.ts";
import { personFor } from "./people.ts";
import { startSandbox } from "./sandbox.ts";
import { startSession } from "./start-session.ts";
import { transcriptPath } from "./transcripts.ts";

const say = (text: string) => console.log(`\n▶ ${text}`);
const WEB1 = "i-0web1000000000001";
const DB1 = "i-0db10000000000003";
const STG1 = "i-0stg1000000000005";
const WEB2 = "i-0web2000000000002";
const STG_WEB1 = "i-0sweb100000000011";
const STG_DB1 = "i-0sdb1000000000013";

/** Grants held once written, by request id, until the demo lets them go on (see `holdGrant`). */
const held = new Map<string, { reached: () => void; whenReached: Promise<void>; release: Promise<void> }>();

/**
 * Holds the request's workflow once its grant is written, before its waits move the simulated clock
 * to the expiry. Resolves `whenReached` when it gets there; the returned function lets it go on.
 */
function holdGrant(requestId: string): { whenReached: Promise<void>; release: () => void } {
  let reached: () => void = () => {};
  const whenReached = new Promise<void>((r) => {
    reached = r;
  });
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  held.set(requestId, { reached, whenReached, release: released });
  return { whenReached, release };
}

async function main() {
  const clock = new FakeClock("2026-11-26T09:00:00Z");
  const notifier = new ConsoleNotifier((line) => console.log(`    ${line}`));
  // Each grant pauses once it is written (before its waits move the simulated clock) while the demo
  // uses it; then time moves on.
  let resume: () => void = () => {};
  const inGrant = new Promise<void>((r) => {
    resume = r;
  });
  // Both grants of the story (alice's and dan's) pause there.
  let reached = 0;
  let reachedGrant: () => void = () => {};
  const grantReached = new Promise<void>((r) => {
    reachedGrant = () => {
      if (++reached === 2) r();
    };
  });
  // Shell sessions write their transcript as in `npm start`, here to a fresh folder of its own (the
  // demo keeps no data), so the session-ended notices point at a file that is there to read.
  const transcriptsDir = mkdtempSync(join(tmpdir(), "jit-demo-transcripts-"));
  const config = loadConfigFile();
  const fleets = exampleFleets(config);
  const sandbox = await startSandbox({
    config,
    nodes: fleets.nodes,
    memberNodes: fleets.memberNodes,
    clock,
    notifier,
    transcriptsDir,
    wrapTask: (state, task) =>
      state === S.announceGrant
        ? async (input) => {
            const hold = held.get(String(input.requestId));
            if (hold) {
              hold.reached();
              await hold.release;
            } else {
              reachedGrant();
              await inGrant;
            }
            return task(input);
          }
        : task,
  });
  const { deps, account, organization, workflow } = sandbox;
  const alice = personFor("U01ALICE");
  const bob = personFor("U02BOB");

  say("bob asks for prod-db (port forwarding to the databases) for 30m");
  const bobs = await createRequest(deps, {
    requester: bob,
    profileId: "prod-db",
    duration: "30m",
    reason: "check replication",
  });
  await waitFor(async () => (await deps.store.get(bobs.id))?.taskToken !== undefined);
  say("erin denies it");
  await deny(deps, {
    requestId: bobs.id,
    approver: { slackUserId: "U04ERIN" },
    reason: "use the replica dashboard",
  });
  await workflow.settled(bobs.id);
  console.log(`    bob's request is ${(await deps.store.get(bobs.id))?.status}`);

  say("alice asks for prod-web for 1h, ticket INC-4711, and dave approves");
  const req = await createRequest(deps, {
    requester: alice,
    profileId: "prod-web",
    duration: "1h",
    reason: "disk full on web-1",
    ticket: "INC-4711",
  });
  await waitFor(async () => (await deps.store.get(req.id))?.taskToken !== undefined);
  await approve(deps, { requestId: req.id, approver: { slackUserId: "U03DAVE" } });

  const dan = personFor("U09DAN");
  say("dan signs in through IAM Identity Center (a shared AWSReservedSSO_ role) and asks for staging");
  const dans = await createRequest(deps, { requester: dan, profileId: "staging", duration: "1h" });
  await waitFor(async () => (await deps.store.get(dans.id))?.taskToken !== undefined);
  await approve(deps, { requestId: dans.id, approver: { slackUserId: "U03DAVE" } });
  await grantReached;
  const slots = await Promise.all(
    slotArns(deps.config).map(async (arn) => ({ arn, doc: await deps.broker.readSlot(arn) })),
  );
  const slot = slots.find((s) => s.doc && [...grantsInSlot(s.doc).keys()].includes(dans.id));
  console.log(
    `    AWS refuses inline policies on that role, so the grant is statements ${[...(slot?.doc ? (grantsInSlot(slot.doc).get(dans.id) ?? []) : [])].map((st) => st.Sid).join(", ")} in ${slot?.arn ?? "no slot (unexpected!)"}, a policy the permission set already references: dan's current SSO session gains access with no re-login`,
  );
  const dansSession = await startSession(deps, account, { person: dan, target: STG1 });
  console.log(
    `    dan on staging-1 (${STG1}): ${dansSession.allowed ? `allowed: session ${dansSession.sessionId}` : `refused: ${dansSession.reason}`}`,
  );
  const erinTries = await startSession(deps, account, { person: personFor("U04ERIN"), target: STG1 });
  console.log(
    `    erin, on the same role with no grant: ${erinTries.allowed ? "allowed (unexpected!)" : "refused"}`,
  );

  const active = await deps.store.get(req.id);
  console.log(
    `    ${req.id} is ${active?.status} until ${active?.expiresAt}; policy jit-${req.id} is attached to ${active?.principal.arn}`,
  );

  say(`alice starts a session on web-1 (${WEB1})`);
  const ok = await startSession(deps, account, { person: alice, target: WEB1 });
  console.log(`    ${ok.allowed ? `allowed: session ${ok.sessionId}` : `refused: ${ok.reason}`}`);

  say(`alice tries db-1 (${DB1}), a node outside her profile`);
  const outside = await startSession(deps, account, { person: alice, target: DB1 });
  console.log(`    ${outside.allowed ? "allowed (unexpected!)" : `refused: ${outside.reason}`}`);

  say("an hour passes: the grants expire");
  resume();
  await workflow.settled(req.id);
  await workflow.settled(dans.id);
  const emptied = (await Promise.all(slotArns(deps.config).map((arn) => deps.broker.readSlot(arn)))).every(
    (doc) => !doc || grantsInSlot(doc).size === 0,
  );
  console.log(
    `    every grant slot holds only its placeholder again: ${emptied ? "yes" : "no (unexpected!)"}`,
  );
  const ended = await deps.store.get(req.id);
  console.log(
    `    ${req.id} is ${ended?.status} at ${ended?.endedAt}; session ${ok.sessionId} is ${account.sessions.get(ok.sessionId ?? "")?.status}`,
  );

  say("alice tries web-1 again after expiry");
  const late = await startSession(deps, account, { person: alice, target: WEB1 });
  console.log(`    ${late.allowed ? "allowed (unexpected!)" : `refused: ${late.reason}`}`);

  say(`the audit trail of ${req.id}`);
  for (const e of await auditTrail(deps, req.id))
    console.log(`    ${e.at}  ${e.action.padEnd(20)} ${e.actor}`);

  const acrossAccounts = await twoAccounts(deps, organization, workflow);

  const withoutApprovers = await onCallAndBreakGlass(deps, clock, workflow);

  say("every lifecycle has ended: nothing is left in any account");
  await workflow.quiescent();
  const leftovers = organization.leftoverGrants();
  for (const [id, each] of organization.accounts)
    console.log(
      `    ${label(deps.config, id)}: ${each.leftoverGrants().length} jit grants left, ${each.liveCount()} live sessions`,
    );
  const clean = leftovers.length === 0 && organization.liveCount() === 0;
  for (const leftover of leftovers) console.log(`    left behind (unexpected!): ${leftover}`);

  // Stopped first: the end of a session revoked at expiry is written once its event is handled.
  await sandbox.stop();
  const transcriptFile = transcriptPath(transcriptsDir, ok.sessionId ?? "");
  const transcript = existsSync(transcriptFile) ? readFileSync(transcriptFile, "utf8") : "";
  say(`alice's session transcript, ${transcriptFile}`);
  for (const line of transcript.trimEnd().split("\n"))
    console.log(`    ${line || "(none written: unexpected!)"}`);
  const transcribed = / started by .* ended \(/s.test(transcript);
  const fine =
    transcribed &&
    acrossAccounts &&
    clean &&
    withoutApprovers &&
    ok.allowed &&
    !outside.allowed &&
    !late.allowed &&
    ended?.status === "REVOKED" &&
    dansSession.allowed &&
    !erinTries.allowed &&
    emptied;
  console.log(
    `\n${fine ? "Demo complete: access appeared on approval and disappeared at expiry, live session included; a grant spanning two accounts was granted and revoked in both, its sessions closed in each; on call was approved at once, and break-glass was granted, announced and reviewed; nothing was left in any account." : "Demo FAILED: see above."}`,
  );
  process.exitCode = fine ? 0 : 1;
}

/**
 * Issue 12's story: alice asks for web-release, a profile spanning prod and staging; once approved it
 * is granted in both accounts (her own principal in each), she opens a session in each, and one
 * revoke takes the grant back in both and closes both sessions. True when all of that held.
 */
async function twoAccounts(
  deps: Deps,
  organization: SandboxOrganization,
  workflow: LocalWorkflow,
): Promise<boolean> {
  const alice = personFor("U01ALICE");
  say("alice asks for web-release (the web servers of prod and staging: two accounts) for 1h; erin approves");
  const req = await createRequest(deps, {
    requester: alice,
    profileId: "web-release",
    duration: "1h",
    reason: "release 2026.11 to staging and prod",
  });
  const hold = holdGrant(req.id);
  await waitFor(async () => (await deps.store.get(req.id))?.taskToken !== undefined);
  await approve(deps, { requestId: req.id, approver: { slackUserId: "U04ERIN" } });
  await hold.whenReached;
  const granted = await deps.store.get(req.id);
  const targets = granted ? grantTargets(granted) : [];
  const policy = `jit-${req.id}`;
  const inEach = targets.map((t) => {
    const there = organization.account(t.accountId).policies.get(t.principal.arn)?.has(policy) === true;
    console.log(
      `    ${label(deps.config, t.accountId)}: ${there ? `policy ${policy} on ${t.principal.arn}` : "no policy (unexpected!)"}`,
    );
    return there;
  });

  const sessions: { accountId: string; sessionId: string; node: string }[] = [];
  for (const [node, name] of [
    [WEB2, "web-2"],
    [STG_WEB1, "stg-web-1"],
  ] as const) {
    const started = await startSession(deps, organization, { person: alice, target: node });
    console.log(
      `    alice on ${name} (${node}) in ${label(deps.config, started.accountId)}: ${started.allowed ? `allowed: session ${started.sessionId}` : `refused: ${started.reason}`}`,
    );
    if (started.allowed && started.sessionId)
      sessions.push({ accountId: started.accountId, sessionId: started.sessionId, node });
  }
  const outside = await startSession(deps, organization, { person: alice, target: STG_DB1 });
  console.log(
    `    alice on stg-db-1 (${STG_DB1}), outside the profile: ${outside.allowed ? "allowed (unexpected!)" : `refused: ${outside.reason}`}`,
  );

  say("alice is done: one revoke takes the grant back in both accounts and closes both sessions");
  await revokeNow(deps, { requestId: req.id, actor: alice.slackUserId });
  // The revoke runs now; the held workflow goes on only after it (its own revoke is then a no-op),
  // so the simulated clock stays at the moment alice said she was done.
  const gone = () =>
    targets.every((t) => !organization.account(t.accountId).policies.get(t.principal.arn)?.has(policy));
  const endsRecorded = async () =>
    (await auditTrail(deps, req.id)).filter((e) => e.action === "session-ended").length === sessions.length;
  await waitFor(async () => gone() && organization.liveCount() === 0 && (await endsRecorded()));
  hold.release();
  await workflow.settled(req.id);
  const ended = await deps.store.get(req.id);
  const closed = sessions.map((s) => {
    const status = organization.account(s.accountId).sessions.get(s.sessionId)?.status;
    console.log(`    session ${s.sessionId} in ${label(deps.config, s.accountId)}: ${status}`);
    return status === "Terminated";
  });
  console.log(
    `    ${req.id} is ${ended?.status}; policy ${policy} is ${gone() ? "gone from both accounts" : "still there (unexpected!)"}`,
  );
  say(`the audit trail of ${req.id}, each session with its account`);
  for (const e of await auditTrail(deps, req.id)) {
    const where = typeof e.detail?.account === "string" ? `  in ${e.detail.account}` : "";
    console.log(`    ${e.at}  ${e.action.padEnd(20)} ${e.actor}${where}`);
  }
  return (
    targets.length === 2 &&
    inEach.every(Boolean) &&
    sessions.length === 2 &&
    new Set(sessions.map((s) => s.accountId)).size === 2 &&
    !outside.allowed &&
    ended?.status === "REVOKED" &&
    gone() &&
    closed.every(Boolean)
  );
}

/**
 * Issue 13's story: carol, on call in PagerDuty (the fake on 127.0.0.1 serving
 * local/oncall-schedule.json through the real adapter), is approved at once; bob, not on call, waits
 * for an approver; alice breaks the glass, is reminded about by the sweeper, and erin reviews it.
 */
async function onCallAndBreakGlass(deps: Deps, clock: FakeClock, workflow: LocalWorkflow): Promise<boolean> {
  const onCall = await startSandboxOnCall(deps);
  say(`on call comes from ${onCall.urls.join(" and ")}: carol asks for prod-web for 2h`);
  const carols = await createRequest(deps, {
    requester: personFor("U06CAROL"),
    profileId: "prod-web",
    duration: "2h",
    reason: "pager: 5xx on checkout",
    ticket: "INC-4712",
  });
  const d = carols.onCall;
  console.log(
    `    on call in ${d?.provider} schedule ${d?.schedule}, level ${d?.level}, shift until ${d?.shiftEnd}: ${d?.approved ? `approved at once for ${carols.durationSeconds / 60} min (the profile's on-call maximum)` : `not approved (${d?.reason})`}`,
  );
  const carolActive = (await waitForStatus(deps, carols.id, ["ACTIVE", "REVOKED"])) !== undefined;

  say("bob, who is not on call, asks for prod-web: he waits for an approver");
  const bobs = await createRequest(deps, {
    requester: personFor("U02BOB"),
    profileId: "prod-web",
    duration: "1h",
    reason: "look at the nginx config",
    ticket: "CHG-88",
  });
  console.log(`    ${bobs.id} is ${bobs.status}: ${bobs.onCall?.reason}`);
  await waitFor(async () => (await deps.store.get(bobs.id))?.taskToken !== undefined);
  await approve(deps, { requestId: bobs.id, approver: { slackUserId: "U03DAVE" } });
  console.log("    dave approves it");
  await onCall.stop();

  say("alice breaks the glass on prod-web: checkout is down and no approver answers");
  const glass = await createRequest(deps, {
    requester: personFor("U01ALICE"),
    profileId: "prod-web",
    duration: "30m",
    reason: "checkout down, payments failing, no approver answering",
    ticket: "INC-4713",
    breakGlass: true,
  });
  const granted = await waitForStatus(deps, glass.id, ["ACTIVE", "REVOKED"]);
  console.log(
    `    ${glass.id} granted without approvers (${granted?.approvals.length} approvals); review due ${glass.breakGlass?.reviewDueAt}`,
  );
  await workflow.settled(glass.id);

  say("four hours later the sweeper reminds the approvers; nobody has reviewed it yet");
  clock.set(new Date(new Date(glass.breakGlass?.nextReminderAt ?? "").getTime() + 1000));
  const swept = await sweep(deps);
  const waiting = await listUnreviewed(deps);
  console.log(
    `    reminded: ${swept.breakGlassReviews?.reminded.join(", ") || "none"}; jit list --unreviewed shows ${waiting.map((r) => r.id).join(", ")}`,
  );

  say('erin clicks "Reviewed: OK"');
  const reviewed = await reviewBreakGlass(deps, {
    requestId: glass.id,
    reviewer: { slackUserId: "U04ERIN" },
    outcome: "ok",
  });
  const after = await listUnreviewed(deps);
  console.log(
    `    review: ${reviewed.request.review?.outcome} by ${reviewed.request.review?.by}; unreviewed left: ${after.length}`,
  );
  return (
    carols.onCall?.approved === true &&
    carolActive &&
    bobs.status === "PENDING" &&
    granted !== undefined &&
    (swept.breakGlassReviews?.reminded ?? []).includes(glass.id) &&
    reviewed.request.review?.outcome === "ok" &&
    after.length === 0
  );
}

/** Polls until the request reaches one of `statuses`; undefined when it never does. */
async function waitForStatus(deps: Deps, id: string, statuses: string[]): Promise<AccessRequest | undefined> {
  try {
    let found: AccessRequest | undefined;
    await waitFor(async () => {
      found = await deps.store.get(id);
      return found !== undefined && statuses.includes(found.status);
    });
    return found;
  } catch {
    return undefined;
  }
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the sandbox did not get there in time");
}

await main();
