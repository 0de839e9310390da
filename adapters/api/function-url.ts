/**
 * The deployed API as a Lambda function URL with AWS_IAM auth. Lambda checks the SigV4 signature
 * before the function runs and passes the verified caller in `requestContext.authorizer.iam`
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, "Request payload"); this
 * trusts nothing else about who calls: no header, no body field, no `as`.
 */
import type { LambdaFunctionURLEvent, APIGatewayProxyStructuredResultV2 as UrlResult } from "aws-lambda";
import { NotAuthorizedError, ValidationError } from "../../core/errors.ts";
import { describeError, log } from "../../core/log.ts";
import type { Deps } from "../../core/ports.ts";
import { callerFromArn, type PeopleDirectory } from "./identity.ts";
import { CALLER_ROUTES, findRoute } from "./routes.ts";
import { parseBody, statusOf } from "./status.ts";

/** A function URL event; `authorizer.iam` is there only when the URL's auth type is AWS_IAM. */
export type SignedUrlEvent = LambdaFunctionURLEvent & {
  requestContext: { authorizer?: { iam?: { userArn?: string; accountId?: string } } };
};

const reply = (statusCode: number, body: unknown): UrlResult => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Answers one function URL event; a failure of ours is logged and answered 500 without detail. */
export async function answer(
  deps: Deps,
  directory: PeopleDirectory,
  event: SignedUrlEvent,
  onError: (message: string, error: Error) => void = (m, e) => log.error(m, { error: describeError(e) }),
): Promise<UrlResult> {
  const method = event.requestContext?.http?.method ?? "GET";
  const path = event.rawPath ?? "/";
  try {
    const callerArn = event.requestContext?.authorizer?.iam?.userArn;
    if (!callerArn)
      throw new NotAuthorizedError(
        "this call carries no caller verified by AWS: the API answers only through its AWS_IAM function URL",
      );
    const route = findRoute(CALLER_ROUTES, method, path);
    if (!route) return reply(404, { error: "NotFound", message: `no route ${method} ${path}` });
    const text = event.body
      ? event.isBase64Encoded
        ? Buffer.from(event.body, "base64").toString("utf8")
        : event.body
      : "";
    const body = parseBody(text);
    const query = new URLSearchParams(event.rawQueryString ?? "");
    if ("as" in body || query.has("as"))
      throw new ValidationError(
        "as",
        "there is no `as` against a deployed stage: you act as the AWS identity that signed the call",
      );
    const caller = await callerFromArn(deps.config, directory, callerArn);
    return reply(200, await route.run(deps, caller, { body, params: route.params, query }));
  } catch (error) {
    const status = statusOf(error);
    const e = error instanceof Error ? error : new Error(String(error));
    if (status === 500) {
      onError(`api: ${method} ${path} failed`, e);
      return reply(500, { error: "InternalError", message: "the API failed; its logs say why" });
    }
    return reply(status, { error: e.name, message: e.message });
  }
}
