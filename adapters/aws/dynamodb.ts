/**
 * DynamoDB adapter: request records and their append-only audit trail in one table.
 *
 *   pk = REQ#<id>, sk = REQUEST           the record (version-checked on every write)
 *   pk = REQ#<id>, sk = AUDIT#<time>#<n>  one audit event each, never updated
 *   index byStatus:    gsi1pk = status,          gsi1sk = expiresAt or createdAt  (the sweeper)
 *   index byRequester: gsi2pk = Slack user id,   gsi2sk = createdAt               (`/access list`)
 *   index byCreatedDay: gsi3pk = DAY#<yyyymmdd>, gsi3sk = <id> on the record and <id>#<sk> on each
 *                       session-* audit event: one query per day reads a window's requests and
 *                       their sessions (status changes are in the record; other events stay out,
 *                       so the read carries only what it needs)
 *
 *   pk = EVENT#<CloudTrail eventID>       a session event already handled (deduplication)
 *   pk = SESSION#<session id>             a session and what was announced of it (version-checked)
 *   pk = ALERTS, sk = <time>#<eventID>    sessions no grant explains, refused attempts
 *
 * Conditional writes only (no transactions): dynalite, the local stand-in, has none.
 */
import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../../core/errors.ts";
import type {
  AlertRecord,
  AuditEvent,
  RequestHistory,
  RequestStore,
  SessionLog,
  SessionRecord,
} from "../../core/ports.ts";
import { type AccessRequest, REQUEST_ID, type Status } from "../../core/request.ts";
import { call } from "./errors.ts";
import { CREATED_INDEX, REQUESTER_INDEX, STATUS_INDEX } from "./table-schema.ts";

let auditCounter = 0;

/** One DynamoDB client per container, however many stores a function builds (store, session log, notifier). */
let shared: DynamoDBClient | undefined;
const sharedClient = (): DynamoDBClient => {
  shared ??= new DynamoDBClient({});
  return shared;
};

const key = (id: string) => ({ pk: `REQ#${id}`, sk: "REQUEST" });

/**
 * The creation-day partition of a request and its events. Ids begin with the UTC day they were made
 * (core/request.ts), which an audit event knows without reading the record; another id (never made
 * by the product) falls back to the record's own day and leaves its events out of the index.
 */
const dayOf = (id: string, createdAt?: string): string | undefined =>
  REQUEST_ID.test(id) ? id.slice(0, 8) : createdAt?.slice(0, 10).replaceAll("-", "");

/** The index's attributes, so the audit trail's reads strip them like the table's own keys. */
const bare = (item: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, gsi3pk: _g, gsi3sk: _h, ...rest } = item;
  return rest;
};

/** The item a request record is stored as (exported for bulk loads: the audit benchmark). */
export function toItem(request: AccessRequest) {
  return {
    ...key(request.id),
    ...request,
    gsi1pk: request.status,
    gsi1sk: request.expiresAt ?? request.createdAt,
    gsi2pk: request.requester.slackUserId,
    gsi2sk: request.createdAt,
    gsi3pk: `DAY#${dayOf(request.id, request.createdAt)}`,
    gsi3sk: request.id,
  };
}

function fromItem(item: Record<string, unknown>): AccessRequest {
  const { gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...request } = bare(item);
  return request as unknown as AccessRequest;
}

