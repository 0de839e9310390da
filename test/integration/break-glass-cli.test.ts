/**
 * `jit request --break-glass` and `jit list --unreviewed` against a real sandbox behind the real API:
 * the refusals in one line, the grant without approvers, the list of what waits for review, and
 * `jit show`'s break-glass line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { reviewBreakGlass } from "../../core/usecases/break-glass-review.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { captureIo } from "../helpers/io.ts";
import { type SandboxApi, startSandboxApi } from "../helpers/sandbox-api.ts";

let api: SandboxApi;
let sandbox: Sandbox;
beforeAll(async () => {
  api = await startSandboxApi("jit-break-glass");
  sandbox = api.sandbox;
});
afterAll(() => api.stop());

const jit = async (words: string[]) => {
  const io = captureIo();
  const code = await main(words, io);
  const lines = (text: string) => text.split("\n").filter((l) => l !== "");
  return { code, out: lines(io.stdout()), err: lines(io.stderr()) };
};
const REASON = "checkout down, payments failing, nobody answers";

describe("jit and break-glass", () => {
  it("refuses a short reason and an over-long duration in one line each, exit 1", async () => {
    const short = await jit([
      "request",
      "--as",
      "U02BOB",
      "--profile",
      "prod-web",
      "--ticket",
      "INC-1",
      "--break-glass",
      "--reason",
      "down",
    ]);
    expect(short.code).toBe(1);
    expect(short.err.join("\n")).toMatch(/at least 20 characters \(this one has 4\)/);
    const long = await jit([
      "request",
      "--as",
      "U02BOB",
      "--profile",
      "prod-web",
      "--for",
      "3h",
      "--ticket",
      "INC-1",
      "--break-glass",
      "--reason",
      REASON,
    ]);
    expect(long.code).toBe(1);
    expect(long.err.join("\n")).toMatch(
      /3h is longer than break-glass allows on the prod-web profile \(at most 1h\)/,
    );
    const none = await jit([
      "request",
      "--as",
      "U02BOB",
      "--profile",
      "prod-db",
      "--break-glass",
      "--reason",
      REASON,
    ]);
    expect(none.err.join("\n")).toMatch(/the prod-db profile does not allow break-glass/);
  });

  it("grants at once, lists it as unreviewed, and shows its review state until reviewed", async () => {
    // Act
    const made = await jit([
      "request",
      "--as",
      "U02BOB",
      "--profile",
      "prod-web",
      "--for",
      "30m",
      "--ticket",
      "INC-1",
      "--break-glass",
      "--reason",
      REASON,
      "--wait",
    ]);
    const id = /(\d{8}-[0-9a-z]{8})/.exec(made.out.join("\n"))?.[1] ?? "";
    const listed = await jit(["list", "--unreviewed"]);
    const shown = await jit(["show", id]);
    // Assess
    expect(made.code).toBe(0);
    expect(made.out.join("\n")).toContain("active until");
    expect(listed.out.join("\n")).toContain(id);
    expect(listed.out.join("\n")).toMatch(/prod-web\tbob@example.com\tACTIVE|prod-web\tU02BOB\tACTIVE/);
    expect(shown.out.join("\n")).toMatch(/break-glass: awaiting review, due in 1d/);
    // Act: an approver reviews; the list empties
    await reviewBreakGlass(sandbox.deps, {
      requestId: id,
      reviewer: { slackUserId: "U04ERIN" },
      outcome: "ok",
    });
    expect((await jit(["list", "--unreviewed"])).out).toEqual(["No break-glass grant waits for review."]);
    expect((await jit(["show", id])).out.join("\n")).toContain("break-glass: reviewed OK by U04ERIN");
  });

  it("an approver sees what waits for their review; someone else sees only their own", async () => {
    const made = await jit([
      "request",
      "--as",
      "U02BOB",
      "--profile",
      "prod-web",
      "--for",
      "15m",
      "--ticket",
      "INC-2",
      "--break-glass",
      "--reason",
      REASON,
    ]);
    const id = /(\d{8}-[0-9a-z]{8})/.exec(made.out.join("\n"))?.[1] ?? "";
    expect((await jit(["list", "--unreviewed", "--as", "U03DAVE", "--json"])).out.join("\n")).toContain(id);
    expect((await jit(["list", "--unreviewed", "--as", "U09DAN", "--json"])).out.join("\n")).not.toContain(
      id,
    );
  });
});

describe("jit review", () => {
  it("an approver reviews from the terminal; the requester cannot; a second review changes nothing", async () => {
    // Prepare
    const made = await jit([
      "request",
      "--as",
      "U02BOB",
      "--profile",
      "prod-web",
      "--for",
      "15m",
      "--ticket",
      "INC-3",
      "--break-glass",
      "--reason",
      REASON,
    ]);
    const id = /(\d{8}-[0-9a-z]{8})/.exec(made.out.join("\n"))?.[1] ?? "";
    // Act / Assess
    const neither = await jit(["review", id, "--as", "U03DAVE"]);
    expect(neither).toMatchObject({
      code: 2,
      err: ["jit: say --ok (it was warranted) or --revoke (end it now), one of the two"],
    });
    const own = await jit(["review", id, "--as", "U02BOB", "--ok"]);
    expect(own.code).toBe(1);
    expect(own.err.join("\n")).toMatch(/cannot review or revoke your own grant/);
    expect(await jit(["review", id, "--as", "U03DAVE", "--ok"])).toMatchObject({
      code: 0,
      out: [`reviewed: ${id} (OK by U03DAVE)`],
    });
    expect((await jit(["review", id, "--as", "U04ERIN", "--revoke"])).out).toEqual([
      `${id} was already reviewed (OK by U03DAVE); nothing was changed`,
    ]);
  });
});
