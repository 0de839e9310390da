/**
 * The config's `observability` section in the stack: `tracing` turns X-Ray on or off for the state
 * machine and every function (and the X-Ray permissions of their roles), and `logLevel` and
 * `debugSampleRate` reach every function's environment as Powertools reads them. The decision is
 * plain data (stacks/tracing.ts); the stack files that apply it (stacks/workflow.ts,
 * stacks/functions.ts) are run too, against stubbed SST globals, so a file that stopped applying it
 * fails here.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type AccessConfig, parseConfig } from "../../../core/config/load.ts";
import { METRIC_NAMESPACE } from "../../../core/metrics.ts";
import { FUNCTION_ENTRIES, type FunctionName } from "../../../stacks/entries.ts";
import { powertoolsEnvironment, tracingFor, xrayStatements } from "../../../stacks/tracing.ts";
import { exampleConfig, exampleConfigText } from "../../helpers/config.ts";

const withObservability = (yaml: string): AccessConfig =>
  parseConfig(`${exampleConfigText()}\nobservability:\n${yaml}\n`);

describe("the tracing decision (stacks/tracing.ts)", () => {
  it("is on by default: the example config sets nothing", () => {
    expect(exampleConfig().observability).toEqual({ tracing: true, logLevel: "INFO", debugSampleRate: 0.01 });
  });

  it("on: the state machine traces, the functions are Active, the roles may write segments", () => {
    const t = tracingFor(withObservability("  tracing: true").observability.tracing);
    expect(t).toEqual({
      stateMachine: { enabled: true },
      function: { mode: "Active" },
      xrayPermissions: true,
    });
    expect(xrayStatements(t, "xray")).toEqual(["xray"]);
  });

  it("off: no state machine tracing, functions PassThrough, no X-Ray permission", () => {
    const t = tracingFor(withObservability("  tracing: false").observability.tracing);
    expect(t).toEqual({
      stateMachine: { enabled: false },
      function: { mode: "PassThrough" },
      xrayPermissions: false,
    });
    expect(xrayStatements(t, "xray")).toEqual([]);
  });
});

describe("the Powertools environment (stacks/tracing.ts)", () => {
  it("carries the defaults: INFO, 1 % of invocations at debug, the namespace the alarms read", () => {
    expect(powertoolsEnvironment(exampleConfig().observability)).toEqual({
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: "INFO",
      POWERTOOLS_LOGGER_SAMPLE_RATE: "0.01",
    });
  });

  it("carries the configured level and debug sample rate", () => {
    const o = withObservability("  logLevel: WARN\n  debugSampleRate: 0.25").observability;
    expect(powertoolsEnvironment(o)).toMatchObject({
      POWERTOOLS_LOG_LEVEL: "WARN",
      POWERTOOLS_LOGGER_SAMPLE_RATE: "0.25",
    });
  });
});

/**
 * SST's globals, as far as stacks/workflow.ts and stacks/functions.ts use them: each component records
 * its name and arguments; an Output is a value with `apply`.
 */
interface Output<T> {
  value: T;
  apply<U>(f: (v: T) => U): Output<U>;
}
const output = <T>(value: T): Output<T> => ({ value, apply: (f) => output(f(value)) });
const made: { type: string; name: string; args: Record<string, unknown> }[] = [];
const component = (type: string) =>
  class {
    readonly arn: string;
    constructor(name: string, args: Record<string, unknown>) {
      made.push({ type, name, args });
      this.arn = `arn:aws:${type}:eu-west-1:123456789012:${name}`;
    }
  };
const GLOBALS = {
  $app: { name: "jit", stage: "test" },
  $resolve: <T>(values: T) => output(values),
  $output: <T>(value: T) => output(value),
  $util: { all: (outputs: Output<unknown>[]) => output(outputs.map((o) => o.value)) },
  $interpolate: (parts: TemplateStringsArray, ...values: unknown[]) =>
    parts.reduce((s, p, i) => s + p + (i < values.length ? String(values[i]) : ""), ""),
  sst: { aws: { Function: component("lambda") } },
  aws: {
    cloudwatch: { LogGroup: component("logs") },
    iam: { Role: component("iam") },
    sfn: { StateMachine: component("states") },
  },
};
afterEach(() => {
  made.length = 0;
  for (const key of Object.keys(GLOBALS)) delete (globalThis as Record<string, unknown>)[key];
});

