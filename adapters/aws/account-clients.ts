/**
 * One SDK client per kind, account and region, created on first use and kept for the life of the
 * function instance (the house rule "one client per module, created once", with the account
 * dimension issue 12 adds). A client for a member account signs with the broker's credentials
 * (accounts.ts), which the SDK asks for again when they near their end; the hub's own signs as the
 * function.
 */
import type { AccountCredentials, AssumedCredentials } from "./accounts.ts";

/** An SDK client class, as far as this needs it (IAMClient, SSMClient, … all fit). */
export interface ClientKind<C> {
  new (config: { region: string; credentials?: () => Promise<AssumedCredentials> }): C;
}

/** Clients by kind, account and region. */
export class AccountClients {
  // By the class itself, not its name: bundlers may shorten class names until two look alike.
  private readonly clients = new Map<ClientKind<unknown>, Map<string, unknown>>();
  private readonly credentials: AccountCredentials;
  constructor(credentials: AccountCredentials) {
    this.credentials = credentials;
  }

  /** The one client of this kind for this account and region. */
  get<C>(kind: ClientKind<C>, accountId: string, region: string): C {
    const ofKind = this.clients.get(kind) ?? new Map<string, unknown>();
    this.clients.set(kind, ofKind);
    const key = `${accountId}\u0000${region}`;
    const kept = ofKind.get(key);
    if (kept) return kept as C;
    const credentials = this.credentials.provider(accountId);
    const client = new kind({ region, ...(credentials ? { credentials } : {}) });
    ofKind.set(key, client);
    return client;
  }
}
