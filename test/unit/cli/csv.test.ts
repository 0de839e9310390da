/** CSV cells: RFC 4180 quoting, and no cell a spreadsheet would run as a formula (OWASP ASVS 1.2.10). */
import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "../../../cli/csv.ts";

describe("csvCell", () => {
  it.each([
    ['=HYPERLINK("http://evil.example")', `"'=HYPERLINK(""http://evil.example"")"`],
    ["+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", `"'\r=1+1"`],
    ["\u0000=1", "'\u0000=1"],
  ])("neutralizes %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ["disk full, on web-3", `"disk full, on web-3"`],
    ['say "hi"', `"say ""hi"""`],
    ["two\nlines", `"two\nlines"`],
    ["plain", "plain"],
    ["a=b (not at the start)", "a=b (not at the start)"],
    [undefined, ""],
    [3, "3"],
  ])("quotes %j only when RFC 4180 needs it", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("ends every record with CRLF", () => {
    expect(toCsv(["a", "b"], [["1", "x,y"]])).toBe('a,b\r\n1,"x,y"\r\n');
  });
});
