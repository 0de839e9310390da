/**
 * `jit config check` warns, against a running sandbox, about principals the config dropped while they
 * hold open requests. Failed on main before this change: stderr was "" (the check never looked at any
 * request), so removing jit-dan from principals.map while his grant was ACTIVE passed silently.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";
import { EXAMPLE_CONFIG_PATH } from "../../helpers/config.ts";
import { captureIo } from "../../helpers/io.ts";

const DAN = "arn:aws:iam::123456789012:role/oncall/jit-dan";
const ALICE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
const records = [
  { id: "20261129-aaaaaaaa", status: "ACTIVE", principal: { kind: "role", arn: DAN, name: "jit-dan" } },
  { id: "20261129-bbbbbbbb", status: "REVOKED", principal: { kind: "role", arn: DAN, name: "jit-dan" } },
  { id: "20261129-cccccccc", status: "ACTIVE", principal: { kind: "role", arn: ALICE, name: "jit-alice" } },
];

let server: Server | undefined;
const previous = process.env.JIT_URL;
afterEach(async () => {
  if (previous === undefined) delete process.env.JIT_URL;
  else process.env.JIT_URL = previous;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function fakeSandbox(): Promise<string> {
  const fake = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(req.url === "/requests" ? records : { message: "no" }));
  });
  server = fake;
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
}

describe("jit config check with a sandbox running", () => {
  it("names a dropped principal that holds an open request, and still succeeds", async () => {
    // Prepare
    process.env.JIT_URL = await fakeSandbox();
    const io = captureIo();
    // Act
    const code = await main(["config", "check", "--config", EXAMPLE_CONFIG_PATH], io);
    // Assess
    expect(code).toBe(0);
    expect(io.stdout()).toContain("The configuration is valid");
    expect(io.stderr()).toBe(
      `warning: ${DAN} is no longer in principals.map but holds open request 20261129-aaaaaaaa: it stays revocable (Delete/List/Get only) until settled`,
    );
  });

  it("says nothing more when no sandbox answers", async () => {
    process.env.JIT_URL = "http://127.0.0.1:9";
    const io = captureIo();
    expect(await main(["config", "check", "--config", EXAMPLE_CONFIG_PATH], io)).toBe(0);
    expect(io.stderr()).toBe("");
  });
});
