/**
 * `--enable-source-maps` only helps when the bundle ships its map. Failed on main before this change:
 * stacks/bundling.ts had no NODEJS_OPTIONS (functions.ts passed `{ minify, esbuild }` without
 * `sourcemap`, and SST's default is false), so stack traces pointed into minified code.
 */
import { describe, expect, it } from "vitest";
import { FUNCTION_ENVIRONMENT, NODEJS_OPTIONS, RUNTIME_PROVIDED } from "../../../stacks/bundling.ts";

describe("Lambda bundling", () => {
  it("ships source maps, and Node reads them", () => {
    expect(NODEJS_OPTIONS.sourcemap).toBe(true);
    expect(FUNCTION_ENVIRONMENT.NODE_OPTIONS.split(" ")).toContain("--enable-source-maps");
  });

  it("minifies, and leaves the runtime's AWS SDK out", () => {
    expect(NODEJS_OPTIONS.minify).toBe(true);
    expect(NODEJS_OPTIONS.esbuild.external).toEqual([...RUNTIME_PROVIDED]);
  });
});
