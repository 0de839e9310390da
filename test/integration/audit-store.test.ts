/**
 * The store's window read against dynalite: requests by creation time with their session events, from
 * the creation-day index, counted in DynamoDB calls (never one per request).
 */
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creationDays, DynamoRequestStore } from "../../adapters/aws/dynamodb.ts";
import { createRequestsTable, type LocalDynamo, startLocalDynamo } from "../../adapters/local/dynamo.ts";
import { aRequest } from "../helpers/requests.ts";

let dynamo: LocalDynamo;
let store: DynamoRequestStore;
let calls: string[] = [];

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createRequestsTable(dynamo.client, "audit-store");
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "countCalls" },
  );
  store = new DynamoRequestStore("audit-store", dynamo.client);
  // Two days of requests, one made at midnight with the previous day's id (Slack names it first).
  const made = [
    ["20261110-aaaaaaa1", "2026-11-10T08:00:00.000Z"],
    ["20261110-aaaaaaa2", "2026-11-10T23:59:59.999Z"],
    ["20261110-aaaaaaa3", "2026-11-11T00:00:00.010Z"],
    ["20261111-aaaaaaa4", "2026-11-11T12:00:00.000Z"],
    ["20261112-aaaaaaa5", "2026-11-12T00:00:00.000Z"],
  ] as const;
  for (const [id, createdAt] of made) {
    await store.create(aRequest({ id, createdAt }));
    await store.appendAudit({ requestId: id, at: createdAt, actor: "U01ALICE", action: "requested" });
    await store.appendAudit({
      requestId: id,
      at: createdAt.replace(/T\d\d/, "T23"),
      actor: "arn:aws:sts::123456789012:assumed-role/jit-alice/alice",
      action: "session-started",
      detail: { sessionId: `alice-${id.slice(-1)}`, target: "i-0web1000000000001" },
    });
  }
  // Another request's events never attach to these, whatever their time.
  await store.appendAudit({
    requestId: "20261109-zzzzzzzz",
    at: "2026-11-10T09:00:00.000Z",
    actor: "x",
    action: "y",
  });
});
afterAll(async () => dynamo.stop());

describe("RequestStore.listCreated on DynamoDB", () => {
  it("returns the requests created in [from, to), oldest first, each with its own session events", async () => {
    calls = [];
    const got = await store.listCreated("2026-11-10T23:59:59.999Z", "2026-11-12T00:00:00.000Z");
    expect(got.map((h) => h.request.id)).toEqual([
      "20261110-aaaaaaa2",
      "20261110-aaaaaaa3",
      "20261111-aaaaaaa4",
    ]);
    for (const h of got) {
      // Status changes are in the record; only session events come with it.
      expect(h.sessionEvents.map((e) => e.action)).toEqual(["session-started"]);
      expect(h.sessionEvents.every((e) => e.requestId === h.request.id)).toBe(true);
      // The index's attributes stay inside the adapter.
      expect(Object.keys(h.sessionEvents[0] ?? {})).not.toContain("gsi3pk");
      expect(Object.keys(h.request)).not.toContain("gsi3sk");
    }
    // One Query per day partition (the 9th, 10th, 11th; the 12th starts at `to`), none per request.
    expect(calls).toEqual(["QueryCommand", "QueryCommand", "QueryCommand"]);
  });

  it("finds a request made at midnight under the previous day's id", async () => {
    const got = await store.listCreated("2026-11-11T00:00:00.000Z", "2026-11-11T01:00:00.000Z");
    expect(got.map((h) => h.request.id)).toEqual(["20261110-aaaaaaa3"]);
  });

  it("returns nothing for a window with no requests", async () => {
    expect(await store.listCreated("2026-10-01T00:00:00.000Z", "2026-10-02T00:00:00.000Z")).toEqual([]);
  });

  it("keeps the per-request audit read unchanged", async () => {
    const events = await store.audit("20261111-aaaaaaa4");
    expect(events.map((e) => e.action)).toEqual(["requested", "session-started"]);
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(["action", "actor", "at", "requestId"]);
  });

  it("reads one partition per UTC day, from the day before `from` to the day of `to`", () => {
    expect(creationDays("2026-11-10T05:00:00.000Z", "2026-11-11T00:00:00.001Z")).toEqual([
      "20261109",
      "20261110",
      "20261111",
    ]);
    expect(creationDays("2026-12-31T22:00:00.000Z", "2027-01-01T00:00:00.000Z")).toEqual([
      "20261230",
      "20261231",
    ]);
  });

  it("refuses to start a sandbox on a saved table that predates the index, saying what to do", async () => {
    // A table as an older sandbox created it: the two first indexes only.
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: "old-sandbox",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: ["pk", "sk", "gsi1pk", "gsi1sk"].map((n) => ({
          AttributeName: n,
          AttributeType: "S",
        })),
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "byStatus",
            KeySchema: [
              { AttributeName: "gsi1pk", KeyType: "HASH" },
              { AttributeName: "gsi1sk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );
    await expect(createRequestsTable(dynamo.client, "old-sandbox")).rejects.toThrow(
      "the sandbox's saved table old-sandbox predates the byRequester, byCreatedDay index: start with a fresh data folder",
    );
    // A table that has them all is simply reused.
    await expect(createRequestsTable(dynamo.client, "audit-store")).resolves.toBeUndefined();
  });
});
