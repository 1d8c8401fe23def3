/**
 * The files a model names, read only when they are what they claim to be:
 * regular files (a FIFO would block for ever, /dev/zero never ends), weight files
 * inside the model's folder once symlinks are resolved, and no bigger than their
 * shape allows — all checked with stat before a byte is read. Messages say what
 * is there and never show a file's contents.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, Stats, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { formatBytes, MemoryBudget, MiB } from "./budget.js";
import { QuantrtlError } from "../util/errors.js";

/** A model .json read as one string stays far below V8's string limit (512 MiB); bigger weights belong in .bin files. */
export const MAX_MODEL_FILE_BYTES = 256 * MiB;

function describeKind(st: Stats): string {
  if (st.isFile()) return "a regular file";
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** What is at `path`, for a message: "a FIFO", "a symlink to /dev/zero, a character device". */
export function describePath(path: string): string {
  const link = lstatSync(path, { throwIfNoEntry: false });
  if (!link) return "missing";
  if (!link.isSymbolicLink()) return describeKind(link);
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return `a symlink to ${readlinkSync(path)}, which does not exist`;
  }
  return `a symlink to ${target}, ${describeKind(statSync(target))}`;
}

/** The model file given on the command line: a regular file no bigger than MAX_MODEL_FILE_BYTES and the budget. */
export function checkModelFile(file: string, budget: MemoryBudget): void {
  if (!existsSync(file)) {
    throw new QuantrtlError(file, "", "model file not found", "give the path of a model .json file, e.g. models/conv3x3-adder-int8.json");
  }
  const st = statSync(file);
  if (!st.isFile()) throw new QuantrtlError(file, "", `is ${describePath(file)}, not a regular file`, "give the path of a model .json file");
  const cap = Math.min(MAX_MODEL_FILE_BYTES, budget.bytes);
  if (st.size > cap) {
    const limit = cap === budget.bytes ? `the memory budget ${formatBytes(cap)} (${budget.source})` : `the ${formatBytes(cap)} a model file may have`;
    const hint = cap === budget.bytes ? "raise --max-memory" : 'keep large weights in .bin files beside the model ("weights": {"file": "w.bin"})';
    throw new QuantrtlError(file, "", `is ${formatBytes(st.size)}, above ${limit}`, hint);
  }
}

export interface WeightFile {
  /** The file's real path (symlinks resolved), inside the model's folder. */
  readonly real: string;
  readonly size: number;
}

/**
 * Resolves a weight file named in the model at `at` (the JSON path of its "file"
 * field): relative, inside the model's folder after realpath, a regular file; `valid`
 * says what the field needs ("a regular file of 54 bytes (54 little-endian int8)").
 */
export function resolveWeightFile(modelFile: string | undefined, at: string, baseDir: string, name: string, valid: string): WeightFile {
  const fail = (problem: string, hint: string): never => {
    throw new QuantrtlError(modelFile, at, problem, hint);
  };
  if (isAbsolute(name)) fail(`"${name}" is an absolute path`, "give a path relative to the model file");
  const full = resolve(baseDir, name);
  if (!inside(resolve(baseDir), full)) fail(`"${name}" points outside the model's folder`, "keep weight files beside the model");
  if (!lstatSync(full, { throwIfNoEntry: false }))
    fail(`weight file "${name}" not found (looked for ${full})`, "put the file beside the model or fix the path");
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return fail(`"${name}" is ${describePath(full)}`, `put ${valid} beside the model or fix the link`);
  }
  const folder = realpathSync(baseDir);
  if (!inside(folder, real)) {
    const what = describePath(full);
    fail(
      `"${name}" is ${what}${what.startsWith("a symlink") ? "" : ` at ${real}`}, outside the model folder ${folder}`,
      `copy the file into the model's folder instead of linking to it (${valid})`,
    );
  }
  const st = statSync(real);
  if (!st.isFile()) fail(`"${name}" is ${describePath(full)}, not a regular file`, `make it ${valid}`);
  return { real, size: st.size };
}

/** Reads exactly `bytes` bytes; opened non-blocking and re-checked, so a file swapped for a FIFO after the stat cannot hang the read. */
export function readExactly(modelFile: string | undefined, at: string, name: string, real: string, bytes: number): Buffer {
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size !== bytes)
      throw new QuantrtlError(modelFile, at, `"${name}" changed while it was being read`, "run again once nothing writes the file");
    const buffer = Buffer.alloc(bytes);
    let done = 0;
    while (done < bytes) {
      const n = readSync(fd, buffer, done, bytes - done, done);
      if (n === 0) throw new QuantrtlError(modelFile, at, `"${name}" changed while it was being read`, "run again once nothing writes the file");
      done += n;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
