/**
 * Installed dependencies (the sandbox, tests) reach other accounts only as the function could on AWS:
 * a function that declares no `accounts` has none, and one declared read-only (session events: the
 * spoke's jit-session-reader) can look but not write or end a session. A kinder view would let a
 * sandbox run pass where AWS refuses.
 */
import { afterEach, describe, expect, it } from "vitest";
import { NotAuthorizedError } from "../../../core/errors.ts";
import type { AccessBroker, AccountPorts, Deps, SessionControl } from "../../../core/ports.ts";
import { lambdaDeps, useDeps } from "../../../functions/runtime.ts";
import { exampleConfig } from "../../helpers/config.ts";

const calls: string[] = [];
/** Records the call and answers `value`. */
const seen =
  <T>(name: string, value: T) =>
  async (): Promise<T> => {
    calls.push(name);
    return value;
  };
const sessions: SessionControl = {
  liveSessions: seen("liveSessions", []),
  endedSessions: seen("endedSessions", []),
  matchingNodes: seen("matchingNodes", ["i-1"]),
  terminateSession: seen("terminateSession", undefined),
};
const broker = { deleteGrant: seen("deleteGrant", true) } as unknown as AccessBroker;
const organization: AccountPorts = { broker: () => broker, sessions: () => sessions };
const installed = { config: exampleConfig(), accounts: organization } as unknown as Deps;

afterEach(() => {
  useDeps(undefined);
  calls.length = 0;
});

describe("other accounts as the installed dependencies hand them out", () => {
  it("a function that declares no way in has none", () => {
    useDeps(installed);
    expect(lambdaDeps({})().accounts).toBeUndefined();
  });

  it("a full way in passes through", async () => {
    useDeps(installed);
    const d = lambdaDeps({ accounts: () => organization })();
    await d.accounts?.sessions("444455556666").terminateSession({ sessionId: "s", target: "i", owner: "o" });
    expect(calls).toEqual(["terminateSession"]);
  });

  it("a read-only way in looks but never writes nor ends a session", async () => {
    useDeps(installed);
    const d = lambdaDeps({ accounts: () => organization }, { accounts: "read" })();
    const staging = d.accounts?.sessions("444455556666");
    expect(await staging?.matchingNodes({ Env: ["staging"] }, ["eu-west-1"])).toEqual(["i-1"]);
    await expect(
      staging?.terminateSession({ sessionId: "s", target: "i", owner: "o" }),
    ).rejects.toBeInstanceOf(NotAuthorizedError);
    await expect(d.accounts?.broker("444455556666").deleteGrant({} as never, "jit-x")).rejects.toBeInstanceOf(
      NotAuthorizedError,
    );
    expect(calls).toEqual(["matchingNodes"]);
  });
});
