/**
 * `jit policy preview` for a person on the shared role shows what the grant adds to a slot and how
 * many fit. Before slots (691944f) it showed an inline jit-preview policy, which AWS refuses on the
 * Identity Center role.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";
import { captureIo } from "../../helpers/io.ts";

describe("jit policy preview on the shared role", () => {
  it("prints the slot statements, their size and the slot's capacity", async () => {
    const io = captureIo();
    const code = await main(
      ["policy", "preview", "--profile", "staging", "--principal", "dan@example.com"],
      io,
    );
    expect(code).toBe(0);
    const out = io.stdout();
    expect(out).toContain('"Sid": "J20261126preview0N"');
    expect(out).toContain('"aws:userid": "*:dan@example.com"');
    expect(out).toMatch(
      /It takes \d+ of a slot's 6144 characters: about \d+ such grants per slot, \d+ on the shared role at once/,
    );
    expect(out).toContain("arn:aws:iam::123456789012:policy/jit/jit-base");
    expect(out).not.toContain("OwnSessions");
  });

  it("gives the same as JSON for scripts", async () => {
    const io = captureIo();
    await main(["policy", "preview", "--profile", "staging", "--principal", "dan@example.com", "--json"], io);
    const data = JSON.parse(io.stdout());
    expect(data.slots).toHaveLength(4);
    expect(data.perSharedRole).toBe(data.perSlot * 4);
  });
});
