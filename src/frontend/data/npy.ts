/**
 * NumPy .npy arrays through npyjs (parse only; the checks npyjs leaves out are
 * here: byte order, Fortran order, a data section shorter or longer than the
 * shape says, 64-bit integers beyond 2^53).
 */
import type * as Npyjs from "npyjs";
import { lazyPackage } from "../../util/lazy.js";
import { QuantrtlError } from "../../util/errors.js";
import { DataArray, ElementType, elementCount, shapeText } from "./array.js";

const npyjs = lazyPackage<typeof Npyjs>("npyjs");

const TYPES: Record<string, ElementType> = {
  i1: "int8",
  u1: "uint8",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  u4: "uint32",
  i8: "int64",
  u8: "uint64",
  f2: "float16",
  f4: "float32",
  f8: "float64",
};
const SUPPORTED = "int8/16/32/64, uint8/16/32/64 or float16/32/64";

/** The header's 'descr' (e.g. "<f4"), read before npyjs because npyjs drops the byte-order mark. */
function descrOf(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  return /'descr'\s*:\s*'([^']+)'/.exec(head)?.[1];
}

/** One .npy file's bytes as a DataArray; `file` and `name` say where it came from in errors. */
export function readNpy(bytes: Uint8Array, file: string, name: string): DataArray {
  const where = name ? `array "${name}"` : "array";
  const corrupt = (why: string) =>
    new QuantrtlError(file, name || "npy", `${where} is not a readable .npy (${why})`, "write it with numpy.save / numpy.savez (a .npy header, then the data)");
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== "NUMPY") throw corrupt("no \\x93NUMPY magic");
  const descr = descrOf(bytes);
  if (!descr) throw corrupt("no 'descr' in the header");
  if (descr.startsWith(">") && descr.slice(1) !== "i1" && descr.slice(1) !== "u1") {
    throw new QuantrtlError(file, name || "npy", `${where} is big-endian (${descr})`, "save it little-endian: x.astype(x.dtype.newbyteorder('<'))");
  }
  const code = descr.replace(/^[<|=]/, "");
  const type = TYPES[code];
  if (!type) throw new QuantrtlError(file, name || "npy", `${where} has dtype ${descr}, which quantrtl does not read`, `use ${SUPPORTED}`);
  // a private copy (new Uint8Array copies; Buffer.slice would not): npyjs views the buffer from the data offset to its end, and typed views need it aligned
  const buffer = new Uint8Array(bytes).buffer;
  let parsed: ReturnType<typeof Npyjs.parse>;
  try {
    parsed = npyjs().parse(buffer);
  } catch (err) {
    throw corrupt((err as Error).message);
  }
  if (parsed.fortranOrder)
    throw new QuantrtlError(file, name || "npy", `${where} is stored in Fortran order`, "save a C-ordered array: numpy.ascontiguousarray(x)");
  const shape = parsed.shape;
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw corrupt(`shape ${shapeText(shape)}`);
  const expected = elementCount(shape);
  const values = parsed.data as unknown as ArrayLike<number | bigint>;
  if (values.length !== expected) {
    throw corrupt(`shape ${shapeText(shape)} needs ${expected} values, the file holds ${values.length}${values.length < expected ? " (truncated?)" : ""}`);
  }
  return {
    file,
    name,
    shape,
    type,
    data: type === "int64" || type === "uint64" ? exactNumbers(values as ArrayLike<bigint>, file, name) : (values as ArrayLike<number>),
  };
}

function exactNumbers(values: ArrayLike<bigint>, file: string, name: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new QuantrtlError(file, `${name}/${i}`, `value ${v} is beyond 2^53`, "store class labels and integer inputs in a narrower type (int32)");
    }
    out[i] = Number(v);
  }
  return out;
}
