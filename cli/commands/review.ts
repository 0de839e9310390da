/** `jit review <id> --ok | --revoke`: an approver's after-the-fact review of a break-glass grant. */
import type { AccessRequest, BreakGlassReview } from "../../core/request.ts";
import type { Io } from "../io.ts";
import { callSandbox } from "../sandbox-client.ts";

export interface ReviewOptions {
  as?: string;
  ok?: boolean;
  revoke?: boolean;
  json?: boolean;
}

interface ReviewAnswer {
  request: AccessRequest;
  alreadyReviewed: boolean;
  revoked: boolean;
}

const said = (r: BreakGlassReview | undefined) =>
  r ? `${r.outcome === "ok" ? "OK" : "revoked"} by ${r.by}` : "by someone else";

/** Records the review; exit 2 unless exactly one of --ok and --revoke is given. */
export async function reviewCommand(id: string, o: ReviewOptions, io: Io): Promise<number> {
  if (Boolean(o.ok) === Boolean(o.revoke)) {
    io.err("jit: say --ok (it was warranted) or --revoke (end it now), one of the two");
    return 2;
  }
  const answer = await callSandbox<ReviewAnswer>("POST", `/requests/${id}/review`, {
    as: o.as,
    outcome: o.ok ? "ok" : "revoke",
  });
  if (o.json) io.out(JSON.stringify(answer, null, 2));
  else if (answer.alreadyReviewed)
    io.out(`${id} was already reviewed (${said(answer.request.review)}); nothing was changed`);
  else if (answer.revoked) io.out(`revoked at review: ${id}; its policy goes and its live sessions close`);
  else io.out(`reviewed: ${id} (${said(answer.request.review)})`);
  return 0;
}
