/**
 * Local DynamoDB: dynalite on 127.0.0.1 (in memory, or on disk under `path`), with the product's
 * table created the way the stack declares it.
 */
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { TABLE_SCHEMA } from "../aws/table-schema.ts";

export interface LocalDynamo {
  client: DynamoDBClient;
  endpoint: string;
  stop: () => Promise<void>;
}

/** Starts dynalite on 127.0.0.1 (`port` 0: any free port). */
export async function startLocalDynamo(options: { path?: string; port?: number } = {}): Promise<LocalDynamo> {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  return {
    client,
    endpoint,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Creates the requests table (and its indexes) unless it exists. A table kept on disk from an older
 * sandbox that lacks an index is refused with what to do: dynalite cannot add an index to a table.
 */
export async function createRequestsTable(client: DynamoDBClient, table: string): Promise<void> {
  const s = TABLE_SCHEMA;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: s.attributes.map((name) => ({ AttributeName: name, AttributeType: "S" })),
        KeySchema: [
          { AttributeName: s.hashKey, KeyType: "HASH" },
          { AttributeName: s.rangeKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: s.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.hashKey, KeyType: "HASH" },
            { AttributeName: index.rangeKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    const missing = s.indexes.filter((i) => !have.has(i.name)).map((i) => i.name);
    if (missing.length > 0)
      throw new Error(
        `the sandbox's saved table ${table} predates the ${missing.join(", ")} index: start with a fresh data folder (move the old JIT_DATA folder away)`,
      );
  }
}
