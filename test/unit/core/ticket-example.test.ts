import { describe, expect, it } from "vitest";
import { ticketExample } from "../../../core/ticket-example.ts";

describe("a ticket that matches the pattern", () => {
  it.each([
    ["^(INC|CHG)-\\d+$", "INC-1234"],
    ["^(?:INC|CHG)-[0-9]+$", "INC-1234"],
    ["INC\\d{6}", "INC123456"],
    ["^[A-Z]{2,5}-\\d+$", "AAAA-1234"],
    ["^https://jira\\.example\\.com/browse/OPS-\\d+$", "https://jira.example.com/browse/OPS-1234"],
  ])("%s: %s", (pattern, example) => {
    // Act
    const built = ticketExample(pattern);
    // Assess
    expect(built).toBe(example);
    expect(new RegExp(pattern).test(built ?? "")).toBe(true);
  });

  it.each(["^\\D+$", "(?=INC)", "INC-("])("gives none rather than a wrong one for %s", (pattern) => {
    expect(ticketExample(pattern)).toBeUndefined();
  });
});
