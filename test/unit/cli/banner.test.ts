import { describe, expect, it } from "vitest";
import { sandboxHints } from "../../../cli/banner.ts";

describe("the sandbox banner's hints", () => {
  it("prints the JIT_URL line to export when the port is not jit's default", () => {
    const lines = sandboxHints(41234).split("\n");
    expect(lines).toContain(
      "  export JIT_URL=http://127.0.0.1:41234   (jit looks at 7420 unless told; run this in jit's terminal)",
    );
  });

  it("has no JIT_URL line on the default port", () => {
    expect(sandboxHints(7420)).not.toContain("JIT_URL=");
  });

  it("suggests an approval by the profile's approver, never a self-approval by a non-approver", () => {
    const text = sandboxHints(7420);
    expect(text).toContain(
      'Try: npx jit request --as U01ALICE --profile staging --for 2h --reason "look at logs"',
    );
    expect(text).toContain(
      "     npx jit approve <id> --as U03DAVE   (staging's approver; an approver may approve their own request, alice may not)",
    );
    expect(text).toContain(
      "     npx jit profiles --as U01ALICE   ·   npx jit whoami --as U01ALICE   ·   npx jit --help",
    );
  });
});

describe("a sandbox on another data folder", () => {
  // New-user trial 2026-11-29: the JIT_URL line alone left jit reading the default folder's token.
  it("prints the JIT_DATA line too, and nothing for the default folder", () => {
    expect(sandboxHints(41234, "/tmp/jit2", "/repo/.jit")).toContain("export JIT_DATA=/tmp/jit2");
    expect(sandboxHints(41234, "/repo/.jit", "/repo/.jit")).not.toContain("JIT_DATA=");
  });
});
