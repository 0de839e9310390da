/**
 * A ticket that matches a profile's ticketPattern, to show next to the pattern when a ticket is
 * refused: people read "such as INC-1234" faster than "^(INC|CHG)-\d+$". Built from the pattern's
 * first way through (first alternative, digits for \d, a class's first character), then checked
 * against the pattern itself; a pattern too clever for this gets no example rather than a wrong one.
 */

const CLASS_SAMPLE: Record<string, string> = { d: "1", w: "a", s: " " };
/** How many times an open quantifier (+, *, {n,}) repeats: a ticket number reads as four digits. */
const OPEN_REPEAT = 4;

interface Piece {
  text: string;
  /** A run of digits can count up ("1234") instead of repeating one character. */
  digits: boolean;
}

/** Reads one atom at `i`; returns what it stands for and where the pattern continues. */
function atom(pattern: string, i: number): [Piece, number] | undefined {
  const c = pattern[i];
  if (c === "\\") {
    const next = pattern[i + 1];
    if (next === undefined) return undefined;
    if (next in CLASS_SAMPLE) return [{ text: CLASS_SAMPLE[next] ?? "", digits: next === "d" }, i + 2];
    if (/[A-Za-z0-9]/.test(next)) return undefined; // \b, \D, back-references: give up
    return [{ text: next, digits: false }, i + 2];
  }
  if (c === "[") {
    const end = pattern.indexOf("]", i + 2);
    const first = pattern[i + 1];
    if (end < 0 || first === "^") return undefined;
    const sample = first === "\\" ? atom(pattern, i + 1)?.[0] : { text: first ?? "", digits: false };
    return sample ? [{ ...sample, digits: /\d/.test(sample.text) }, end + 1] : undefined;
  }
  if (c === "(") {
    const close = matchingParen(pattern, i);
    if (close < 0) return undefined;
    const inner = pattern.slice(pattern.startsWith("(?:", i) ? i + 3 : i + 1, close);
    if (inner.startsWith("?")) return undefined; // look-arounds, named groups
    const text = build(firstAlternative(inner));
    return text === undefined ? undefined : [{ text, digits: false }, close + 1];
  }
  if (c === ".") return [{ text: "x", digits: false }, i + 1];
  if (c === undefined || "|)*+?{".includes(c)) return undefined;
  return [{ text: c, digits: /\d/.test(c) }, i + 1];
}

function matchingParen(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "(") depth++;
    else if (pattern[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

/** The text before the first top-level `|`. */
function firstAlternative(pattern: string): string {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "|" && depth === 0) return pattern.slice(0, i);
  }
  return pattern;
}

/** How many times to repeat the atom before `i`, and where the pattern continues. */
function repeat(pattern: string, i: number): [number, number] {
  const c = pattern[i];
  if (c === "+" || c === "*") return [OPEN_REPEAT, i + 1];
  if (c === "?") return [1, i + 1];
  const braces = c === "{" ? /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i)) : null;
  if (!braces) return [1, i];
  const min = Number(braces[1]);
  const max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Math.max(min, OPEN_REPEAT);
  return [Math.max(min, Math.min(max, OPEN_REPEAT)), i + braces[0].length];
}

function build(pattern: string): string | undefined {
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "^" || c === "$") {
      i++;
      continue;
    }
    const read = atom(pattern, i);
    if (!read) return undefined;
    const [piece, next] = read;
    const [times, after] = repeat(pattern, next);
    out +=
      piece.digits && piece.text.length === 1 && times > 1
        ? "1234567890".slice(0, times)
        : piece.text.repeat(times);
    i = after;
  }
  return out;
}

/** A ticket the pattern accepts, or undefined when none can be built simply. */
export function ticketExample(pattern: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return undefined;
  }
  const example = build(firstAlternative(pattern));
  return example && regex.test(example) ? example : undefined;
}
