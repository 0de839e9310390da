/**
 * The requests table's keys and indexes: one definition for the DynamoDB adapter, the stack and the
 * local table. No SDK import, so the SST config can use it.
 */
export const STATUS_INDEX = "byStatus";
export const REQUESTER_INDEX = "byRequester";
/** Requests by the UTC day they were made, each followed by its audit events (`jit audit`, the weekly report). */
export const CREATED_INDEX = "byCreatedDay";

export const TABLE_SCHEMA = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"],
  indexes: [
    { name: STATUS_INDEX, hashKey: "gsi1pk", rangeKey: "gsi1sk" },
    { name: REQUESTER_INDEX, hashKey: "gsi2pk", rangeKey: "gsi2sk" },
    { name: CREATED_INDEX, hashKey: "gsi3pk", rangeKey: "gsi3sk" },
  ],
} as const;
