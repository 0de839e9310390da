/**
 * Log lines on Lambda: Powertools Logger, one JSON object per line with the service, the level, the
 * Lambda context (function name, request id, cold start) added by its middleware, and the request's
 * keys (`requestId`, `profile`, `principal`) added by the domain through `log.forRequest`.
 *
 * The level comes from POWERTOOLS_LOG_LEVEL (or Lambda's own log-level control, which Powertools
 * honours first) and a share of invocations logs at debug from POWERTOOLS_LOGGER_SAMPLE_RATE; the
 * stack sets both from the config. Powertools writes to stdout through its own Console instance, so
 * lines reach CloudWatch Logs as they are, not wrapped by the runtime's console prefix
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type LogSink, log, redact, setLogSink } from "../../core/log.ts";
import { invocationKeys } from "./keys.ts";

/** The process's Powertools logger (one per container, as Powertools expects). */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "jit-access",
  // Whatever the domain or a library hands over passes the same redaction as the domain's own lines.
  jsonReplacerFn: (_key, value) => (typeof value === "string" ? redact(value) : value),
});

/** The domain's lines, written by Powertools, each with its invocation's request keys. */
export const powertoolsSink: LogSink = {
  write(level, message, attributes) {
    logger[level](message, { ...invocationKeys.get(), ...attributes });
  },
  appendKeys: invocationKeys.append,
  resetKeys: invocationKeys.reset,
  invocationSecrets: invocationKeys.secrets,
};

/**
 * The middleware that adds the Lambda context to every line and forgets the previous invocation's
 * keys. The event itself is never logged: it holds task tokens and signed Slack bodies.
 */
export const loggerMiddleware = () => injectLambdaContext(logger, { logEvent: false, resetKeys: true });

/** Registers the secrets this function was given, so no line can carry them, even inside a library's error. */
export function registerSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"]) log.secret(env[name]);
}

/** Installs Powertools as the sink lines go to. */
export function useLambdaLogging(env: NodeJS.ProcessEnv = process.env): void {
  setLogSink(powertoolsSink);
  registerSecrets(env);
}
