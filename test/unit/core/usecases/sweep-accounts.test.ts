/** The sweep across accounts: bounded, and one unreachable account never stops the others. */
import { describe, expect, it } from "vitest";
import { AccountUnreachableError } from "../../../../core/accounts.ts";
import { type SweepTarget, sweepAccounts, sweepTargets } from "../../../../core/usecases/sweep-accounts.ts";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const twoRegions = () => ["eu-west-1", "us-east-1"];
const key = (t: SweepTarget) => `${t.accountId}/${t.region}`;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
const refused = (accountId: string, reason: "denied" | "throttled" = "denied") =>
  new AccountUnreachableError(accountId, reason, `cannot act in account ${accountId}`);

describe("the targets", () => {
  it("are every account × region, each once, accounts and regions sorted", () => {
    expect(
      sweepTargets([B, A, B], (id) => (id === A ? ["us-east-1", "eu-west-1", "us-east-1"] : ["eu-west-1"])),
    ).toEqual([
      { accountId: A, region: "eu-west-1" },
      { accountId: A, region: "us-east-1" },
      { accountId: B, region: "eu-west-1" },
    ]);
  });
});

describe("sweeping every account and region", () => {
  it("sweeps each target once with never more than the limit running", async () => {
    // Prepare
    const targets = sweepTargets([A, B, C, "444444444444", "555555555555"], twoRegions);
    let running = 0;
    let peak = 0;
    // Act
    const report = await sweepAccounts(
      targets,
      async (t) => {
        running += 1;
        peak = Math.max(peak, running);
        await tick();
        running -= 1;
        return key(t);
      },
      3,
    );
    // Assess
    expect(report.swept.map((s) => s.result).sort()).toEqual(targets.map(key).sort());
    expect(peak).toBe(3);
    expect(report.unreachable).toEqual([]);
  });

  it("reports an account that refuses AssumeRole once, skips its other regions, and sweeps the rest", async () => {
    // Prepare
    const calls: string[] = [];
    // Act
    const report = await sweepAccounts(
      sweepTargets([A, B, C], twoRegions),
      async (t) => {
        calls.push(key(t));
        if (t.accountId === B) throw refused(B);
        return "ok";
      },
      1,
    );
    // Assess
    expect(report.unreachable).toEqual([
      { accountId: B, reason: "denied", error: `cannot act in account ${B}` },
    ]);
    expect(calls).toEqual([
      `${A}/eu-west-1`,
      `${A}/us-east-1`,
      `${B}/eu-west-1`,
      `${C}/eu-west-1`,
      `${C}/us-east-1`,
    ]);
    expect(report.swept.map((s) => key(s.target))).toEqual([
      `${A}/eu-west-1`,
      `${A}/us-east-1`,
      `${C}/eu-west-1`,
      `${C}/us-east-1`,
    ]);
  });

  it("reports a throttled account once even when its regions fail side by side", async () => {
    // Act
    const report = await sweepAccounts(
      sweepTargets([A, B], twoRegions),
      async (t) => {
        await tick();
        if (t.accountId === A) throw refused(A, "throttled");
        return "ok";
      },
      4,
    );
    // Assess
    expect(report.unreachable).toEqual([
      { accountId: A, reason: "throttled", error: `cannot act in account ${A}` },
    ]);
    expect(report.swept).toHaveLength(2);
  });

  it("retries an unreachable account on the next run", async () => {
    // Prepare
    let refusing = true;
    const sweepOne = async (t: SweepTarget) => {
      if (refusing && t.accountId === A) throw refused(A);
      return "ok";
    };
    const targets = sweepTargets([A, B], twoRegions);
    // Act
    const first = await sweepAccounts(targets, sweepOne, 2);
    refusing = false;
    const second = await sweepAccounts(targets, sweepOne, 2);
    // Assess
    expect(first.unreachable.map((u) => u.accountId)).toEqual([A]);
    expect(second.unreachable).toEqual([]);
    expect(second.swept).toHaveLength(4);
  });

  it("records any other failure against its target and still sweeps the account's other regions", async () => {
    // Act
    const report = await sweepAccounts(
      sweepTargets([A], twoRegions),
      async (t) => {
        if (t.region === "eu-west-1") throw new Error("DescribeSessions broke");
        // An unreachable error about another account is a bug, not this account's state.
        throw refused(B);
      },
      2,
    );
    // Assess
    expect(report.failed).toEqual([
      { target: { accountId: A, region: "eu-west-1" }, error: "Error: DescribeSessions broke" },
      {
        target: { accountId: A, region: "us-east-1" },
        error: `AccountUnreachableError: cannot act in account ${B}`,
      },
    ]);
    expect(report.unreachable).toEqual([]);
  });

  it("lets every other account finish while one is slow", async () => {
    // Prepare: A's sweep ends only once every other target has finished; a pool stuck on A never would.
    const targets = sweepTargets([A, B, C], twoRegions);
    let done = 0;
    let releaseA = () => {};
    const slow = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    // Act
    const report = await sweepAccounts(
      targets,
      async (t) => {
        if (t.accountId === A && t.region === "eu-west-1") await slow;
        else await tick();
        done += 1;
        if (done === targets.length - 1) releaseA();
        return "ok";
      },
      2,
    );
    // Assess
    expect(report.swept).toHaveLength(targets.length);
    expect(key(report.swept.at(-1)?.target ?? { accountId: "", region: "" })).toBe(`${A}/eu-west-1`);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses a concurrency limit of %s", async (limit) => {
    await expect(sweepAccounts([], async () => "ok", limit)).rejects.toThrow(RangeError);
  });
});
