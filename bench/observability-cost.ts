/**
 * What the observability layer alone adds to a cold start: a bundle holding the logger and metrics
 * adapters with their middlewares (what functions/runtime.ts adds to every function), imported and
 * invoked once in a fresh process, against the same handler with a plain console line. Run in
 * alternation, `pairs` times; prints the medians of the differences (wall and CPU, user + system).
 *
 *   node bench/observability-cost.ts 21
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const dir = join(root, "node_modules/.cache/observability-cost");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const at = (file: string) => JSON.stringify(join(root, file));
const sources = {
  with: `import middy from "@middy/core";
import { loggerMiddleware, useLambdaLogging } from ${at("adapters/observability/logger.ts")};
import { metricsMiddleware } from ${at("adapters/observability/metrics.ts")};
import { log } from ${at("core/log.ts")};
useLambdaLogging();
export const handler = middy(async () => { log.info("answered"); return 1; }).use(loggerMiddleware()).use(metricsMiddleware());`,
  without: `import middy from "@middy/core";
export const handler = middy(async () => { console.log(JSON.stringify({ message: "answered" })); return 1; });`,
};
for (const [name, text] of Object.entries(sources)) {
  writeFileSync(join(dir, `${name}.ts`), text);
  await build({
    entryPoints: [join(dir, `${name}.ts`)],
    outfile: join(dir, `${name}.mjs`),
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node24",
    external: ["@aws-sdk/*"],
    logLevel: "error",
  });
  writeFileSync(
    join(dir, `probe-${name}.mjs`),
    `const c0 = process.cpuUsage(); const t0 = performance.now();
const { handler } = await import(${JSON.stringify(join(dir, `${name}.mjs`))});
await handler({}, { functionName: "probe", awsRequestId: "probe" });
const c = process.cpuUsage(c0);
(await import("node:fs")).writeFileSync(process.argv[2], JSON.stringify({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 }));`,
  );
}
const result = join(dir, "result.json");
const run = (name: string): { wall: number; cpu: number } => {
  // As on Lambda: an on-demand container, so the cold-start metric is written too.
  const env = {
    ...process.env,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_FUNCTION_NAME: "probe",
  };
  execFileSync(process.execPath, [join(dir, `probe-${name}.mjs`), result], { stdio: "ignore", env });
  return JSON.parse(readFileSync(result, "utf8"));
};
const pairs = Number(process.argv[2] ?? 21);
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < pairs; i++) {
  const a = run("with");
  const b = run("without");
  wall.push(a.wall - b.wall);
  cpu.push(a.cpu - b.cpu);
}
const median = (xs: number[]) => ([...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)] ?? 0).toFixed(1);
const kb = (name: string) => (readFileSync(join(dir, `${name}.mjs`)).length / 1024).toFixed(1);
console.log(
  JSON.stringify({
    pairs,
    addedKb: (Number(kb("with")) - Number(kb("without"))).toFixed(1),
    addedWallMs: median(wall),
    addedCpuMs: median(cpu),
  }),
);
