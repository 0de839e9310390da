/**
 * The esbuild plugin every Lambda bundle is built with, by SST on deploy (`nodejs.plugins` in
 * stacks/bundling.ts) and by the bench and tests (bench/sst-esbuild.ts). It points the modules that
 * Bolt's entry point requires only for receivers a Lambda never builds (Express, HTTP server, Socket
 * Mode, OAuth installs) at stubs that throw when used (./unusable.cjs): 1.6 MB of the Slack bundle.
 *
 * Plain JavaScript on purpose: SST runs this file in its own `node` process
 * (.sst/platform/functions/nodejs-runtime/plugin.mjs, started by pkg/runtime/node/plugin.go), which
 * may be an older Node than the one running our TypeScript.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Module → why a Lambda never runs it. Every one is required by @slack/bolt/dist at load but used only
 * inside constructors or methods of what functions/slack.ts does not use (App with its own
 * AwsLambdaReceiver and `authorize`).
 */
export const STUBBED = {
  express: "ExpressReceiver's web server; AwsLambdaReceiver takes Lambda events",
  "raw-body":
    "reads Node request streams for the HTTP receivers; a Lambda event carries its body as a string",
  "@slack/oauth": "multi-workspace OAuth installs; this app has one bot token, given by `authorize`",
  "@slack/socket-mode": "SocketModeReceiver's WebSocket client; Slack reaches this app over HTTPS",
  "path-to-regexp": "custom routes of the HTTP and Socket Mode receivers",
};

/** Only Bolt's own requires are stubbed: anything else that imports these gets the real module. */
const BOLT = /[\\/]node_modules[\\/]@slack[\\/]bolt[\\/]/;
const NAMESPACE = "jit-stub";
const here = dirname(fileURLToPath(import.meta.url));

/** @type {import("esbuild").Plugin} */
export const stubUnusedModules = {
  name: "jit-stub-unused-modules",
  setup(build) {
    // Filters are `.*` and the test is inside: SST's plugin runner matches a filter against the
    // string "undefined" (it reads `msg.path`, not `msg.value.path`), so a narrower filter would
    // silently never run on deploy. Only onResolve and onLoad exist there (no build.resolve).
    build.onResolve({ filter: /.*/ }, (args) =>
      Object.hasOwn(STUBBED, args.path) && BOLT.test(args.importer)
        ? { path: args.path, namespace: NAMESPACE }
        : undefined,
    );
    build.onLoad({ filter: /.*/ }, (args) =>
      args.namespace === NAMESPACE
        ? {
            contents: `module.exports = require("./unusable.cjs")(${JSON.stringify(args.path)}, ${JSON.stringify(STUBBED[args.path])});`,
            loader: "js",
            resolveDir: here,
          }
        : undefined,
    );
  },
};

/** What SST's `nodejs.plugins` file must export: the list of plugins. */
export default [stubUnusedModules];
