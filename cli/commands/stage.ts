/** `jit stage add|list`: the deployed stages `jit --stage <name>` can call. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { ValidationError } from "../../core/errors.ts";
import { configPath } from "../config-path.ts";
import type { Io } from "../io.ts";
import { addStage, readStages, stagesPath } from "../stages.ts";

/**
 * The `apiUrl` output of the last `sst deploy` run in this repo: SST writes the run's outputs to
 * `.sst/outputs.json` beside sst.config.ts. Which stage that run deployed is the caller's to know.
 */
function deployedApiUrl(): string {
  const file = join(dirname(configPath()), ".sst", "outputs.json");
  let outputs: { apiUrl?: unknown };
  try {
    outputs = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new ValidationError("url", `no --url, and no ${file} from a deploy here to read apiUrl from`);
  }
  if (typeof outputs.apiUrl !== "string")
    throw new ValidationError("url", `${file} has no apiUrl: deploy this version of the stack first`);
  return outputs.apiUrl;
}

/** Records a stage: --url, else the last deploy's apiUrl; the region is --region, else the URL's own. */
export function stageAddCommand(name: string, o: { url?: string }, io: Io, command?: Command): number {
  const region = command?.optsWithGlobals<{ region?: string }>().region;
  const url = o.url ?? deployedApiUrl();
  addStage(name, { url, ...(region ? { region } : {}) });
  io.out(`Recorded stage ${name} (${url}) in ${stagesPath()}. Try: jit --stage ${name} whoami`);
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
