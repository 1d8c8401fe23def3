/** What the loader's per-kind parsers share: the raw layer, the context, weight files, requants, folding. */
import { Folding, OutputStage } from "./model.js";
import type { RequantParams } from "../arith/requant.js";
import type { Datapath, ThresholdDirection } from "../arith/datapath.js";
import { DEFAULT_MULTIPLIER_BITS } from "../arith/requant.js";
import type { RoundingMode } from "../arith/rounding.js";
import { signedMax, signedMin } from "../arith/rounding.js";
import { QuantrtlError } from "../util/errors.js";
import { MAX_MODEL_FILE_BYTES, readExactly, resolveWeightFile } from "./load-files.js";
import { formatBytes, MAX_TENSOR_ELEMENTS, MemoryBudget } from "./budget.js";

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface RawRequant {
  multiplier?: number;
  multiplierBits?: number;
  shift?: number;
  multipliers?: number[];
  rounding: RoundingMode;
  outBits: number;
  zeroPoint?: number;
}

/** Fields of every raw layer type (the schema allows each only on the types that use it). */
export interface RawLayer {
  type:
    | "conv2d"
    | "dense"
    | "relu"
    | "maxpool"
    | "avgpool"
    | "global_avgpool"
    | "add"
    | "flatten"
    | "argmax"
    | "linear"
    | "layernorm"
    | "gelu"
    | "softmax"
    | "attention"
    | "token_embed"
    | "token_select";
  name: string;
  inputs?: string[];
  kernel: Datapath;
  /** The new name of `kernel` (normaliseDatapath copies it there). */
  datapath?: Datapath;
  outChannels: number;
  outFeatures: number;
  kernelSize: number | number[];
  stride?: number | number[];
  padding?: number | number[];
  padValue?: number;
  weightBits: number;
  activationBits: number;
  weights: number[] | { file: string };
  bias?: number[] | { file: string };
  requant?: RawRequant;
  relu?: boolean;
  multipliers?: [number, number];
  shift?: number;
  rounding?: RoundingMode;
  outBits?: number;
  thresholds?: number[];
  thresholdDirections?: ThresholdDirection[];
  arch?: Partial<Folding>;
  scales?: Record<string, number>;
  biasInt?: number[] | { file: string };
  x0?: number;
  n?: number;
  sigmoidBits?: number;
  heads?: number;
  embedding?: number[] | { file: string };
  newtonIterations?: number;
  index?: number;
}

export interface Ctx {
  file?: string;
  at: string;
  baseDir: string;
  arch?: Partial<Folding>;
  memoryBudget: MemoryBudget;
  onWeightFile?: (name: string, real: string) => void;
}

export function parsePoolRequant(rq: RawRequant, path: string, ctx: Ctx): RequantParams {
  const multiplierBits = rq.multiplierBits ?? DEFAULT_MULTIPLIER_BITS;
  if (rq.multiplier! >= 2 ** multiplierBits) {
    throw new QuantrtlError(
      ctx.file,
      `${ctx.at}${path}/multiplier`,
      `${rq.multiplier} does not fit in multiplierBits = ${multiplierBits}`,
      `use a multiplier below ${2 ** multiplierBits} or raise multiplierBits`,
    );
  }
  return { multiplier: rq.multiplier!, multiplierBits, shift: rq.shift!, rounding: rq.rounding, outBits: rq.outBits, zeroPoint: 0, relu: false };
}

