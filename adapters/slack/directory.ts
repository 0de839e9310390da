/**
 * What Slack knows about people that the rules need: a person's email (to find their principal) and
 * which of a profile's user groups they belong to (to authorize approvers). Cached per container.
 */
import type { WebClient } from "@slack/web-api";

const TTL_MS = 60_000;

export class SlackDirectory {
  private readonly client: WebClient;
  private readonly emails = new Map<string, { value: string | undefined; at: number }>();
  private readonly ids = new Map<string, { value: string | undefined; at: number }>();
  private readonly groups = new Map<string, { members: Set<string>; at: number }>();
  private readonly now: () => number;

  constructor(client: WebClient, now: () => number = Date.now) {
    this.client = client;
    this.now = now;
  }

  /** The person's email, or undefined when Slack does not share it. */
  async email(userId: string): Promise<string | undefined> {
    const cached = this.emails.get(userId);
    if (cached && this.now() - cached.at < TTL_MS) return cached.value;
    const info = await this.client.users.info({ user: userId });
    const value = info.user?.profile?.email;
    this.emails.set(userId, { value, at: this.now() });
    return value;
  }

  /**
   * The Slack user ID of the person with this email (users.lookupByEmail), or undefined when Slack
   * has nobody with it. Slack's reference names the error `users_not_found`; older copies of it say
   * `user_not_found` (https://docs.slack.dev/reference/methods/users.lookupByEmail): both mean nobody.
   */
  async idByEmail(email: string): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.ids.get(key);
    if (cached && this.now() - cached.at < TTL_MS) return cached.value;
    let value: string | undefined;
    try {
      value = (await this.client.users.lookupByEmail({ email: key })).user?.id;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code !== "users_not_found" && code !== "user_not_found") throw error;
    }
    this.ids.set(key, { value, at: this.now() });
    return value;
  }

  /** The user groups among `candidates` (IDs starting with S) that the person belongs to. */
  async groupsOf(userId: string, candidates: readonly string[]): Promise<string[]> {
    const groupIds = [...new Set(candidates.filter((c) => c.startsWith("S")))];
    const member = await Promise.all(
      groupIds.map(async (group) => {
        let entry = this.groups.get(group);
        if (!entry || this.now() - entry.at >= TTL_MS) {
          const result = await this.client.usergroups.users.list({ usergroup: group });
          entry = { members: new Set(result.users ?? []), at: this.now() };
          this.groups.set(group, entry);
        }
        return entry.members.has(userId) ? group : undefined;
      }),
    );
    return member.filter((g): g is string => g !== undefined);
  }
}
