/** Command-line mistakes found after parsing, reported like commander's own: exit 2, one line. */

/** The command line itself is wrong (a word or an option jit cannot take). */
export class UsageError extends Error {
  override name = "UsageError";
}
