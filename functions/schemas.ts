/** Event schemas shared by the workflow's task functions. */
import { z } from "zod";
import { REQUEST_ID } from "../core/request.ts";

export const requestId = z.string().regex(REQUEST_ID, { error: "is not a request id" });
export const byRequest = z.object({ requestId });
/** What a Catch hands on: the error name and cause of the failed state (either may be missing). */
export const withError = byRequest.extend({ error: z.string().optional(), cause: z.string().optional() });
