/** The Lambda entry points validate their events before touching anything. */
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Deps } from "../../../core/ports.ts";
import { handler as grantAccess } from "../../../functions/grant-access.ts";
import { handler as revokeAccess } from "../../../functions/revoke-access.ts";
import { useDeps } from "../../../functions/runtime.ts";
import { captureLogs } from "../../helpers/logs.ts";

const context = {} as Context;

/** Deps whose every port throws: a malformed event must be refused before any of them is used. */
const untouchable = new Proxy({} as Deps, {
  get: (_t, prop) => {
    throw new Error(`deps.${String(prop)} was used`);
  },
});

afterEach(() => {
  useDeps(undefined);
  vi.restoreAllMocks();
});

describe("task handlers", () => {
  it.each([
    [{}, "requestId: Invalid input: expected string, received undefined"],
    [{ requestId: "../../etc" }, "requestId: is not a request id"],
    ["not an object", "event: Invalid input: expected object, received string"],
  ])("refuse the malformed event %j with a logged reason, touching nothing", async (event, problem) => {
    // Prepare
    useDeps(untouchable);
    const logs = captureLogs("error");
    // Act
    const act = grantAccess(event, context);
    // Assess
    await expect(act).rejects.toThrow(`grant-access: malformed event: ${problem}`);
    expect(logs.lines()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        message: "rejected malformed event",
        handler: "grant-access",
        problems: problem,
      }),
    ]);
  });

  it("passes a valid event on to the use case", async () => {
    const calls: unknown[] = [];
    useDeps(
      new Proxy({} as Deps, {
        get: (_t, prop) => {
          calls.push(prop);
          throw new Error("stop here");
        },
      }),
    );
    captureLogs();
    await expect(revokeAccess({ requestId: "20261126-abcdefgh" }, context)).rejects.toThrow("stop here");
    expect(calls).toEqual(["clock"]);
  });
});
