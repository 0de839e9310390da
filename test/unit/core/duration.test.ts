import { describe, expect, it } from "vitest";
import { formatDuration, parseBoundedDuration, parseDuration } from "../../../core/duration.ts";
import { ValidationError } from "../../../core/errors.ts";

describe("parseDuration", () => {
  it.each([
    ["90m", 5400],
    ["1h30m", 5400],
    ["2h", 7200],
    ["45s", 45],
    ["1d", 86_400],
    ["1H", 3600],
    ["PT1H30M", 5400],
    ["pt15m", 900],
    ["P1DT2H", 93_600],
    [" 30m ", 1800],
  ])("reads %s as %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "abc", "1x", "h", "PT", "0m", "-5m", "1.5h", "1h 30m"])(
    "refuses %j with the field named",
    (text) => {
      // Act
      const act = () => parseDuration(text, "duration");
      // Assess
      expect(act).toThrow(ValidationError);
      try {
        act();
      } catch (error) {
        expect((error as ValidationError).field).toBe("duration");
      }
    },
  );
});

describe("formatDuration", () => {
  it.each([
    [5400, "1h30m"],
    [7200, "2h"],
    [86_460, "1d1m"],
    [0, "0s"],
    [59, "59s"],
  ])("formats %i as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("parseBoundedDuration", () => {
  it("accepts a value inside the bounds", () => {
    expect(parseBoundedDuration("2h", "duration", 4 * 3600)).toBe(7200);
  });
  it("refuses a value over the maximum with both numbers", () => {
    expect(() => parseBoundedDuration("5h", "duration", 4 * 3600)).toThrow("5h is over the maximum 4h");
  });
  it("refuses a value under the minimum", () => {
    expect(() => parseBoundedDuration("30s", "duration", 3600)).toThrow("30s is under the minimum 1m");
  });
});
