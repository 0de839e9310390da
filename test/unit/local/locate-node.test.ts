/** Which account a sandbox session starts in: the one holding the node, or the one named. */
import { describe, expect, it } from "vitest";
import { SandboxAccount } from "../../../adapters/local/account.ts";
import { SandboxOrganization } from "../../../adapters/local/organization.ts";
import { locateNode } from "../../../local/start-session.ts";
import { exampleConfig, oneAccountExample } from "../../helpers/config.ts";

const HUB = "123456789012";
const STAGING = "444455556666";
const SANDBOX = "777788889999";
const node = (id: string) => ({ id, region: "eu-west-1", tags: {} });

/** The example's three accounts: web-1 in the hub, stg-1 in staging, the twin id in both. */
function organization() {
  const account = (id: string, nodes: string[]) =>
    new SandboxAccount({ nodes: nodes.map(node), accountId: id });
  return new SandboxOrganization({
    hubAccountId: HUB,
    accounts: {
      [HUB]: account(HUB, ["i-0web1", "i-0twin"]),
      [STAGING]: account(STAGING, ["i-0stg1", "i-0twin"]),
      [SANDBOX]: account(SANDBOX, []),
    },
  });
}

describe("locating a session's node", () => {
  it.each([
    ["a hub node", "i-0web1", undefined, HUB],
    ["a staging node", "i-0stg1", undefined, STAGING],
    ["a shared id, by account name", "i-0twin", "staging", STAGING],
    ["a shared id, by account id", "i-0twin", HUB, HUB],
  ])("finds %s", (_, target, account, expected) => {
    expect(locateNode(exampleConfig(), organization(), target, account).accountId).toBe(expected);
  });

  it.each([
    [
      "a shared id without an account",
      "i-0twin",
      undefined,
      "i-0twin is a node of prod (123456789012) and staging (444455556666): say which account with --account",
    ],
    [
      "a node of another account than the one named",
      "i-0stg1",
      "prod",
      "no node i-0stg1 in account prod (123456789012); it is in staging (444455556666)",
    ],
    [
      "a node no account has, listing each account's",
      "i-0nope",
      undefined,
      "no node i-0nope in the sandbox; nodes in prod (123456789012): i-0web1, i-0twin; staging (444455556666): i-0stg1, i-0twin; sandbox (777788889999): none",
    ],
    [
      "an account the sandbox does not have",
      "i-0web1",
      "qa",
      "no account qa in the sandbox; its accounts are prod (123456789012), staging (444455556666), sandbox (777788889999)",
    ],
  ])("refuses %s", (_, target, account, message) => {
    expect(() => locateNode(exampleConfig(), organization(), target, account)).toThrow(message);
  });

  it("takes a single account as the hub's, as before there were several", () => {
    // Prepare
    const hub = new SandboxAccount({ nodes: [node("i-0web1")] });
    // Act
    const found = locateNode(oneAccountExample(), hub, "i-0web1");
    // Assess
    expect(found.accountId).toBe(HUB);
    expect(found.account).toBe(hub);
  });
});
