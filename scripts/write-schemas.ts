/**
 * Writes schemas/model.schema.json from the model schema in code (src/ir/schema.ts),
 * so the published file is the one the loader validates against. Run after changing
 * the schema: `node dist/scripts/write-schemas.js`; test/cli/json.test.ts checks the
 * committed file equals what this writes.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { modelSchema } from "../src/ir/schema.js";
import { packageRoot } from "../src/util/paths.js";

/** The generated schema files: path relative to the package root → text. */
export function generatedSchemas(): Record<string, string> {
  return { "schemas/model.schema.json": `${JSON.stringify(modelSchema, null, 2)}\n` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [path, text] of Object.entries(generatedSchemas())) {
    writeFileSync(join(packageRoot(), path), text);
    console.log(`wrote ${path}`);
  }
}