/** Imported by a path tsc does not follow (SST's types come from `npm run check:infra`). */
const FUNCTIONS_STACK: string = "../../../stacks/functions.ts";
const WORKFLOW_STACK: string = "../../../stacks/workflow.ts";
const { createFunctions } = (await import(FUNCTIONS_STACK)) as {
  createFunctions: (inputs: Record<string, unknown>) => Record<FunctionName, unknown>;
};
const { createWorkflow } = (await import(WORKFLOW_STACK)) as {
  createWorkflow: (functions: Record<FunctionName, unknown>, tracing: boolean) => unknown;
};

function deploy(config: AccessConfig) {
  made.length = 0;
  Object.assign(globalThis, GLOBALS);
  const functions = createFunctions({
    config,
    table: { name: "jit-table", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/jit-table" },
    topic: { arn: "arn:aws:sns:eu-west-1:123456789012:notices" },
    topicKey: { arn: "arn:aws:kms:eu-west-1:123456789012:key/k" },
    configFile: ".sst/access.config.json",
    stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:jit-test-access",
    slack: { signingSecret: { value: "signing" }, botToken: { value: "xoxb" } },
    openPrincipals: [],
  });
  createWorkflow(functions, config.observability.tracing);
  const lambdas = made.filter((m) => m.type === "lambda").map((m) => m.args);
  // biome-ignore lint/suspicious/noExplicitAny: the recorded arguments are read as SST receives them
  const only = (type: string): any => made.find((m) => m.type === type)?.args;
  const rolePolicy = JSON.parse(only("iam").inlinePolicies[0].policy.value);
  return { lambdas, machine: only("states"), rolePolicy };
}

// biome-ignore lint/suspicious/noExplicitAny: as above
const permissionActions = (fn: any): string[] =>
  fn.permissions.value.flatMap((p: { actions: string[] }) => p.actions);
const roleActions = (policy: { Statement: { Action: string | string[] }[] }): string[] =>
  policy.Statement.flatMap((s) => s.Action);

describe("the stack applies the switch (stacks/workflow.ts, stacks/functions.ts)", () => {
  it.each([
    [true, "Active"],
    [false, "PassThrough"],
  ] as const)("tracing: %s → the state machine traces or not, every function %s", (tracing, mode) => {
    const { lambdas, machine, rolePolicy } = deploy(withObservability(`  tracing: ${tracing}`));

    expect(lambdas).toHaveLength(Object.keys(FUNCTION_ENTRIES).length);
    expect(machine.tracingConfiguration).toEqual({ enabled: tracing });
    expect(roleActions(rolePolicy).includes("xray:PutTraceSegments")).toBe(tracing);
    for (const fn of lambdas) {
      // biome-ignore lint/suspicious/noExplicitAny: as above
      expect((fn as any).transform.function.tracingConfig).toEqual({ mode });
      expect(permissionActions(fn).includes("xray:PutTraceSegments")).toBe(tracing);
    }
  });

  it("every function's environment carries the configured log level and debug sample rate", () => {
    const { lambdas } = deploy(withObservability("  logLevel: DEBUG\n  debugSampleRate: 0.5"));
    for (const fn of lambdas) {
      expect(fn.environment).toMatchObject({
        POWERTOOLS_SERVICE_NAME: "jit-test",
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: "DEBUG",
        POWERTOOLS_LOGGER_SAMPLE_RATE: "0.5",
      });
    }
    const defaults = deploy(exampleConfig()).lambdas;
    expect(defaults[0]?.environment).toMatchObject({
      POWERTOOLS_LOG_LEVEL: "INFO",
      POWERTOOLS_LOGGER_SAMPLE_RATE: "0.01",
    });
  });

  it("the stack hands the state machine the config's switch (stacks/index.ts)", () => {
    const index = readFileSync(new URL("../../../stacks/index.ts", import.meta.url), "utf8");
    expect(index).toMatch(/createWorkflow\(\s*functions,\s*config\.observability\.tracing\s*\)/);
  });
});
