/**
 * The README's commands are true: every `npx jit` line runs as written (the sandbox ones against a
 * real sandbox, in order, with the request id filled in), and every `npm run` script exists.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { systemClock } from "../../core/clock.ts";
import { startApi } from "../../local/api.ts";
import { writeApiToken } from "../../local/api-guard.ts";
import { ConsoleNotifier } from "../../local/console-notifier.ts";
import { EXAMPLE_FLEET } from "../../local/nodes.ts";
import { type Sandbox, startSandbox } from "../../local/sandbox.ts";
import { exampleConfig } from "../helpers/config.ts";
import { captureIo } from "../helpers/io.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const scripts = Object.keys(
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).scripts,
);
const lines = [...readme.matchAll(/^\s*npx jit ([^\n#]+?)\s*(#.*)?$/gm)].map((m) => ({
  args: (m[1] ?? "").trim(),
  comment: m[2] ?? "",
}));
const offline = lines.filter((l) => /^(config|policy) /.test(l.args));
const sandboxLines = lines.filter((l) => !/^(config|policy) /.test(l.args));

let sandbox: Sandbox;
let server: Awaited<ReturnType<typeof startApi>>;
let dataDir = "";
beforeAll(async () => {
  sandbox = await startSandbox({
    config: exampleConfig(),
    nodes: EXAMPLE_FLEET,
    clock: systemClock,
    notifier: new ConsoleNotifier(() => {}),
    table: "readme",
  });
  // The sandbox API takes only calls carrying its run token, read by jit from JIT_DATA as npm start writes it.
  dataDir = mkdtempSync(join(tmpdir(), "jit-readme-"));
  const token = writeApiToken(dataDir);
  process.env.JIT_DATA = dataDir;
  server = await startApi({ deps: sandbox.deps, account: sandbox.account, notices: [] }, 0, { token });
  const address = server.address();
  process.env.JIT_URL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  delete process.env.JIT_URL;
  delete process.env.JIT_DATA;
  rmSync(dataDir, { recursive: true, force: true });
  await new Promise<void>((r) => server.close(() => r()));
  await sandbox.stop();
});

const jit = async (args: string) => {
  const io = captureIo();
  const words = args.match(/"[^"]*"|\S+/g)?.map((w) => w.replace(/^"|"$/g, "")) ?? [];
  return { code: await main(words, io), out: io.stdout(), err: io.stderr() };
};

describe("README", () => {
  it.each(offline.map((l) => l.args))("`npx jit %s` runs and succeeds", async (args) => {
    const { code, err } = await jit(args);
    expect(err).toBe("");
    expect(code).toBe(0);
  });

  it("walks through the sandbox commands in order, as written", async () => {
    expect(sandboxLines.length).toBeGreaterThanOrEqual(6);
    let id = "";
    for (const { args, comment } of sandboxLines) {
      // --wait would wait for the approval the next line gives; the test runs the lines one by one.
      const result = await jit(args.replace(" --wait", "").replaceAll("<id>", id));
      if (!id) id = /(\d{8}-[0-9a-z]{8})/.exec(result.out)?.[1] ?? "";
      expect(result.err, args).toBe("");
      expect(result.code, args).toBe(comment.includes("refused") ? 1 : 0);
      if (args.startsWith("approve")) {
        await expect
          .poll(async () => (await sandbox.deps.store.get(id))?.status, { timeout: 5000 })
          .toBe("ACTIVE");
      }
    }
    expect((await sandbox.deps.store.get(id))?.status).toBe("REVOKED");
  });

  it("shows profiles, whoami and per-command help in the walkthrough, before the first request", () => {
    const words = sandboxLines.map((l) => l.args);
    const first = words.findIndex((w) => w.startsWith("request --as"));
    expect(words.slice(0, first)).toEqual([
      "profiles --as U01ALICE",
      "whoami --as U01ALICE",
      "request --help",
    ]);
  });

  it("names only npm scripts that exist", () => {
    const named = [...readme.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]);
    for (const name of named) expect(scripts).toContain(name);
  });
});
