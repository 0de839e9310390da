/** `jit stage add|list`: the deployed stages `jit --stage <name>` can call. */
import type { Command } from "commander";
import type { Io } from "../io.ts";
import { addStage, readStages, stagesPath } from "../stages.ts";

/** Records a stage; the region is --region (a global option), else the URL's own. */
export function stageAddCommand(name: string, o: { url: string }, io: Io, command?: Command): number {
  const region = command?.optsWithGlobals<{ region?: string }>().region;
  addStage(name, { url: o.url, ...(region ? { region } : {}) });
  io.out(`Recorded stage ${name} (${o.url}) in ${stagesPath()}. Try: jit --stage ${name} whoami`);
  return 0;
}

/** The recorded stages, one a line. */
export function stageListCommand(o: { json?: boolean }, io: Io): number {
  const stages = readStages();
  if (o.json) io.out(JSON.stringify(stages, null, 2));
  else if (!Object.keys(stages).length)
    io.out(`No stage recorded yet (${stagesPath()}): jit stage add <name> --url <apiUrl>`);
  else
    for (const [name, s] of Object.entries(stages))
      io.out(`${name}\t${s.url}${s.region ? `\t${s.region}` : ""}`);
  return 0;
}
