/**
 * SSM adapter: sessions (live and ended), terminating them, and finding nodes by tag.
 *
 * One SsmSessions acts in one account (issue 12): the hub's with the function's own credentials, a
 * member's through its `jit-broker` role (account-ports.ts). DescribeSessions lists the sessions of
 * the account and region the credentials and endpoint belong to
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeSessions.html), so an
 * adapter that knows its account marks every session it reports with it, and refuses a principal or a
 * session of another account before any call: asked there, SSM would answer "no sessions" for the
 * other account's principal, and a revoke would take that for "nothing left to end".
 */
import {
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  type Session,
  SSMClient,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import { NotAuthorizedError } from "../../core/errors.ts";
import type { SessionControl, SessionInfo } from "../../core/ports.ts";
import { type Principal, parsePrincipalArn, sessionOwnedBy } from "../../core/principal.ts";
import { call } from "./errors.ts";

const toInfo =
  (region: string, accountId: string | undefined) =>
  (s: Session): SessionInfo => ({
    sessionId: s.SessionId ?? "",
    region,
    ...(accountId !== undefined ? { accountId } : {}),
    target: s.Target ?? "",
    owner: s.Owner ?? "",
    document: s.DocumentName,
    startDate: s.StartDate?.toISOString(),
    endDate: s.EndDate?.toISOString(),
    status: s.Status,
  });

/** One SSM client per region per container, shared by every SsmSessions a function builds. */
const shared = new Map<string, SSMClient>();
const sharedClient = (region: string): SSMClient => {
  let client = shared.get(region);
  if (!client) {
    client = new SSMClient({ region });
    shared.set(region, client);
  }
  return client;
};

export class SsmSessions implements SessionControl {
  private readonly clients = new Map<string, SSMClient>();
  private readonly homeRegion: string;
  private readonly regions: string[];
  private readonly reachable: ReadonlySet<string>;
  private readonly clientFor: (region: string) => SSMClient;
  private readonly accountId: string | undefined;

  /**
   * `regions`: every region a profile grants in (in this account); sessions are looked up in each.
   * `clientFor`: the client of a region, asked on that region's first call. `accountId`: the account
   * the clients' credentials act in; every session reported carries it.
   */
  constructor(
    regions: string[],
    homeRegion = process.env.AWS_REGION ?? regions[0] ?? "us-east-1",
    clientFor?: (region: string) => SSMClient,
    accountId?: string,
  ) {
    this.regions = [...new Set(regions)];
    this.homeRegion = homeRegion;
    this.reachable = new Set([...this.regions, homeRegion]);
    this.clientFor = clientFor ?? sharedClient;
    this.accountId = accountId;
  }

  private client(region: string): SSMClient {
    if (!this.reachable.has(region)) throw new Error(`no SSM client for ${region}`);
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    return client;
  }

  /** Refuses what belongs to another account than this adapter's (see the top of the file). */
  private assertHere(what: string, accountId: string | undefined): void {
    if (this.accountId !== undefined && accountId !== undefined && accountId !== this.accountId) {
      throw new NotAuthorizedError(
        `${what} is in account ${accountId}, not ${this.accountId} where these sessions are looked up; nothing was done`,
      );
    }
  }

  private async describe(region: string, state: "Active" | "History", since?: Date): Promise<Session[]> {
    const sessions: Session[] = [];
    let NextToken: string | undefined;
    const Filters = since ? [{ key: "InvokedAfter" as const, value: since.toISOString() }] : undefined;
    do {
      const page = await call("DescribeSessions", () =>
        this.client(region).send(
          new DescribeSessionsCommand({ State: state, Filters, NextToken, MaxResults: 200 }),
        ),
      );
      sessions.push(...(page.Sessions ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return sessions;
  }

  async liveSessions(principal: Principal): Promise<SessionInfo[]> {
    if (this.accountId !== undefined)
      this.assertHere(principal.arn, parsePrincipalArn(principal.arn).accountId);
    const all = await Promise.all(
      this.regions.map(async (r) => (await this.describe(r, "Active")).map(toInfo(r, this.accountId))),
    );
    return all.flat().filter((s) => sessionOwnedBy(s.owner, principal));
  }

  async endedSessions(since: Date): Promise<SessionInfo[]> {
    const all = await Promise.all(
      this.regions.map(async (r) =>
        (await this.describe(r, "History", since)).map(toInfo(r, this.accountId)),
      ),
    );
    return all.flat();
  }

  /** Ends a session; one recorded in another account is refused (its id means nothing here). */
  async terminateSession(session: SessionInfo): Promise<void> {
    this.assertHere(`session ${session.sessionId}`, session.accountId);
    const region = session.region ?? this.homeRegion;
    await call("TerminateSession", () =>
      this.client(region).send(new TerminateSessionCommand({ SessionId: session.sessionId })),
    );
  }

  async matchingNodes(tags: Record<string, string[]>, regions: string[]): Promise<string[]> {
    const Filters = Object.entries(tags).map(([key, values]) => ({ Key: `tag:${key}`, Values: values }));
    const ids: string[] = [];
    for (const region of regions) {
      let NextToken: string | undefined;
      do {
        const page = await call("DescribeInstanceInformation", () =>
          this.client(region).send(
            new DescribeInstanceInformationCommand({ Filters, NextToken, MaxResults: 50 }),
          ),
        );
        ids.push(...(page.InstanceInformationList ?? []).map((i) => i.InstanceId ?? "").filter(Boolean));
        NextToken = page.NextToken;
      } while (NextToken);
    }
    return ids;
  }
}
