import { describe, expect, it } from "vitest";
import { IllegalTransitionError } from "../../../core/errors.ts";
import {
  assertTransition,
  isTerminal,
  newRequestId,
  REQUEST_ID,
  STATUSES,
  type Status,
} from "../../../core/request.ts";

const allowed: [Status, Status][] = [
  ["PENDING", "APPROVED"],
  ["PENDING", "DENIED"],
  ["PENDING", "EXPIRED"],
  ["PENDING", "CANCELLED"],
  ["PENDING", "FAILED"],
  ["APPROVED", "ACTIVE"],
  ["APPROVED", "FAILED"],
  ["APPROVED", "REVOKED"],
  ["ACTIVE", "REVOKED"],
  ["ACTIVE", "FAILED"],
];
const allowedKeys = new Set(allowed.map(([a, b]) => `${a}>${b}`));
const forbidden = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as [Status, Status])).filter(
  ([a, b]) => !allowedKeys.has(`${a}>${b}`),
);

describe("status transitions", () => {
  it.each(allowed)("allows %s → %s", (from, to) => {
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(forbidden)("refuses %s → %s with a typed error", (from, to) => {
    expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
    expect(() => assertTransition(from, to)).toThrow(`a request cannot go from ${from} to ${to}`);
  });

  it.each([
    ["PENDING", false],
    ["APPROVED", false],
    ["ACTIVE", false],
    ["REVOKED", true],
    ["DENIED", true],
    ["EXPIRED", true],
    ["CANCELLED", true],
    ["FAILED", true],
  ] as [Status, boolean][])("%s is terminal: %s", (status, terminal) => {
    expect(isTerminal(status)).toBe(terminal);
  });
});

describe("request ids", () => {
  it("start with the UTC day and match the accepted form", () => {
    // Prepare
    let n = 0;
    const random = () => (n++ % 32) / 32;
    // Act
    const id = newRequestId(new Date("2026-11-26T23:59:00Z"), random);
    // Assess
    expect(id).toBe("20261126-01234567");
    expect(REQUEST_ID.test(id)).toBe(true);
  });

  it("differ between calls with real randomness", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newRequestId(new Date())));
    expect(ids.size).toBe(1000);
  });
});
