/**
 * Cold start of one bundled function, as a new Lambda container sees it: a fresh Node process (with
 * `--enable-source-maps`, as the stack sets) imports the bundle and answers one event. Each run
 * reports the import time, the first answer's time, CPU (user + system, all threads) and resident
 * memory, and what the answer was. The AWS SDK comes from node_modules, as the runtime provides it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfigFile } from "../adapters/config-file.ts";
import { writeNormalizedConfig } from "../adapters/config-json.ts";

/** One cold run. `outcome` says how the handler answered (see PROBE). */
export interface ColdSample {
  importMs: number;
  answerMs: number;
  totalMs: number;
  cpuMs: number;
  rssMb: number;
  outcome: string;
}

// Runs in the child. A status code is reported as such; a schema rejection as "rejected as malformed"
// (thrown, runtime.ts) or "dropped as malformed" (returned); any other error with its name and message.
// The result goes to a file: the handler's own output (logs, EMF metrics) owns stdout.
const PROBE = `import { readFileSync, writeFileSync } from "node:fs";
const [file, eventFile, name, memory, resultFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const context = { functionName: name, functionVersion: "$LATEST", memoryLimitInMB: memory,
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:" + name, awsRequestId: "cold-start-probe",
  logGroupName: "/aws/lambda/" + name, logStreamName: "probe", callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10000 };
const c0 = process.cpuUsage();
const t0 = performance.now();
const { handler } = await import(file);
const t1 = performance.now();
let outcome;
try {
  const r = await handler(event, context);
  outcome = r && typeof r === "object" && "statusCode" in r ? "HTTP " + r.statusCode
    : r && typeof r === "object" && "rejected" in r ? "dropped as malformed" : "returned";
} catch (e) {
  outcome = e instanceof TypeError && /malformed event/.test(e.message) ? "rejected as malformed"
    : "threw " + e.name + ": " + String(e.message).slice(0, 100);
}
const t2 = performance.now();
const c = process.cpuUsage(c0);
writeFileSync(resultFile, JSON.stringify({ importMs: t1 - t0, answerMs: t2 - t1, totalMs: t2 - t0,
  cpuMs: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20, outcome }));
`;

/** Unreachable on purpose: nothing a probe does can reach a real AWS account or Slack workspace. */
const NOWHERE = "http://127.0.0.1:9";

/** Writes the probe and the normalized config into `dir`; returns the environment probes run with. */
export function prepareProbe(dir: string, secrets: { signingSecret: string; botToken: string }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "probe.mjs"), PROBE);
  writeNormalizedConfig(join(dir, "access.config.json"), loadConfigFile());
  return {
    ...process.env,
    JIT_CONFIG: join(dir, "access.config.json"),
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    SLACK_BOT_TOKEN: secrets.botToken,
    SLACK_API_URL: `${NOWHERE}/api/`,
    TABLE_NAME: "cold-start",
    TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:cold-start",
    STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:123456789012:stateMachine:cold-start",
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL: NOWHERE,
    AWS_MAX_ATTEMPTS: "1",
    AWS_ACCESS_KEY_ID: "AKIDCOLDSTART",
    AWS_SECRET_ACCESS_KEY: "cold-start",
  };
}

/** One fresh process: imports `file` and answers `event` (written to `eventFile` first). */
export function coldRun(
  dir: string,
  env: NodeJS.ProcessEnv,
  run: { file: string; name: string; memoryMb: number; event: unknown },
): ColdSample {
  const eventFile = join(dir, `${run.name}.event.json`);
  writeFileSync(eventFile, JSON.stringify(run.event));
  const resultFile = join(dir, `${run.name}.result.json`);
  rmSync(resultFile, { force: true });
  const args = [run.file, eventFile, run.name, String(run.memoryMb), resultFile];
  // The handlers' logs and metrics are kept out of the bench output.
  execFileSync(process.execPath, ["--enable-source-maps", join(dir, "probe.mjs"), ...args], {
    env: { ...env, AWS_LAMBDA_FUNCTION_NAME: run.name },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(readFileSync(resultFile, "utf8")) as ColdSample;
}

const round = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** `runs` cold runs of one function, summed up: medians of the times and CPU, the largest RSS. */
export function coldStart(...[dir, env, run, runs]: [...Parameters<typeof coldRun>, number]) {
  const samples = Array.from({ length: runs }, () => coldRun(dir, env, run));
  const outcomes = [...new Set(samples.map((s) => s.outcome))];
  return {
    runs,
    outcome: outcomes.join(" / "),
    importMs: round(median(samples.map((s) => s.importMs))),
    answerMs: round(median(samples.map((s) => s.answerMs))),
    totalMs: round(median(samples.map((s) => s.totalMs))),
    totalRunsMs: samples.map((s) => round(s.totalMs)),
    cpuMs: round(median(samples.map((s) => s.cpuMs))),
    rssMb: round(Math.max(...samples.map((s) => s.rssMb))),
  };
}
