/**
 * `npm start`: the local sandbox. Until the embedded sandbox lands (issue 7) it checks the shipped
 * configuration and shows what a grant would look like, then says what is coming; it fakes nothing.
 */
import { main } from "../cli/main.ts";

const code = await main(["config", "check"]);
if (code === 0) {
  console.log("\nA grant for U01ALICE on prod-web for 1h would attach this policy:\n");
  await main(["policy", "preview", "--profile", "prod-web", "--principal", "U01ALICE", "--for", "1h"]);
  console.log(
    "\nComing next: the embedded sandbox (DynamoDB, the real workflow, a sandbox AWS account and the jit CLI on 127.0.0.1).",
  );
}
process.exitCode = code;
