/**
 * Where `jit` writes and what it knows of the terminal, injectable so tests run commands in-process
 * and capture exactly what a person would see.
 */

/** Output sinks and terminal facts; everything but `out` and `err` has a default. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stdout is a terminal: tables with headers, one live progress line, colour (unless NO_COLOR). */
  tty?: boolean;
  /** Rewrites the live progress line in place (terminals only). */
  live?: (text: string) => void;
  /** The time relative times are measured from. */
  now?: () => Date;
  /** Calls `handler` on Ctrl-C until the returned function is called. */
  onInterrupt?: (handler: () => void) => () => void;
}

// A reader that closes early (`jit --help | head -1`) is no error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

/** The real terminal. */
export const processIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  tty: process.stdout.isTTY === true,
  live: (t) => process.stdout.write(`\r\x1b[2K${t}`),
  onInterrupt: (handler) => {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
};

/** Colour is for people at a terminal, and never when NO_COLOR is set to anything. */
export const useColor = (io: Io): boolean =>
  io.tty === true && (process.env.NO_COLOR === undefined || process.env.NO_COLOR === "");
