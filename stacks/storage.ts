/// <reference path="../.sst/platform/config.d.ts" />
/** Requests and their audit log: one DynamoDB table, point-in-time recovery on, protected in production. */
import { TABLE_SCHEMA } from "../adapters/aws/table-schema.ts";

export function createStorage(production: boolean) {
  const s = TABLE_SCHEMA;
  return new sst.aws.Dynamo("Requests", {
    fields: Object.fromEntries(s.attributes.map((name) => [name, "string" as const])),
    primaryIndex: { hashKey: s.hashKey, rangeKey: s.rangeKey },
    globalIndexes: Object.fromEntries(
      s.indexes.map((i) => [i.name, { hashKey: i.hashKey, rangeKey: i.rangeKey }]),
    ),
    // SST turns point-in-time recovery on for every table it creates.
    deletionProtection: production,
  });
}
