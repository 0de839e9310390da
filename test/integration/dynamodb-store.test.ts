/** The DynamoDB adapter against dynalite: conditional writes, indexes and the append-only log. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoRequestStore } from "../../adapters/aws/dynamodb.ts";
import { createRequestsTable, type LocalDynamo, startLocalDynamo } from "../../adapters/local/dynamo.ts";
import { ConflictError } from "../../core/errors.ts";
import { aRequest } from "../helpers/requests.ts";

let dynamo: LocalDynamo;
let store: DynamoRequestStore;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createRequestsTable(dynamo.client, "store-test");
  store = new DynamoRequestStore("store-test", dynamo.client);
});
afterAll(async () => dynamo.stop());

describe("DynamoRequestStore", () => {
  it("creates once; a second create of the same id is a ConflictError", async () => {
    const request = aRequest({ id: "20261126-create01" });
    await store.create(request);
    await expect(store.create(request)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get(request.id)).toEqual(request);
  });

  it("updates only from the version it read, so a lost race changes nothing", async () => {
    const request = aRequest({ id: "20261126-update01" });
    await store.create(request);
    const first = await store.update(request, { approvals: [{ approver: "U03DAVE", at: "t1" }] });
    await expect(
      store.update(request, { approvals: [{ approver: "U04ERIN", at: "t2" }] }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(first.version).toBe(2);
    expect((await store.get(request.id))?.approvals).toEqual([{ approver: "U03DAVE", at: "t1" }]);
  });

  it("removes a field set to undefined", async () => {
    const request = aRequest({ id: "20261126-update02", taskToken: "tok" });
    await store.create(request);
    await store.update(request, { taskToken: undefined });
    expect((await store.get(request.id))?.taskToken).toBeUndefined();
  });

  it("lists by status, oldest expiry first, bounded by a time", async () => {
    const mk = (id: string, expiresAt: string) =>
      aRequest({ id, status: "ACTIVE", expiresAt, requester: { slackUserId: "U0LISTER" } });
    await store.create(mk("20261126-active03", "2026-11-26T12:00:00.000Z"));
    await store.create(mk("20261126-active01", "2026-11-26T10:00:00.000Z"));
    await store.create(mk("20261126-active02", "2026-11-26T11:00:00.000Z"));
    const due = await store.listByStatus("ACTIVE", "2026-11-26T11:00:00.000Z");
    expect(due.map((r) => r.id)).toEqual(["20261126-active01", "20261126-active02"]);
    const later = await store.listByStatus("ACTIVE", undefined, "2026-11-26T10:00:00.000Z");
    expect(later.map((r) => r.id)).toEqual(["20261126-active02", "20261126-active03"]);
    const between = await store.listByStatus(
      "ACTIVE",
      "2026-11-26T11:00:00.000Z",
      "2026-11-26T10:00:00.000Z",
    );
    expect(between.map((r) => r.id)).toEqual(["20261126-active02"]);
    const mine = await store.listByRequester("U0LISTER");
    expect(mine.map((r) => r.id).sort()).toEqual([
      "20261126-active01",
      "20261126-active02",
      "20261126-active03",
    ]);
  });

  it("keeps the audit log in order, including events of the same millisecond", async () => {
    const id = "20261126-audit001";
    const at = "2026-11-26T09:00:00.000Z";
    for (const action of ["requested", "approval", "approved", "active"]) {
      await store.appendAudit({ requestId: id, at, actor: "U1", action });
    }
    expect((await store.audit(id)).map((e) => e.action)).toEqual([
      "requested",
      "approval",
      "approved",
      "active",
    ]);
  });
});

describe("the session log's alerts", () => {
  it("reads a range by time: from its start, up to but not including its end", async () => {
    const alert = (eventId: string, at: string) => ({ eventId, kind: "no-grant" as const, at, actor: "x" });
    for (const a of [
      alert("before", "2026-11-15T23:59:59.999Z"),
      alert("first", "2026-11-16T00:00:00.000Z"),
      alert("inside", "2026-11-19T12:00:00.000Z"),
      alert("last", "2026-11-22T23:59:59.999Z"),
      alert("at-end", "2026-11-23T00:00:00.000Z"),
    ])
      await store.saveAlert(a);
    const week = await store.listAlerts({ from: "2026-11-16T00:00:00.000Z", to: "2026-11-23T00:00:00.000Z" });
    expect(week.map((a) => a.eventId)).toEqual(["first", "inside", "last"]);
    expect((await store.listAlerts()).map((a) => a.eventId)).toHaveLength(5);
  });
});
