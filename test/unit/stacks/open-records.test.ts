/**
 * At deploy, the open records are read from the table so the stack keeps revoke rights on dropped
 * principals. Written before stacks/open-records.ts existed: on main the deploy read nothing (the
 * import failed), so an offboarded principal's ACTIVE grant lost its Delete permission.
 */
import { describe, expect, it } from "vitest";
import type { AccessRequest, Status } from "../../../core/request.ts";
import { readOpenRecords } from "../../../stacks/open-records.ts";

const named = (name: string) => Object.assign(new Error(name), { name });

describe("readOpenRecords", () => {
  it("asks for each open status and returns their records together", async () => {
    const asked: Status[] = [];
    const records = await readOpenRecords(async (status) => {
      asked.push(status);
      return [{ id: status } as AccessRequest];
    });
    expect(asked).toEqual(["PENDING", "APPROVED", "ACTIVE"]);
    expect(records.map((r) => r.id)).toEqual(["PENDING", "APPROVED", "ACTIVE"]);
  });

  it("reads an absent table (first deploy) as no records", async () => {
    await expect(
      readOpenRecords(async () => {
        throw named("ResourceNotFoundException");
      }),
    ).resolves.toEqual([]);
  });

  it("stops the deploy on any other failure: a silent empty list would drop revoke rights", async () => {
    await expect(
      readOpenRecords(async () => {
        throw named("AccessDeniedException");
      }),
    ).rejects.toThrow(/cannot read the open requests.*AccessDeniedException/);
  });
});
