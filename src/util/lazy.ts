/**
 * Packages loaded on first use: a short command (`--version`, `sim --workload`) should not pay for
 * Handlebars, ajv or fflate it never calls. Loaded synchronously through the package's CommonJS
 * entry, so the callers stay synchronous.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The package `name`, required the first time the returned function is called. */
export function lazyPackage<T>(name: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(name) as T);
}
