/**
 * A model as files that travel: the model file and every weight file it reads, so a sweep
 * worker on another machine computes the points of the model the sweep was given, without a
 * shared disk. The sweep stores the bundle in Redis under the model's hash; a worker writes it
 * into its cache folder once and loads it from there (flows/sweep-queue.ts). A proof's design
 * folder travels back the same way (readFiles / writeFiles).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { loadModel } from "../ir/load.js";
import { isOnnxPath } from "../frontend/onnx/load.js";
import { QuantrtlError } from "../util/errors.js";

export interface ModelBundle {
  /** The model file's name (the entry the bundle is loaded from). */
  readonly entry: string;
  /** Every file by its name relative to the model's folder (the entry too), base64. */
  readonly files: Readonly<Record<string, string>>;
}

/** The model file and the weight files its layers read (an .onnx file is one file: external data is refused on import). */
export function bundleModel(file: string): ModelBundle {
  const files: Record<string, string> = { [basename(file)]: readFileSync(file).toString("base64") };
  if (!isOnnxPath(file)) {
    // the loader resolves and checks each weight file (inside the model's folder, regular, its size): reuse it
    loadModel(file, {
      onWarning: () => undefined,
      onWeightFile: (name, real) => {
        files[name] = readFileSync(real).toString("base64");
      },
    });
  }
  return { entry: basename(file), files };
}

/** A bundle's name as a path inside its folder, or an error: a bundle comes over the network and is checked as input. */
function safeName(name: string): string {
  const n = normalize(name);
  if (n === "" || n === "." || isAbsolute(n) || n.split(sep).includes(".."))
    throw new QuantrtlError(undefined, `bundle/files/${name}`, "is not a path inside the model's folder", "the sweep sends the model's own files only");
  return n;
}

/**
 * Writes the bundle into `dir` (once: a complete folder is kept and reused) and returns the
 * model file's path. The folder is written beside its final name and renamed into place, so a
 * worker stopped half-way never leaves a half-written model that a later point would load.
 */
export function materializeBundle(bundle: ModelBundle, dir: string): string {
  const entry = join(dir, safeName(bundle.entry));
  if (existsSync(entry)) return entry;
  mkdirSync(dirname(dir), { recursive: true });
  // a fresh folder of ours beside the final one: the only thing the finally below removes
  const staging = mkdtempSync(`${dir}.tmp-`);
  try {
    writeFiles(bundle.files, staging);
    try {
      renameSync(staging, dir);
    } catch (err) {
      // another thread or worker on this machine put the same model there first: theirs is as good
      if (!["ENOTEMPTY", "EEXIST"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return entry;
}

/** Every regular file under `dir`, by its path relative to `dir`, base64 (a proof's design folder sent back by a worker). */
export function readFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    files[relative(dir, path)] = readFileSync(path).toString("base64");
  }
  return files;
}

/** Writes `files` (names relative, checked) under `dir`. */
export function writeFiles(files: Readonly<Record<string, string>>, dir: string): void {
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, safeName(name));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(data, "base64"));
  }
}