export class DynamoRequestStore implements RequestStore, SessionLog {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(table: string, client = sharedClient()) {
    this.table = table;
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async create(request: AccessRequest): Promise<void> {
    try {
      await call("PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: toItem(request),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConflictError(`request ${request.id} already exists`);
      throw error;
    }
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const result = await call("GetItem", () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: key(id), ConsistentRead: true })),
    );
    return result.Item ? fromItem(result.Item) : undefined;
  }

  async update(request: AccessRequest, changes: Partial<AccessRequest>): Promise<AccessRequest> {
    const next: AccessRequest = { ...request, ...changes, version: request.version + 1 };
    try {
      await call("PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: toItem(next),
            ConditionExpression: "attribute_exists(pk) AND version = :v",
            ExpressionAttributeValues: { ":v": request.version },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`request ${request.id} changed since version ${request.version}`);
      }
      throw error;
    }
    return next;
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    await call("PutItem", () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: auditItem(event),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  private async query(
    input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await call("Query", () =>
        this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey })),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async audit(id: string): Promise<AuditEvent[]> {
    const items = await this.query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :audit)",
      ExpressionAttributeValues: { ":pk": `REQ#${id}`, ":audit": "AUDIT#" },
      ConsistentRead: true,
    });
    return items.map((item) => bare(item) as unknown as AuditEvent);
  }

  async listByStatus(status: Status, until?: string, after?: string): Promise<AccessRequest[]> {
    const values: Record<string, string> = { ":s": status };
    let range = "";
    if (until && after) {
      range = " AND gsi1sk BETWEEN :after AND :until";
      Object.assign(values, { ":after": after, ":until": until });
    } else if (until) {
      range = " AND gsi1sk <= :until";
      values[":until"] = until;
    } else if (after) {
      range = " AND gsi1sk > :after";
      values[":after"] = after;
    }
    const items = await this.query({
      IndexName: STATUS_INDEX,
      KeyConditionExpression: `gsi1pk = :s${range}`,
      ExpressionAttributeValues: values,
    });
    // BETWEEN includes its lower end; `after` is exclusive.
    return items.map(fromItem).filter((r) => !after || (r.expiresAt ?? r.createdAt) > after);
  }

  async listByRequester(slackUserId: string): Promise<AccessRequest[]> {
    const items = await this.query({
      IndexName: REQUESTER_INDEX,
      KeyConditionExpression: "gsi2pk = :u",
      ExpressionAttributeValues: { ":u": slackUserId },
      ScanIndexForward: false,
    });
    return items.map(fromItem);
  }

  async listCreated(from: string, to: string): Promise<RequestHistory[]> {
    const byId = new Map<string, RequestHistory>();
    const sessionEvents: AuditEvent[] = [];
    // Days run in a few parallel lanes: a year's window is 366 small queries, not one long chain.
    const days = creationDays(from, to);
    const lanes = Array.from({ length: Math.min(8, days.length) }, async () => {
      for (let day = days.shift(); day; day = days.shift()) {
        const items = await this.query({
          IndexName: CREATED_INDEX,
          KeyConditionExpression: "gsi3pk = :d",
          ExpressionAttributeValues: { ":d": `DAY#${day}` },
        });
        for (const item of items) {
          if (item.sk === "REQUEST") {
            const request = fromItem(item);
            if (request.createdAt >= from && request.createdAt < to)
              byId.set(request.id, { request, sessionEvents: [] });
          } else sessionEvents.push(bare(item) as unknown as AuditEvent);
        }
      }
    });
    await Promise.all(lanes);
    for (const event of sessionEvents) byId.get(event.requestId)?.sessionEvents.push(event);
    const out = [...byId.values()];
    for (const h of out) h.sessionEvents.sort((a, b) => a.at.localeCompare(b.at));
    return out.sort(
      (a, b) =>
        a.request.createdAt.localeCompare(b.request.createdAt) || a.request.id.localeCompare(b.request.id),
    );
  }

  async claimEvent(eventId: string): Promise<boolean> {
    try {
      await call("PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `EVENT#${eventId}`, sk: "EVENT" },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseEvent(eventId: string): Promise<void> {
    await call("DeleteItem", () =>
      this.doc.send(
        new DeleteCommand({ TableName: this.table, Key: { pk: `EVENT#${eventId}`, sk: "EVENT" } }),
      ),
    );
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const result = await call("GetItem", () =>
      this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: `SESSION#${sessionId}`, sk: "SESSION" },
          ConsistentRead: true,
        }),
      ),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, ...record } = result.Item;
    return record as SessionRecord;
  }

  async saveSession(record: SessionRecord): Promise<void> {
    const first = record.version === 1;
    try {
      await call("PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `SESSION#${record.sessionId}`, sk: "SESSION", ...record },
            ConditionExpression: first ? "attribute_not_exists(pk)" : "version = :v",
            ExpressionAttributeValues: first ? undefined : { ":v": record.version - 1 },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConflictError(`session ${record.sessionId} changed meanwhile`);
      throw error;
    }
  }

  async saveAlert(alert: AlertRecord): Promise<void> {
    await call("PutItem", () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: "ALERTS", sk: `${alert.at}#${alert.eventId}`, ...alert },
        }),
      ),
    );
  }

  async acquireLease(key: string, owner: string, until: string, now: string): Promise<boolean> {
    try {
      await call("PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `LEASE#${key}`, sk: "LEASE", owner, until },
            // Free, expired, or already ours (a retry after a lost response).
            ConditionExpression: "attribute_not_exists(pk) OR #until < :now OR #owner = :owner",
            ExpressionAttributeNames: { "#until": "until", "#owner": "owner" },
            ExpressionAttributeValues: { ":now": now, ":owner": owner },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    try {
      // An expired lease, not a deleted item: the functions need no DeleteItem permission for it.
      await call("PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `LEASE#${key}`, sk: "LEASE", owner: "", until: "" },
            ConditionExpression: "#owner = :owner",
            ExpressionAttributeNames: { "#owner": "owner" },
            ExpressionAttributeValues: { ":owner": owner },
          }),
        ),
      );
    } catch (error) {
      // Someone took it after ours ran out: nothing of ours to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * A counter kept as one item, moved by a read and a write conditional on the value read (GetItem
   * and PutItem only: the functions need no UpdateItem permission). Retries a lost race.
   */
  async countEvent(key: string): Promise<number> {
    const Key = { pk: `COUNT#${key}`, sk: "COUNT" };
    for (let tries = 1; ; tries++) {
      const read = await call("GetItem", () =>
        this.doc.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true })),
      );
      const current = typeof read.Item?.n === "number" ? read.Item.n : 0;
      try {
        await call("PutItem", () =>
          this.doc.send(
            new PutCommand({
              TableName: this.table,
              Item: { ...Key, n: current + 1 },
              ConditionExpression: current === 0 ? "attribute_not_exists(pk)" : "n = :n",
              ExpressionAttributeValues: current === 0 ? undefined : { ":n": current },
            }),
          ),
        );
        return current + 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || tries >= 10) throw error;
      }
    }
  }

  async listAlerts(range?: { from: string; to: string }): Promise<AlertRecord[]> {
    // Sort keys are `<at>#<eventId>`: `at` from `from` on, and before `to` (`<to>#…` sorts after `<to>`).
    const items = await this.query(
      range
        ? {
            KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues: { ":pk": "ALERTS", ":from": range.from, ":to": range.to },
          }
        : { KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "ALERTS" } },
    );
    return items.map(({ pk: _pk, sk: _sk, ...alert }) => alert as unknown as AlertRecord);
  }
}