export function pairOf(v: number | number[] | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

export function parseEngineRequant(rq: RawRequant, channels: number, relu: boolean, fail: (path: string, problem: string, hint: string) => never): OutputStage {
  const multiplierBits = rq.multiplierBits ?? DEFAULT_MULTIPLIER_BITS;
  const zeroPoint = rq.zeroPoint ?? 0;
  if (zeroPoint < signedMin(rq.outBits) || zeroPoint > signedMax(rq.outBits))
    fail(
      "/requant/zeroPoint",
      `${zeroPoint} is outside the ${rq.outBits}-bit output range`,
      `use a value in [${signedMin(rq.outBits)}, ${signedMax(rq.outBits)}]`,
    );
  const tensorForm = rq.multiplier !== undefined;
  const channelForm = rq.multipliers !== undefined;
  if (tensorForm === channelForm) {
    fail(
      "/requant",
      tensorForm ? 'has both "multiplier" (per tensor) and "multipliers" (per channel)' : 'has neither "multiplier" nor "multipliers"',
      "give either multiplier, or multipliers with one value per output channel",
    );
  }
  const limit = 2 ** multiplierBits;
  if (tensorForm) {
    if (rq.multiplier! >= limit)
      fail(
        "/requant/multiplier",
        `${rq.multiplier} does not fit in multiplierBits = ${multiplierBits}`,
        `use a multiplier below ${limit} or raise multiplierBits`,
      );
    return {
      kind: "requant",
      params: { multiplier: rq.multiplier!, multiplierBits, shift: rq.shift!, rounding: rq.rounding, outBits: rq.outBits, zeroPoint, relu },
    };
  }
  const multipliers = rq.multipliers!;
  if (multipliers.length !== channels)
    fail("/requant/multipliers", `has ${multipliers.length} values; expected one per output channel (${channels})`, `give ${channels} integers`);
  multipliers.forEach((m, oc) => {
    if (Math.abs(m) >= limit)
      fail(
        `/requant/multipliers/${oc}`,
        `${m} does not fit in multiplierBits = ${multiplierBits} (plus sign)`,
        `use |multiplier| below ${limit} or raise multiplierBits`,
      );
  });
  return {
    kind: "requant",
    params: { multiplier: multipliers[0], multiplierBits, shift: rq.shift!, rounding: rq.rounding, outBits: rq.outBits, zeroPoint, relu },
    perChannel: { multipliers: Int32Array.from(multipliers) },
  };
}

/** Default folding [ours]: up to 4 PEs and 16 SIMD lanes; the model's arch and then the caller's override win. */
export function defaultFolding(outChannels: number, reduction: number): Folding {
  return { pe: Math.min(outChannels, 4), simd: Math.min(reduction, 16) };
}

export function chooseFolding(raw: RawLayer, reduction: number, ctx: Ctx): Folding {
  const d = defaultFolding(raw.outChannels, reduction);
  const pe = ctx.arch?.pe ?? raw.arch?.pe ?? d.pe;
  const simd = ctx.arch?.simd ?? raw.arch?.simd ?? d.simd;
  const where = ctx.arch?.pe !== undefined ? "--pe" : `${ctx.at}/arch/pe`;
  if (!Number.isInteger(pe) || pe < 1 || pe > raw.outChannels) {
    throw new QuantrtlError(ctx.file, where, `pe = ${pe} is not between 1 and outChannels (${raw.outChannels})`, `use 1 … ${raw.outChannels}`);
  }
  const whereSimd = ctx.arch?.simd !== undefined ? "--simd" : `${ctx.at}/arch/simd`;
  if (!Number.isInteger(simd) || simd < 1 || simd > reduction) {
    throw new QuantrtlError(
      ctx.file,
      whereSimd,
      `simd = ${simd} is not between 1 and the reduction length (${reduction} = kh·kw·inChannels)`,
      `use 1 … ${reduction}`,
    );
  }
  return { pe, simd };
}

/** How many integers a field must hold, and why, for the size check of its file. */
export interface ExpectedCount {
  readonly count: number;
  /** "outChannels 3 × 3 × 3 × inChannels 2 (OHWI order)" */
  readonly shape: string;
}

/** A JSON weight file's ceiling: each integer with its comma and some layout ("  -2147483648,\n" is 15 characters). */
export const JSON_BYTES_PER_VALUE = 24;

/**
 * Reads integers inline or from a file beside the model; values are range-checked by the caller
 * before they become an Int32Array. A file's kind, place and size are checked before it is read.
 */
export function readInts(src: number[] | { file: string }, path: string, bits: number, ctx: Ctx, expected: ExpectedCount): ArrayLike<number> {
  if (Array.isArray(src)) return src;
  const at = `${ctx.at}${path}/file`;
  const fail = (problem: string, hint: string): never => {
    throw new QuantrtlError(ctx.file, at, problem, hint);
  };
  const { count, shape } = expected;
  if (count > MAX_TENSOR_ELEMENTS)
    fail(`${count} values (${shape}) are more than a typed array holds (2^31 − 1 = ${MAX_TENSOR_ELEMENTS})`, "use a smaller layer");
  const width = bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
  const json = src.file.endsWith(".json");
  if (!json && !src.file.endsWith(".bin")) fail(`"${src.file}" has an unknown extension`, "use .json (array of integers) or .bin (little-endian int8/int16)");
  const valid = json
    ? `a regular file holding a JSON array of ${count} integers`
    : `a regular file of ${count * width} bytes: ${count} little-endian int${width * 8}`;
  const { real, size } = resolveWeightFile(ctx.file, at, ctx.baseDir, src.file, valid);
  ctx.onWeightFile?.(src.file, real);
  const overBudget = (need: number): never =>
    fail(
      `reading "${src.file}" (${count} values, ${shape}) needs ${formatBytes(need)}, above the memory budget ${formatBytes(ctx.memoryBudget.bytes)} (${ctx.memoryBudget.source})`,
      "a smaller layer, or more --max-memory",
    );
  if (json) {
    const cap = Math.min(count * JSON_BYTES_PER_VALUE + 4096, MAX_MODEL_FILE_BYTES);
    if (size > cap)
      fail(
        `"${src.file}" is ${size} bytes, more than ${count} integers (${shape}) take as JSON (at most ${cap} bytes here)`,
        `write ${count} integers as one flat JSON array, or use a .bin file`,
      );
    // the text, a JS array of numbers (8 bytes a slot) and the Int32Array it becomes
    if (size + count * 12 > ctx.memoryBudget.bytes) overBudget(size + count * 12);
    let values: unknown;
    try {
      values = JSON.parse(stripBom(readExactly(ctx.file, at, src.file, real, size).toString("utf8")));
    } catch (err) {
      if (err instanceof QuantrtlError) throw err;
      // V8's message quotes the text; name only the position so a file's bytes never reach the terminal
      const position = /position (\d+)/.exec((err as Error).message)?.[1];
      fail(`"${src.file}" is not valid JSON${position ? ` (at character ${position})` : ""}`, "fix the JSON syntax of the weight file");
    }
    if (!Array.isArray(values) || !values.every((v) => Number.isInteger(v))) {
      fail(`"${src.file}" must hold one flat JSON array of integers`, "write the values in OHWI order as one array");
    }
    return values as number[];
  }
  const bytes = count * width;
  if (size !== bytes) {
    fail(
      `"${src.file}" is ${size} bytes; expected ${bytes} bytes = ${count} values (${shape}) × ${width} (little-endian int${width * 8})`,
      `write exactly ${count} int${width * 8} values`,
    );
  }
  // the file, the decoded Int32Array and its range-checked copy
  if (bytes + count * 8 > ctx.memoryBudget.bytes) overBudget(bytes + count * 8);
  const buffer = readExactly(ctx.file, at, src.file, real, bytes);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = width === 1 ? buffer.readInt8(i) : width === 2 ? buffer.readInt16LE(i * 2) : buffer.readInt32LE(i * 4);
  }
  return out;
}

export function checkValues(values: ArrayLike<number>, path: string, [lo, hi]: [number, number], binary: boolean, ctx: Ctx): Int32Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const bad = binary ? v !== -1 && v !== 1 : v < lo || v > hi;
    if (bad) {
      throw new QuantrtlError(
        ctx.file,
        `${ctx.at}${path}/${i}`,
        `value ${v} is out of range`,
        binary ? "binary weights are -1 or +1" : `use integers in [${lo}, ${hi}]`,
      );
    }
  }
  return Int32Array.from(values);
}
