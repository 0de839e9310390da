/** The audit window: what --since, --from and --to mean, and what is refused. */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../core/errors.ts";
import { auditWindow } from "../../../core/usecases/audit-window.ts";

const NOW = new Date("2026-11-29T12:00:00.000Z");

describe("auditWindow", () => {
  it.each([
    [{}, "2026-10-30T12:00:00.000Z", "2026-11-29T12:00:00.000Z"],
    [{ since: "12h" }, "2026-11-29T00:00:00.000Z", "2026-11-29T12:00:00.000Z"],
    [{ from: "2026-11-01" }, "2026-11-01T00:00:00.000Z", "2026-11-29T12:00:00.000Z"],
    [{ from: "2026-11-01", to: "2026-11-01" }, "2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z"],
    [
      { from: "2026-11-01T09:00:00+02:00", to: "2026-11-01T10:00:00Z" },
      "2026-11-01T07:00:00.000Z",
      "2026-11-01T10:00:00.000Z",
    ],
    [{ to: "2026-11-10" }, "2026-10-12T00:00:00.000Z", "2026-11-11T00:00:00.000Z"],
  ])("%j is [%s, %s)", (input, from, to) => {
    expect(auditWindow(input, NOW)).toEqual({ from, to });
  });

  it.each([
    [{ since: "abc" }, "since", "not a duration"],
    [{ since: "0s" }, "since", "longer than zero"],
    [{ since: "1d", to: "2026-11-01" }, "since", "not both"],
    [{ from: "2026-11-05", to: "2026-11-01" }, "from", "is not before"],
    [{ from: "2026-11-01T10:00:00Z", to: "2026-11-01T10:00:00Z" }, "from", "the window is empty"],
    [{ from: "2026-02-29" }, "from", "not a date or time"],
    [{ from: "2026-11-01T09:00" }, "from", "with a zone"],
    [{ from: "2026-11-01 09:00Z" }, "from", "not a date or time"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template, as someone might type it
    [{ to: "${now}" }, "to", "not a date or time"],
    [{ from: "2025-01-01", to: "2026-06-01" }, "from", "over 366 days"],
  ])("refuses %j (%s)", (input, field, message) => {
    const attempt = () => auditWindow(input, NOW);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});
