/** Data files committed with the package (hw/…), read and validated on first use. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./paths.js";

/** A loader of `path` (relative to the package root) that parses it once with `parse`, which validates and names the file in its errors. */
export function committedFile<T>(path: string, parse: (doc: unknown, file: string) => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) {
      const file = join(packageRoot(), path);
      value = parse(JSON.parse(readFileSync(file, "utf8")), file);
    }
    return value;
  };
}
