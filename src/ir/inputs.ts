/** Deterministic random inputs (mulberry32) and input files, as integer tensors. */
import { readFileSync } from "node:fs";
import { IntTensor, TensorSpec } from "./model.js";
import { signedMax, signedMin } from "../arith/rounding.js";
import { QuantrtlError } from "../util/errors.js";

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform random integers over the whole range of the tensor's bits (±1 for binary). */
export function randomTensor(spec: TensorSpec, seed: number): IntTensor {
  const next = rng(seed);
  const n = spec.height * spec.width * spec.channels;
  const data = new Int32Array(n);
  const lo = spec.bits === 1 ? 0 : signedMin(spec.bits);
  const span = spec.bits === 1 ? 2 : 2 ** spec.bits;
  for (let i = 0; i < n; i++) {
    const v = lo + Math.floor(next() * span);
    data[i] = spec.bits === 1 ? (v ? 1 : -1) : v;
  }
  return { shape: [spec.height, spec.width, spec.channels], bits: spec.bits, data };
}

export function constantTensor(spec: TensorSpec, value: number): IntTensor {
  const data = new Int32Array(spec.height * spec.width * spec.channels).fill(value);
  return { shape: [spec.height, spec.width, spec.channels], bits: spec.bits, data };
}

/** An input file: a JSON array of integers in HWC order (flat), checked against the model's input. */
export function loadInputFile(file: string, spec: TensorSpec): IntTensor {
  let values: unknown;
  try {
    values = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new QuantrtlError(file, "", `cannot read a JSON input (${(err as Error).message})`, "give a JSON array of integers in HWC order");
  }
  const n = spec.height * spec.width * spec.channels;
  if (!Array.isArray(values) || values.length !== n) {
    throw new QuantrtlError(
      file,
      "--input",
      `must be a flat JSON array of ${n} integers (${spec.height}×${spec.width}×${spec.channels}, HWC)`,
      `give ${n} integers`,
    );
  }
  const lo = spec.bits === 1 ? -1 : signedMin(spec.bits);
  const hi = spec.bits === 1 ? 1 : signedMax(spec.bits);
  values.forEach((v, i) => {
    const ok = Number.isInteger(v) && v >= lo && v <= hi && (spec.bits !== 1 || v !== 0);
    if (!ok)
      throw new QuantrtlError(
        file,
        `--input /${i}`,
        `value ${JSON.stringify(v)} is out of range`,
        spec.bits === 1 ? "binary inputs are -1 or +1" : `use integers in [${lo}, ${hi}]`,
      );
  });
  return { shape: [spec.height, spec.width, spec.channels], bits: spec.bits, data: Int32Array.from(values as number[]) };
}
