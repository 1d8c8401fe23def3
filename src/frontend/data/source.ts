/**
 * Which reader a --dataset argument needs, by name, extension or first bytes:
 * mnist-test / mnist-train, an .npz (arrays x and y, or --x / --y), an .npy
 * (labels from --labels), or IDX files (labels from --labels, or the file
 * beside the images whose name says "labels" where the images' says "images").
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Model } from "../../ir/model.js";
import { QuantrtlError } from "../../util/errors.js";
import { DataArray, firstRows } from "./array.js";
import { isGzip, readIdx } from "./idx.js";
import { isMnistName, MNIST_DATASETS, readMnist } from "./mnist.js";
import { readNpy } from "./npy.js";
import { openNpz } from "./npz.js";
import type { Layout } from "./layout.js";

export interface DatasetSpec {
  /** mnist-test, mnist-train, or a file path. */
  readonly source: string;
  /** Array names inside an .npz (default x and y). */
  readonly x?: string;
  readonly y?: string;
  /** The labels file of an .npy or IDX image file. */
  readonly labels?: string;
  readonly layout?: Layout;
}

export interface SourceArrays {
  readonly images: DataArray;
  readonly labels?: DataArray;
  /** Unsigned-byte pixels (the MNIST files, IDX ubyte): their network input is p / 255, the MNIST convention. */
  readonly pixels: boolean;
}

export const DATASET_HINT = `give ${MNIST_DATASETS.join(", ")}, an .npz (arrays x, y), an .npy (with --labels) or an IDX file (gz or not)`;

type Kind = "npz" | "npy" | "idx";

function kindOf(file: string, bytes: Uint8Array): Kind | undefined {
  if (/\.npz$/i.test(file) || (bytes[0] === 0x50 && bytes[1] === 0x4b)) return "npz";
  if (/\.npy$/i.test(file) || (bytes[0] === 0x93 && bytes[1] === 0x4e)) return "npy";
  if (isGzip(bytes) || (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0)) return "idx";
  return undefined;
}

function readFile(file: string, flag: string): Uint8Array {
  if (!existsSync(file)) throw new QuantrtlError(file, flag, "not found", DATASET_HINT);
  if (statSync(file).isDirectory()) throw new QuantrtlError(file, flag, "is a folder", DATASET_HINT);
  return readFileSync(file);
}

/** One labels file of any format (.npy, IDX, or an .npz's y). */
function readLabelsFile(file: string, flag: string): DataArray {
  const bytes = readFile(file, flag);
  const kind = kindOf(file, bytes);
  if (kind === "npy") return readNpy(bytes, file, "labels");
  if (kind === "idx") return readIdx(bytes, file, "labels");
  if (kind === "npz") return openNpz(bytes, file).read("y", flag);
  throw new QuantrtlError(file, flag, "is not a labels file", "give an .npy or IDX file of class indices");
}

/** The IDX labels file beside an IDX images file (t10k-images-idx3-ubyte -> t10k-labels-idx1-ubyte), if present. */
function idxLabelsBeside(file: string): string | undefined {
  const name = basename(file);
  if (!name.includes("images")) return undefined;
  const candidate = join(dirname(file), name.replace("images", "labels").replace("idx3", "idx1"));
  return candidate !== file && existsSync(candidate) ? candidate : undefined;
}

export function readSource(model: Pick<Model, "input" | "file">, spec: DatasetSpec, limit: number | undefined, flag: string): SourceArrays {
  const misplaced = (name: string, why: string) => new QuantrtlError(undefined, name, why, DATASET_HINT);
  if (isMnistName(spec.source)) {
    if (spec.x || spec.y || spec.labels) throw misplaced(spec.x ? "--x" : spec.y ? "--y" : "--labels", `does not apply to ${spec.source}`);
    const { images, labels } = readMnist(model, spec.source, limit);
    return { images, labels, pixels: true };
  }
  const file = spec.source;
  const bytes = readFile(file, flag);
  const kind = kindOf(file, bytes);
  if (!kind) throw new QuantrtlError(file, flag, "is not a dataset file (neither .npz, .npy nor IDX)", DATASET_HINT);
  if (kind !== "npz" && (spec.x || spec.y)) throw misplaced(spec.x ? "--x" : "--y", "names arrays inside an .npz only");
  if (kind === "npz" && spec.labels) throw misplaced("--labels", "does not apply to an .npz (its labels are the array y, or --y <name>)");
  let images: DataArray;
  let labels: DataArray | undefined;
  if (kind === "npz") {
    const npz = openNpz(bytes, file);
    images = npz.read(spec.x ?? "x", "--x");
    const y = spec.y ?? (npz.names.includes("y") ? "y" : undefined);
    labels = y === undefined ? undefined : npz.read(y, "--y");
  } else {
    images = kind === "npy" ? readNpy(bytes, file, "images") : readIdx(bytes, file, "images");
    const labelsFile = spec.labels ?? (kind === "idx" ? idxLabelsBeside(file) : undefined);
    labels = labelsFile === undefined ? undefined : readLabelsFile(labelsFile, "--labels");
  }
  if (labels && labels.shape[0] !== images.shape[0]) {
    throw new QuantrtlError(labels.file, labels.name, `${labels.shape[0]} labels for ${images.shape[0]} images (${images.file})`, "give one label per image");
  }
  const count = limit === undefined ? images.shape[0] : Math.min(limit, images.shape[0] ?? 0);
  return { images: firstRows(images, count), labels: labels && firstRows(labels, count), pixels: kind === "idx" && images.type === "uint8" };
}
