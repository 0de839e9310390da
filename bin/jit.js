#!/usr/bin/env node
// The `jit` command. Node 24 runs the TypeScript sources directly (type stripping); the repo's
// devDependency `node@24` puts that Node first on PATH for npx and npm scripts. On an older Node
// the sources cannot even load, so the version is checked first and the import is dynamic.
import { nodeRequirement } from "./require-node.js";

const tooOld = nodeRequirement(process.versions.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(1);
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
