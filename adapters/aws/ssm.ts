/** SSM adapter: sessions (live and ended), terminating them, and finding nodes by tag. */
import {
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  type Session,
  SSMClient,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import type { SessionControl, SessionInfo } from "../../core/ports.ts";
import { type Principal, sessionOwnedBy } from "../../core/principal.ts";
import { call } from "./errors.ts";

const toInfo =
  (region: string) =>
  (s: Session): SessionInfo => ({
    sessionId: s.SessionId ?? "",
    region,
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

  /** `regions`: every region a profile grants in; sessions are looked up in each. */
  constructor(
    regions: string[],
    homeRegion = process.env.AWS_REGION ?? regions[0] ?? "us-east-1",
    clientFor?: (region: string) => SSMClient,
  ) {
    this.regions = [...new Set(regions)];
    this.homeRegion = homeRegion;
    for (const region of new Set([...this.regions, homeRegion])) {
      this.clients.set(region, (clientFor ?? sharedClient)(region));
    }
  }

  private client(region: string): SSMClient {
    const client = this.clients.get(region);
    if (!client) throw new Error(`no SSM client for ${region}`);
    return client;
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
    const all = await Promise.all(
      this.regions.map(async (r) => (await this.describe(r, "Active")).map(toInfo(r))),
    );
    return all.flat().filter((s) => sessionOwnedBy(s.owner, principal));
  }

  async endedSessions(since: Date): Promise<SessionInfo[]> {
    const all = await Promise.all(
      this.regions.map(async (r) => (await this.describe(r, "History", since)).map(toInfo(r))),
    );
    return all.flat();
  }

  async terminateSession(session: SessionInfo): Promise<void> {
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
