/**
 * CSV for spreadsheets, safe to open. Quoting follows RFC 4180 (a field holding a comma, a double
 * quote, CR or LF is enclosed in double quotes, and its double quotes are doubled; records end CRLF).
 * Quoting alone does not stop a spreadsheet from running a cell as a formula, and cells here carry
 * text people typed (a request's reason): OWASP ASVS 1.2.10 asks that a field starting with = + - @,
 * a tab or a NUL be prefixed with a single quote (https://asvs.emil.hemdal.se/1.2.10); a leading CR
 * is treated the same way, since some spreadsheets skip it and read what follows.
 */

/** First characters a spreadsheet may take as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r\0]/;

/** One cell: neutralized against formulas, then quoted when RFC 4180 says it must be. */
export function csvCell(value: string | number | boolean | undefined): string {
  let text = value === undefined ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header and rows as one CSV document (CRLF line ends, a final CRLF). */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | undefined)[])[],
) {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}
