/**
 * A small schema checker for the providers' answers: objects (extra keys allowed, as providers add
 * fields), arrays, strings, numbers, booleans, nullable and optional fields, and refinements, with
 * the path of the first problem. zod/mini would add about 16 KB to the Slack function's bundle,
 * which issue 14 holds under 300 KB; these few checks are all the on-call adapters need.
 */

/** A checker: returns the value typed, or throws ShapeError naming the path. */
export type Shape<T> = (value: unknown, path: string) => T;

/** The answer is not shaped as expected; `message` names the path. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

const fail = (path: string, what: string): never => {
  throw new ShapeError(`${path || "the body"}: expected ${what}`);
};

export const string: Shape<string> = (v, path) => (typeof v === "string" ? v : fail(path, "a string"));
export const number: Shape<number> = (v, path) =>
  typeof v === "number" && Number.isFinite(v) ? v : fail(path, "a number");
export const boolean: Shape<boolean> = (v, path) =>
  typeof v === "boolean" ? v : fail(path, "true or false");

/** `inner`, further checked by `test` (`what` says what was expected). */
export const refine =
  <T>(inner: Shape<T>, test: (value: T) => boolean, what: string): Shape<T> =>
  (v, path) => {
    const value = inner(v, path);
    return test(value) ? value : fail(path, what);
  };

export const nullable =
  <T>(inner: Shape<T>): Shape<T | null> =>
  (v, path) =>
    v === null ? null : inner(v, path);

export const optional =
  <T>(inner: Shape<T>): Shape<T | undefined> =>
  (v, path) =>
    v === undefined ? undefined : inner(v, path);

export const array =
  <T>(item: Shape<T>): Shape<T[]> =>
  (v, path) =>
    Array.isArray(v) ? v.map((x, i) => item(x, `${path}.${i}`)) : fail(path, "a list");

/** An object with at least these fields; other fields are ignored (and not returned). */
export const object =
  <T extends Record<string, unknown>>(fields: { [K in keyof T]: Shape<T[K]> }): Shape<T> =>
  (v, path) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(path, "an object");
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(fields) as [string, Shape<unknown>][]) {
      out[key] = check((v as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    }
    return out as T;
  };
