/** Writes access.config.schema.json from the zod schema, so editors can complete and check the config. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { configSchema } from "../core/config/schema.ts";

export const SCHEMA_PATH = fileURLToPath(new URL("../access.config.schema.json", import.meta.url));

/** The JSON Schema text, exactly as written to the file. */
export function renderSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, title: "JIT Session Manager access configuration" }, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_PATH, renderSchema());
  console.log(`wrote ${SCHEMA_PATH}`);
}
