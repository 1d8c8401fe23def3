/**
 * IDX files (LeCun's MNIST format, also Fashion-MNIST, EMNIST, KMNIST), plain
 * or gzipped (fflate). Header: two zero bytes, a type byte, the number of
 * dimensions, then one big-endian uint32 per dimension; data big-endian, C order.
 */
import type * as Fflate from "fflate";
import { lazyPackage } from "../../util/lazy.js";
import { QuantrtlError } from "../../util/errors.js";
import { DataArray, ElementType, elementCount, shapeText } from "./array.js";

const fflate = lazyPackage<typeof Fflate>("fflate");

const TYPES: Record<number, { type: ElementType; bytes: number }> = {
  0x08: { type: "uint8", bytes: 1 },
  0x09: { type: "int8", bytes: 1 },
  0x0b: { type: "int16", bytes: 2 },
  0x0c: { type: "int32", bytes: 4 },
  0x0d: { type: "float32", bytes: 4 },
  0x0e: { type: "float64", bytes: 8 },
};

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function readIdx(raw: Uint8Array, file: string, name: string): DataArray {
  let bytes = raw;
  if (isGzip(raw)) {
    try {
      bytes = fflate().gunzipSync(raw);
    } catch (err) {
      throw new QuantrtlError(file, name, `is not a readable gzip file (${(err as Error).message})`, "give the IDX file itself or an intact .gz of it");
    }
  }
  const bad = (why: string) =>
    new QuantrtlError(
      file,
      name,
      `is not an IDX file (${why})`,
      "IDX files start with 0x00 0x00, a type byte (0x08 ubyte … 0x0E double) and the number of dimensions",
    );
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw bad("the first two bytes are not zero");
  const kind = TYPES[bytes[2]];
  if (!kind) throw bad(`unknown type byte 0x${bytes[2].toString(16).padStart(2, "0")}`);
  const ndim = bytes[3];
  if (ndim === 0 || bytes.length < 4 + 4 * ndim) throw bad(`${ndim} dimensions, header truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = elementCount(shape);
  const offset = 4 + 4 * ndim;
  const available = Math.floor((bytes.length - offset) / kind.bytes);
  if (available !== count) {
    throw new QuantrtlError(
      file,
      name,
      `shape ${shapeText(shape)} needs ${count} values, the file holds ${available}${available < count ? " (truncated?)" : ""}`,
      "give the complete, unmodified IDX file",
    );
  }
  const data = kind.type === "uint8" ? bytes.slice(offset, offset + count) : new Float64Array(count);
  if (kind.type !== "uint8") {
    const out = data as Float64Array;
    for (let i = 0; i < count; i++) {
      const at = offset + i * kind.bytes;
      out[i] =
        kind.type === "int8"
          ? view.getInt8(at)
          : kind.type === "int16"
            ? view.getInt16(at, false)
            : kind.type === "int32"
              ? view.getInt32(at, false)
              : kind.type === "float32"
                ? view.getFloat32(at, false)
                : view.getFloat64(at, false);
    }
  }
  return { file, name, shape, type: kind.type, data };
}
