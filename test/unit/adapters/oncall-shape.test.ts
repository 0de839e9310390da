/** The providers' answers are checked field by field: anything off names its path and is refused. */
import { describe, expect, it } from "vitest";
import {
  array,
  nullable,
  number,
  object,
  optional,
  refine,
  ShapeError,
  string,
} from "../../../adapters/oncall/shape.ts";

const oncall = object({
  user: object({ id: string }),
  escalation_level: refine(number, (n) => Number.isInteger(n) && n >= 1, "a level of 1 or more"),
  schedule: nullable(object({ id: string })),
  end: optional(string),
});
const body = object({ oncalls: array(oncall) });
const good = { user: { id: "P1" }, escalation_level: 1, schedule: null, extra: "ignored" };

describe("shape", () => {
  it("passes a documented body and drops fields it does not know", () => {
    expect(body({ oncalls: [good], more: false }, "")).toEqual({
      oncalls: [{ user: { id: "P1" }, escalation_level: 1, schedule: null, end: undefined }],
    });
  });

  it.each([
    [{ oncalls: "soon" }, "oncalls: expected a list"],
    [{ oncalls: [{ ...good, escalation_level: "1" }] }, "oncalls.0.escalation_level: expected a number"],
    [
      { oncalls: [{ ...good, escalation_level: 0 }] },
      "oncalls.0.escalation_level: expected a level of 1 or more",
    ],
    [{ oncalls: [{ ...good, escalation_level: 1.5 }] }, "expected a level of 1 or more"],
    [{ oncalls: [{ ...good, user: null }] }, "oncalls.0.user: expected an object"],
    [{ oncalls: [{ ...good, schedule: "P2" }] }, "oncalls.0.schedule: expected an object"],
    [{ oncalls: [{ ...good, end: 5 }] }, "oncalls.0.end: expected a string"],
    [[], "the body: expected an object"],
    [null, "the body: expected an object"],
  ])("refuses %j", (value, message) => {
    expect(() => body(value, "")).toThrow(ShapeError);
    expect(() => body(value, "")).toThrow(message);
  });
});
