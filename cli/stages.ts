/**
 * Which deployment `jit` talks to. The sandbox by default; a deployed stage when `--stage` (or
 * JIT_STAGE) names one recorded with `jit stage add`, or when JIT_API_URL gives its URL directly.
 * Stages are kept in `$XDG_CONFIG_HOME/jit/stages.json` (`~/.config/jit/stages.json`), written
 * owner-only: it holds URLs, not secrets, but nobody else should redirect your `jit`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ValidationError } from "../core/errors.ts";
import { type ApiTarget, regionOfUrl } from "./signed-call.ts";

/** One recorded stage. */
export interface StageEntry {
  url: string;
  region?: string | undefined;
}

/** The stages file. */
export const stagesPath = (): string =>
  join(process.env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "jit", "stages.json");

/** The recorded stages; none when the file does not exist. */
export function readStages(): Record<string, StageEntry> {
  let text: string;
  try {
    text = readFileSync(stagesPath(), "utf8");
  } catch {
    return {};
  }
  const data: unknown = JSON.parse(text);
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new ValidationError("stages", `${stagesPath()} is not a JSON object of stages`);
  return data as Record<string, StageEntry>;
}

const STAGE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/i;

/** Checks a stage's URL: https (http only for 127.0.0.1, a local instance), no credentials in it. */
export function checkApiUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError("url", `"${url}" is not a URL`);
  }
  const local = parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost";
  if (parsed.protocol !== "https:" && !(local && parsed.protocol === "http:"))
    throw new ValidationError("url", `${url} must be https (signed calls are not sent in the clear)`);
  if (parsed.username || parsed.password)
    throw new ValidationError("url", "the URL must not carry a user name or password");
  return parsed;
}

/** Records (or replaces) a stage, atomically. */
export function addStage(name: string, entry: StageEntry): void {
  if (!STAGE_NAME.test(name))
    throw new ValidationError("stage", `"${name}" is not a stage name (letters, digits and -)`);
  checkApiUrl(entry.url);
  const stages = { ...readStages(), [name]: entry };
  const path = stagesPath();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(stages, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** What the global options say. */
export interface TargetOptions {
  stage?: string | undefined;
  awsProfile?: string | undefined;
  region?: string | undefined;
}

/**
 * The deployed stage these options select, or undefined for the sandbox. The region comes from
 * --region, else the stage's record, else the function URL's own name, else AWS_REGION.
 */
export function selectTarget(o: TargetOptions): ApiTarget | undefined {
  const stage = o.stage ?? process.env.JIT_STAGE;
  const direct = process.env.JIT_API_URL;
  if (!stage && !direct) return undefined;
  let entry: StageEntry | undefined;
  if (stage) {
    entry = readStages()[stage];
    if (!entry && !direct) {
      const known = Object.keys(readStages());
      throw new ValidationError(
        "stage",
        `no stage "${stage}" is recorded${known.length ? ` (known: ${known.join(", ")})` : ""}: add it with \`jit stage add ${stage} --url <apiUrl from npx sst deploy>\`, or set JIT_API_URL`,
      );
    }
  }
  const url = direct ?? entry?.url ?? "";
  checkApiUrl(url);
  const region =
    o.region ?? entry?.region ?? regionOfUrl(url) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region)
    throw new ValidationError(
      "region",
      `which region is ${url} in? Pass --region or record it with the stage`,
    );
  return { stage: stage ?? "JIT_API_URL", url, region, awsProfile: o.awsProfile ?? process.env.AWS_PROFILE };
}

let current: ApiTarget | undefined;

/** Sets where calls go for this run of `jit` (the program's pre-action hook). */
export const setTarget = (target: ApiTarget | undefined): void => {
  current = target;
};

/** Where calls go: a deployed stage, or undefined for the sandbox. */
export const currentTarget = (): ApiTarget | undefined => current;
