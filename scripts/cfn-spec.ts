/**
 * The CloudFormation resource specification, offline: AWS's machine-readable list of every resource
 * type, its properties with their types and which are required, and its attributes
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-resource-specification.html).
 * It comes from the npm registry as the data file of @aws-cdk/cfnspec, pinned, fetched once with
 * `npm pack` (no install, no dependency of the project, like check-infra.sh's Bun) and kept under
 * node_modules/.cache. Version 2.72.1 is the package's last (spec 117.0.0, 2023): every type and
 * property the spoke uses (IAM roles and managed policies, EventBridge rules) is older than that.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CFN_SPEC_PACKAGE = "@aws-cdk/cfnspec@2.72.1";
const CACHE = fileURLToPath(new URL("../node_modules/.cache/cfn-spec/", import.meta.url));
export const CFN_SPEC_PATH = join(CACHE, "specification.json");

/** One property of a resource or property type, as the specification describes it. */
export interface PropertySpec {
  PrimitiveType?: string;
  Type?: string;
  PrimitiveItemType?: string;
  ItemType?: string;
  Required?: boolean;
}

/** A resource type or property type: its properties, and (resources) its attributes. */
export interface TypeSpec {
  Properties?: Record<string, PropertySpec>;
  Attributes?: Record<string, unknown>;
}

/** The parts of the specification a validator reads. */
export interface CfnSpec {
  ResourceSpecificationVersion: string;
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
}

/** Fetches the specification into the cache unless it is there already; returns its path. */
export function ensureCfnSpec(): string {
  if (existsSync(CFN_SPEC_PATH)) return CFN_SPEC_PATH;
  const work = mkdtempSync(join(tmpdir(), "cfn-spec-"));
  try {
    execFileSync("npm", ["pack", CFN_SPEC_PACKAGE, "--silent"], {
      cwd: work,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: "false" },
    });
    const tarball = execFileSync("sh", ["-c", "ls *.tgz"], { cwd: work, encoding: "utf8" }).trim();
    execFileSync("tar", ["xzf", tarball, "package/spec/specification.json"], { cwd: work });
    mkdirSync(CACHE, { recursive: true });
    renameSync(join(work, "package/spec/specification.json"), CFN_SPEC_PATH);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return CFN_SPEC_PATH;
}

/** The specification, fetched first if needed. */
export function loadCfnSpec(): CfnSpec {
  return JSON.parse(readFileSync(ensureCfnSpec(), "utf8")) as CfnSpec;
}
