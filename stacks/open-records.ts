/**
 * The open requests (PENDING, APPROVED, ACTIVE) as the deploy sees them, read from the requests table
 * with the product's own store. No SST globals here, so the reading rules are unit-tested.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { OPEN_STATUSES } from "../core/offboarding.ts";
import type { AccessRequest, Status } from "../core/request.ts";

type ListByStatus = (status: Status) => Promise<AccessRequest[]>;

/**
 * Every open record. A table that does not exist yet (the first deploy) holds none; any other
 * failure stops the deploy, because an empty answer would silently drop revoke rights.
 */
export async function readOpenRecords(list: ListByStatus): Promise<AccessRequest[]> {
  try {
    const lists = await Promise.all(OPEN_STATUSES.map((s) => list(s)));
    return lists.flat();
  } catch (error) {
    const name = error instanceof Error ? error.name : String(error);
    if (name === "ResourceNotFoundException") return [];
    throw new Error(
      `cannot read the open requests from the table (${name}); the deploy needs dynamodb:Query on its byStatus index`,
      { cause: error },
    );
  }
}

/** The store's own listing, for the table `tableName` in `region`. */
export function tableLister(tableName: string, region: string): ListByStatus {
  const store = new DynamoRequestStore(tableName, new DynamoDBClient({ region }));
  return (status) => store.listByStatus(status);
}
