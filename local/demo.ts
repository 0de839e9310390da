/**
 * `npm run demo`: the story in well under a minute, every step printed, on the same embedded parts as
 * the sandbox, in simulated time (waits take no time; the clock jumps as they would).
 */
import { loadConfigFile } from "../adapters/config-file.ts";
import { FakeClock } from "../core/clock.ts";
import { grantsInSlot, slotArns } from "../core/slots.ts";
import { approve, deny } from "../core/usecases/approval.ts";
import { auditTrail } from "../core/usecases/common.ts";
import { createRequest } from "../core/usecases/request.ts";
import { S } from "../workflows/access-workflow.ts";
import { ConsoleNotifier } from "./console-notifier.ts";
import { EXAMPLE_FLEET } from "./nodes.ts";
import { personFor } from "./people.ts";
import { startSandbox } from "./sandbox.ts";
import { startSession } from "./start-session.ts";

const say = (text: string) => console.log(`\n▶ ${text}`);
const WEB1 = "i-0web1000000000001";
const DB1 = "i-0db10000000000003";
const STG1 = "i-0stg1000000000005";

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
  const sandbox = await startSandbox({
    config: loadConfigFile(),
    nodes: EXAMPLE_FLEET,
    clock,
    notifier,
    wrapTask: (state, task) =>
      state === S.announceGrant
        ? async (input) => {
            reachedGrant();
            await inGrant;
            return task(input);
          }
        : task,
  });
  const { deps, account, workflow } = sandbox;
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

  await sandbox.stop();
  const fine =
    ok.allowed &&
    !outside.allowed &&
    !late.allowed &&
    ended?.status === "REVOKED" &&
    dansSession.allowed &&
    !erinTries.allowed &&
    emptied;
  console.log(
    `\n${fine ? "Demo complete: access appeared on approval and disappeared at expiry, live session included." : "Demo FAILED: see above."}`,
  );
  process.exitCode = fine ? 0 : 1;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the sandbox did not get there in time");
}

await main();
