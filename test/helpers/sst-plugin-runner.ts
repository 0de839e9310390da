/**
 * A `nodejs.plugins` file run the way SST v4 runs it on deploy, so a test can build through it: SST's
 * Go builder (pkg/runtime/node/plugin.go, https://github.com/anomalyco/sst/blob/dev/pkg/runtime/node/plugin.go)
 * starts `node --no-warnings .sst/platform/functions/nodejs-runtime/plugin.mjs <file>` in the project
 * root and, for every resolve and every load of the build (filter `.*`), sends it a JSON line and
 * takes its reply. This plugin does the same from a JS esbuild build, with SST's own plugin.mjs
 * (written by `sst install`, which `npm run check:infra` runs).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Loader, Plugin } from "esbuild";

/** SST's plugin runner, relative to the project root, as plugin.go names it. */
export const SST_PLUGIN_RUNNER = ".sst/platform/functions/nodejs-runtime/plugin.mjs";

type Reply = Record<string, unknown>;

/** An esbuild plugin that hands every resolve and load to SST's runner holding `pluginsFile`. */
export function sstPluginRunner(root: string, pluginsFile: string): Plugin {
  if (!existsSync(resolve(root, SST_PLUGIN_RUNNER)))
    throw new Error(`${SST_PLUGIN_RUNNER} is missing: run \`npm run check:infra\` (sst install) first`);
  return {
    name: "nodejs-plugin",
    setup(build) {
      const child: ChildProcess = spawn(
        "node",
        ["--no-warnings", SST_PLUGIN_RUNNER, resolve(root, pluginsFile)],
        { cwd: root, stdio: ["pipe", "pipe", "inherit"] },
      );
      const pending = new Map<number, (reply: Reply) => void>();
      let next = 0;
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const message = JSON.parse(line) as { id: number; value: Reply };
        pending.get(message.id)?.(message.value);
        pending.delete(message.id);
      });
      const request = (command: string, value: Reply) =>
        new Promise<Reply>((answer) => {
          const id = next++;
          pending.set(id, answer);
          child.stdin?.write(`${JSON.stringify({ id, command, value })}\n`);
        });
      const refuse = (reply: Reply) => {
        if (typeof reply.error === "string") throw new Error(reply.error);
      };

      build.onResolve({ filter: /.*/ }, async (args) => {
        const reply = await request("resolve", {
          path: args.path,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          kind: args.kind,
          pluginData: args.pluginData,
          with: args.with,
        });
        refuse(reply);
        if (typeof reply.path !== "string" || reply.path === "") return undefined;
        return {
          path: reply.path,
          ...(typeof reply.namespace === "string" ? { namespace: reply.namespace } : {}),
          ...(typeof reply.suffix === "string" ? { suffix: reply.suffix } : {}),
          ...(typeof reply.external === "boolean" ? { external: reply.external } : {}),
          ...(typeof reply.sideEffects === "boolean" ? { sideEffects: reply.sideEffects } : {}),
        };
      });
      build.onLoad({ filter: /.*/ }, async (args) => {
        const reply = await request("load", {
          path: args.path,
          namespace: args.namespace,
          suffix: args.suffix,
          pluginData: args.pluginData,
          with: args.with,
        });
        refuse(reply);
        if (typeof reply.contents !== "string") return undefined;
        return {
          contents: reply.contents,
          ...(typeof reply.loader === "string" ? { loader: reply.loader as Loader } : {}),
          ...(typeof reply.resolveDir === "string" ? { resolveDir: reply.resolveDir } : {}),
        };
      });
      build.onDispose(() => child.kill());
    },
  };
}
