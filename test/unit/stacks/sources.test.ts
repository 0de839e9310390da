/**
 * Small truths about the stack sources that no type-check catches. Failed on main before this change:
 * stacks/index.ts read `(await aws.getRegion({})).name` (deprecated in the AWS provider 7.x in use:
 * `region` replaces it, .sst/platform/node_modules/@pulumi/aws/getRegion.d.ts), and notices.ts,
 * session-events.ts and workflow.ts wrote `arn:aws:` although the config carries a partition.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultBusArn, stateMachineArn } from "../../../stacks/arns.ts";

const dir = new URL("../../../stacks/", import.meta.url);
const sources = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => [f, readFileSync(new URL(f, dir), "utf8")] as const);

describe("stack sources", () => {
  it.each(sources)("%s reads no deprecated getRegion().name", (_file, text) => {
    expect(text).not.toMatch(/getRegion\([^)]*\)\)?\.name\b/);
  });

  it.each(sources)("%s hard-codes no partition in an ARN", (_file, text) => {
    expect(text.replace(/^\s*(\*|\/\/).*$/gm, "")).not.toMatch(/["`]arn:aws:/);
  });
});

describe("ARNs in the config's partition", () => {
  it.each(["aws", "aws-cn", "aws-us-gov"])("%s", (partition) => {
    expect(defaultBusArn(partition, "r-1", "123456789012")).toBe(
      `arn:${partition}:events:r-1:123456789012:event-bus/default`,
    );
    expect(stateMachineArn(partition, "r-1", "123456789012", "m")).toBe(
      `arn:${partition}:states:r-1:123456789012:stateMachine:m`,
    );
  });
});
