/** Event schemas shared by the workflow's task functions (zod/mini keeps the bundles small). */
import * as z from "zod/mini";
import { REQUEST_ID } from "../core/request.ts";

export const requestId = z.string().check(z.regex(REQUEST_ID, { error: "is not a request id" }));
export const byRequest = z.object({ requestId });
/** What a Catch hands on: the error name and cause of the failed state (either may be missing). */
export const withError = z.extend(byRequest, {
  error: z.optional(z.string()),
  cause: z.optional(z.string()),
});
/** A time the workflow passes along (ISO 8601 with offset). */
export const timestamp = z.iso.datetime({ offset: true });
