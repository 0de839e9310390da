/**
 * `jit connect <id> --target <node>`: a session under an active grant. The API works out the node's
 * region and the document the grant allows; against a stage this runs `aws ssm start-session` with
 * them (and the same AWS profile that signed), or prints the exact command and what to install.
 * Against the sandbox it starts the sandbox's own session.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { ConnectionView } from "../../adapters/api/views.ts";
import { accountText } from "../format.ts";
import type { Io } from "../io.ts";
import { callSandbox } from "../sandbox-client.ts";
import { currentTarget } from "../stages.ts";
import { startSessionCommand } from "./sessions.ts";

const INSTALL = {
  aws: "the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
  "session-manager-plugin":
    "the Session Manager plugin: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
} as const;

/** Whether `name` is an executable on PATH. */
function onPath(name: string): boolean {
  const exts = process.platform === "win32" ? [".exe", ".cmd", ""] : [""];
  return (process.env.PATH ?? "").split(delimiter).some((dir) =>
    exts.some((ext) => {
      try {
        accessSync(join(dir, name + ext), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/** One argument as a POSIX shell reads it back unchanged. */
const quote = (arg: string): string =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;

/** The aws CLI arguments for a connection. */
export function startSessionArgs(
  c: Pick<ConnectionView, "target" | "document" | "region">,
  awsProfile?: string,
): string[] {
  return [
    "ssm",
    "start-session",
    "--target",
    c.target,
    "--document-name",
    c.document,
    "--region",
    c.region,
    ...(awsProfile ? ["--profile", awsProfile] : []),
  ];
}

export interface ConnectOptions {
  target: string;
  document?: string;
  account?: string;
  as?: string;
  print?: boolean;
}

export async function connectCommand(id: string, o: ConnectOptions, io: Io): Promise<number> {
  const query = new URLSearchParams({
    target: o.target,
    ...(o.document ? { document: o.document } : {}),
    ...(o.account ? { account: o.account } : {}),
    ...(o.as ? { as: o.as } : {}),
  });
  const c = await callSandbox<ConnectionView>("GET", `/requests/${encodeURIComponent(id)}/connect?${query}`);
  const target = currentTarget();
  // The sandbox starts its own session in the node's account; that account checks the grant again,
  // as Session Manager would.
  if (!target)
    return startSessionCommand(
      { as: o.as ?? "", target: c.target, document: c.document, account: c.accountId },
      io,
    );
  const args = startSessionArgs(c, target.awsProfile);
  const line = ["aws", ...args].map(quote).join(" ");
  if (o.print) {
    io.out(line);
    return 0;
  }
  // A node in a member account takes credentials there: the ones that signed are the hub's.
  if (c.hubAccount === false)
    io.err(
      `jit: ${c.target} is in account ${accountText({ accountId: c.accountId, name: c.accountName })}: run aws with credentials of that account (its --profile)`,
    );
  const missing = (Object.keys(INSTALL) as (keyof typeof INSTALL)[]).filter((tool) => !onPath(tool));
  if (missing.length) {
    io.out(line);
    io.err(
      `jit: run the command above once you have installed ${missing.map((m) => INSTALL[m]).join(", and ")}`,
    );
    return 1;
  }
  const child = spawn("aws", args, { stdio: "inherit" });
  return new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}
