/**
 * The last lines of `npm start`'s banner: how to reach this sandbox from `jit`, and a first try
 * that works as written with the example config (its approver approves; nobody self-approves
 * unless they are an approver of the profile).
 */

/** The port `jit` calls unless JIT_URL or JIT_PORT says otherwise. */
export const DEFAULT_PORT = 7420;

/**
 * The banner's closing hints for a sandbox listening on `port`, its data in `dataDir` (where its
 * token is; `jit` reads `.jit` of the repo unless JIT_DATA names another folder).
 */
export function sandboxHints(port: number, dataDir?: string, defaultDataDir?: string): string {
  const lines: string[] = [];
  if (port !== DEFAULT_PORT) {
    lines.push(
      `  export JIT_URL=http://127.0.0.1:${port}   (jit looks at ${DEFAULT_PORT} unless told; run this in jit's terminal)`,
    );
  }
  if (dataDir !== undefined && dataDir !== defaultDataDir) {
    lines.push(
      `  export JIT_DATA=${dataDir}   (where this sandbox's token is; run this in jit's terminal too)`,
    );
  }
  lines.push(
    'Try: npx jit request --as U01ALICE --profile staging --for 2h --reason "look at logs"',
    "     npx jit approve <id> --as U03DAVE   (staging's approver; an approver may approve their own request, alice may not)",
    "     npx jit profiles --as U01ALICE   ·   npx jit whoami --as U01ALICE   ·   npx jit --help",
  );
  return lines.join("\n");
}
