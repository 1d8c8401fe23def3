/**
 * Results of slow tool runs (synthesis, place and route) cached as JSON by a
 * hash of what decides them: the tool version, its commands and the RTL with
 * comments removed (a header that only names a new model hash reuses the result).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GeneratedFile } from "../codegen/design.js";
import { packageRoot } from "../util/paths.js";

/** The cache's root when a command was given one (`--cache-dir`, a path all workers see); else $QUANTRTL_CACHE or node_modules/.cache. */
let cacheRoot: string | undefined;

export function useToolCacheRoot(dir: string): void {
  cacheRoot = dir;
}

export function toolCacheDir(kind: string): string {
  return join(cacheRoot ?? process.env.QUANTRTL_CACHE ?? join(packageRoot(), "node_modules", ".cache", "quantrtl"), kind);
}

/**
 * A second level behind the file cache that other machines share (Redis, flows/sweep-queue.ts): a
 * result missing here is looked up there, and every new result is stored there too.
 */
export interface SharedResultStore {
  /** Where the results are, for the progress line ("Redis at host:port"). */
  readonly where: string;
  /** The stored JSON text of a result, or undefined. */
  get(kind: string, key: string): Promise<string | undefined>;
  set(kind: string, key: string, json: string): Promise<void>;
}

export function resultKey(parts: readonly string[], rtl: readonly GeneratedFile[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  h.update(JSON.stringify(rtl.map((f) => [f.path, f.content.replace(/\/\/[^\n]*/g, "")])));
  return h.digest("hex").slice(0, 24);
}

/** The cached result for a key, marked `cached: true`, or undefined. */
export function readCached<T extends { cached: boolean }>(kind: string, key: string): T | undefined {
  const file = join(toolCacheDir(kind), `${key}.json`);
  return existsSync(file) ? { ...(JSON.parse(readFileSync(file, "utf8")) as T), cached: true } : undefined;
}

/** Stores a result atomically (write beside, then rename). */
export function writeCached(kind: string, key: string, value: unknown): void {
  const dir = toolCacheDir(kind);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${key}.json`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  renameSync(tmp, file);
}
