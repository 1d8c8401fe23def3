/**
 * Nothing is left half-written: a folder is built under a temporary name beside
 * its destination and renamed into place only when complete. Staged and
 * temporary folders are removed if quantrtl is stopped by a signal (util/interrupt.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { forgetFolder, trackFolder } from "./interrupt.js";

export interface StagedDir {
  /** Folder to write into. */
  readonly path: string;
  /** Renames the staged folder to its destination (replacing an older one). */
  commit(): string;
  /** Removes the staged folder. */
  discard(): void;
}

export function stageDir(destination: string): StagedDir {
  const dest = resolve(destination);
  mkdirSync(dirname(dest), { recursive: true });
  const path = join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(path, { recursive: true });
  trackFolder(path);
  return {
    path,
    commit() {
      if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
      renameSync(path, dest);
      forgetFolder(path);
      return dest;
    },
    discard() {
      removeDir(path);
    },
  };
}

/** A fresh folder under the system's temporary directory, removed on a signal until `removeDir` (or kept on purpose with `forgetFolder`). */
export function makeTempDir(prefix: string): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  trackFolder(path);
  return path;
}

/** Removes a folder made by `makeTempDir` or `stageDir`. */
export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
  forgetFolder(path);
}

export function writeFiles(root: string, files: readonly { path: string; content: string }[]): void {
  for (const f of files) {
    const full = join(root, f.path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
  }
}
