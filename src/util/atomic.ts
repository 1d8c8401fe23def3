/**
 * Nothing is left half-written and nothing of the user's is lost: a folder is
 * built under a temporary name beside its destination and renamed into place
 * only when complete, and only over what util/output.ts accepts (nothing, an
 * empty folder, quantrtl's earlier output, or what --force names). Staged and
 * temporary folders are removed if quantrtl is stopped by a signal (util/interrupt.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { forgetFolder, trackFolder } from "./interrupt.js";
import { checkOutput, isInside, lockOutput, lockPath, makeParent, OutputOptions, outputError, replacePath, writeMarker } from "./output.js";

export interface StagedDir {
  /** Folder to write into. */
  readonly path: string;
  /** The destination (absolute). */
  readonly destination: string;
  /** Renames the staged folder to its destination (replacing what checkOutput accepted there) and releases the lock. */
  commit(): string;
  /** Removes the staged folder and releases the lock (does nothing after commit). */
  discard(): void;
  /** `err` as a user error naming the flag if it is a file-system error on the staged folder or the destination, else `err` itself. */
  explain(err: unknown): unknown;
}

/**
 * Stages a folder to replace `destination`: checks the destination (util/output.ts
 * checkOutput), takes its lock and makes the staged folder with MARKER in it.
 * Errors are QuantrtlErrors naming `options.flag` (default --out).
 */
export function stageDir(destination: string, options: OutputOptions = {}): StagedDir {
  const { path: dest } = checkOutput(destination, options);
  makeParent(dest, options);
  const unlock = lockOutput(dest, options);
  const path = join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(path);
    trackFolder(path);
    writeMarker(path, options);
  } catch (err) {
    rmSync(path, { recursive: true, force: true });
    forgetFolder(path);
    unlock();
    throw outputError(err, dest, options);
  }
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    removeDir(path);
    unlock();
  };
  return {
    path,
    destination: dest,
    commit() {
      // checked again: the destination may have changed while the output was written
      const { state } = checkOutput(dest, options);
      replacePath(path, dest, state, options);
      forgetFolder(path);
      open = false;
      unlock();
      return dest;
    },
    discard: close,
    explain(err: unknown): unknown {
      const at = (err as NodeJS.ErrnoException | undefined)?.path;
      if (typeof at !== "string" || !(isInside(at, path) || isInside(at, dest) || at === lockPath(dest))) return err;
      return outputError(err, dest, options);
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
