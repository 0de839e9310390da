#!/usr/bin/env node
// The `jit` command. Node 24 runs the TypeScript sources directly (type stripping); the repo's
// devDependency `node@24` puts that Node first on PATH for npx and npm scripts.
import { main } from "../cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