/** The item an audit event is stored as (exported for bulk loads: the audit benchmark). */
export function auditItem(event: AuditEvent) {
  // Within a millisecond, the counter keeps this process's events in order and the random part
  // keeps other processes' apart; appendAudit's condition makes the log append-only.
  const suffix = `${String(++auditCounter % 1e6).padStart(6, "0")}${randomUUID().slice(0, 4)}`;
  const sk = `AUDIT#${event.at}#${suffix}`;
  const indexed = event.action.startsWith("session-") && REQUEST_ID.test(event.requestId);
  const day = indexed ? dayOf(event.requestId) : undefined;
  return {
    pk: `REQ#${event.requestId}`,
    sk,
    ...event,
    ...(day ? { gsi3pk: `DAY#${day}`, gsi3sk: `${event.requestId}#${sk}` } : {}),
  };
}

/**
 * The UTC days (yyyymmdd) whose partitions may hold requests created in [from, to): from the day
 * before `from` (Slack makes the id a moment before the record, so a request made at midnight may
 * carry the previous day) to the day of `to`.
 */
export function creationDays(from: string, to: string): string[] {
  const days: string[] = [];
  const start = new Date(from);
  start.setUTCHours(0, 0, 0, 0);
  start.setUTCDate(start.getUTCDate() - 1);
  for (const d = start; d.toISOString() < to; d.setUTCDate(d.getUTCDate() + 1))
    days.push(d.toISOString().slice(0, 10).replaceAll("-", ""));
  return days;
}
