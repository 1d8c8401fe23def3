/**
 * How much memory a model may take, checked at load from its shapes alone, so a
 * model too big to run is refused with the layer and the figure named instead of
 * dying later (a RangeError from a typed array, a V8 heap crash, or swapping for
 * minutes). Two kinds of limit:
 * - the memory budget (default: half the free memory, at most 4 GiB; --max-memory):
 *   weights, the golden tensors a run keeps, a layer's scratch and the vector text;
 * - the JS engine's own limits, which no budget lifts: a typed array's length, a
 *   string's length and the V8 heap.
 */
import { constants } from "node:buffer";
import { freemem } from "node:os";
import { getHeapStatistics } from "node:v8";
import { Model, TensorSpec, tensorSize } from "./model.js";
import { QuantrtlError } from "../util/errors.js";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export interface MemoryBudget {
  readonly bytes: number;
  /** Where the figure comes from, for messages: "--max-memory 4G" or the default's rule. */
  readonly source: string;
}

/** The default's ceiling [ours]: the same verdict on every machine with 8 GiB free; a golden run beyond it takes minutes of single-threaded JS anyway. */
export const DEFAULT_BUDGET_CEILING = 4 * GiB;

export function defaultMemoryBudget(free = freemem()): MemoryBudget {
  const half = Math.floor(free / 2);
  if (half < DEFAULT_BUDGET_CEILING) return { bytes: half, source: `the default: half of the ${formatBytes(free)} free memory` };
  return { bytes: DEFAULT_BUDGET_CEILING, source: "the default: half the free memory, at most 4 GiB" };
}

const UNITS: Record<string, number> = { "": 1, k: KiB, m: MiB, g: GiB, t: 1024 * GiB };

/** "512M", "4G", "1.5g", "4GiB", "65536" (bytes); powers of 1024. Undefined unless a whole number of bytes ≥ 1. */
export function parseMemorySize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 * GiB, "TiB"],
    [GiB, "GiB"],
    [MiB, "MiB"],
    [KiB, "KiB"],
  ];
  for (const [size, name] of units) if (bytes >= size) return `${(bytes / size).toFixed(1)} ${name}`;
  return `${bytes} bytes`;
}

/** The longest typed array we allocate: 2^31 − 1 elements, the bound of a 32-bit index (V8 itself stops at 2^32). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
/** The longest string V8 builds (536 870 888 characters on Node 20): one vector file or JSON output is one string. */
export const MAX_STRING_CHARS = constants.MAX_STRING_LENGTH;

// Bytes per element of what a run allocates (src/hw/golden/*.ts, src/codegen/vectors.ts):
/** Golden tensors: an Int32Array per layer output, kept for the whole run (the per-layer vectors need them). */
const TENSOR_BYTES = 4;
/** conv2d/dense accumulators: a Float64Array over the layer's output, one layer at a time. */
const ACCUMULATOR_BYTES = 8;
/** hexLines keeps one short string per word until it joins them: about 70 bytes of V8 heap each, measured on Node 20. */
const HEX_WORD_HEAP_BYTES = 72;
/** `run --json`: Array.from of every layer's data (8-byte slots) before JSON.stringify. */
const JSON_SLOT_BYTES = 8;

/** What the command will do with the model beyond loading it. */
export interface Workload {
  /** Input vectors run through the golden model together (gen/verify keep every trace). */
  readonly vectors: number;
  /** Writes vectors/<layer>.expected.hex (gen, verify, build, report --verify). */
  readonly vectorFiles?: boolean;
  /** Prints every layer's data as one JSON document (run --json). */
  readonly jsonTrace?: boolean;
}

export function heapRoom(): number {
  const h = getHeapStatistics();
  return h.heap_size_limit - h.used_heap_size;
}

/** Refuses, at the first tensor that breaks a limit, a model the workload could not run in `budget`. */
export function checkModelMemory(model: Pick<Model, "input" | "layers">, budget: MemoryBudget, workload: Workload, file?: string): void {
  const { vectors } = workload;
  const perVectors = vectors === 1 ? "" : ` for ${vectors} vectors`;
  // `lead` ends in the verb: "its output 4096×4096×64 brings the golden tensors to" 8.0 GiB, above …
  const overBudget = (path: string, lead: string, need: number, hint: string): never => {
    throw new QuantrtlError(file, path, `${lead} ${formatBytes(need)}, above the memory budget ${formatBytes(budget.bytes)} (${budget.source})`, hint);
  };
  const raiseHint = (need: number) =>
    `a smaller input${vectors > 1 ? " or fewer --vectors" : ""}, or --max-memory ${Math.ceil(need / GiB)}G if the machine has it`;
  checkElements(file, "/input", "the input", model.input);
  const weights = model.layers.reduce((sum, l) => sum + typedArrayBytes(l), 0);
  if (weights > budget.bytes) overBudget("", `the weights of the ${model.layers.length} layers take`, weights, "--max-memory with more, or a smaller model");
  // the model's sha256 is taken over one canonical JSON text of every weight (load.ts hashModel)
  const hashChars = weights / TENSOR_BYTES > MAX_STRING_CHARS / 12 ? canonicalChars(model.layers) : 0;
  if (hashChars > MAX_STRING_CHARS) {
    throw new QuantrtlError(
      file,
      "",
      `the weights as the canonical JSON the model hash is taken over would be ${hashChars} characters, more than a JS string holds (${MAX_STRING_CHARS})`,
      "a smaller model (fewer or narrower layers)",
    );
  }
  let golden = vectors * tensorSize(model.input) * TENSOR_BYTES;
  if (weights + golden > budget.bytes)
    overBudget("/input", `the input ${dims(model.input)}${perVectors} as Int32Array takes, with the weights,`, weights + golden, raiseHint(weights + golden));
  let largestText = { words: vectors * tensorSize(model.input), bits: model.input.bits, path: "/input", what: "the input" };
  let jsonChars = 0;
  model.layers.forEach((layer, i) => {
    const path = `/layers/${i} (${layer.name})`;
    checkElements(file, path, "its output", layer.output);
    const elements = tensorSize(layer.output);
    // flatten hands its input's array on; every other layer allocates its output
    if (layer.kind !== "flatten") golden += vectors * elements * TENSOR_BYTES;
    const scratch = layer.kind === "conv2d" || layer.kind === "dense" ? elements * ACCUMULATOR_BYTES : 0;
    const need = weights + golden + scratch;
    if (need > budget.bytes) {
      overBudget(
        path,
        `its output ${dims(layer.output)}${perVectors} brings ${scratch ? "the weights, golden tensors and its accumulators" : "the weights and golden tensors"} to`,
        need,
        raiseHint(need),
      );
    }
    if (vectors * elements > largestText.words) largestText = { words: vectors * elements, bits: layer.output.bits, path, what: "its output" };
    jsonChars += elements * jsonCharsPerValue(layer.output.bits);
  });
  if (workload.vectorFiles) {
    const { words, bits, path, what } = largestText;
    const chars = words * (hexDigits(bits) + 1);
    const hint = `fewer --vectors or a smaller input`;
    if (chars > MAX_STRING_CHARS)
      throw new QuantrtlError(
        file,
        path,
        `${what}: its test vectors (${words} words${perVectors}) would be ${chars} characters of text, more than a JS string holds (${MAX_STRING_CHARS})`,
        hint,
      );
    const heap = words * HEX_WORD_HEAP_BYTES;
    if (heap > heapRoom())
      throw new QuantrtlError(
        file,
        path,
        `${what}: writing its test vectors (${words} words${perVectors}) takes about ${formatBytes(heap)} of JS heap, more than the ${formatBytes(heapRoom())} left under V8's heap limit`,
        hint,
      );
    if (weights + golden + heap > budget.bytes)
      overBudget(
        path,
        `${what}: writing its test vectors${perVectors} brings the weights, golden tensors and text to`,
        weights + golden + heap,
        raiseHint(weights + golden + heap),
      );
  }
  if (workload.jsonTrace) {
    const where = `/layers/${model.layers.length - 1}`;
    const hint = "leave out --json (the summary lines need no copy), or a smaller input";
    if (jsonChars > MAX_STRING_CHARS)
      throw new QuantrtlError(
        file,
        where,
        `the --json output of every layer would be about ${jsonChars} characters, more than a JS string holds (${MAX_STRING_CHARS})`,
        hint,
      );
    const heap = jsonChars + (golden / TENSOR_BYTES) * JSON_SLOT_BYTES;
    if (heap > heapRoom())
      throw new QuantrtlError(
        file,
        where,
        `the --json output of every layer takes about ${formatBytes(heap)} of JS heap, more than the ${formatBytes(heapRoom())} left under V8's heap limit`,
        hint,
      );
    if (weights + golden + heap > budget.bytes)
      overBudget(where, "the --json output brings the weights, golden tensors and text to", weights + golden + heap, hint);
  }
}

function checkElements(file: string | undefined, path: string, what: string, t: TensorSpec): void {
  const n = tensorSize(t);
  if (n > MAX_TENSOR_ELEMENTS) {
    throw new QuantrtlError(
      file,
      path,
      `${what} ${dims(t)} has ${n} elements, more than a typed array of the golden model holds (2^31 − 1 = ${MAX_TENSOR_ELEMENTS})`,
      "use a smaller input (height × width × channels)",
    );
  }
}

function dims(t: TensorSpec): string {
  return `${t.height}×${t.width}×${t.channels}`;
}

/** Bytes of every typed array a layer holds (weights, bias, thresholds, per-channel multipliers, tables). */
function typedArrayBytes(value: unknown, seen = new Set<unknown>()): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value === null || typeof value !== "object" || seen.has(value)) return 0;
  seen.add(value);
  let sum = 0;
  for (const v of Object.values(value)) sum += typedArrayBytes(v, seen);
  return sum;
}

/** Characters of every typed array of the layers as JSON numbers with commas. */
function canonicalChars(value: unknown, seen = new Set<unknown>()): number {
  if (ArrayBuffer.isView(value)) {
    let chars = 0;
    for (const v of value as Int32Array) chars += String(v).length + 1;
    return chars;
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return 0;
  seen.add(value);
  let sum = 0;
  for (const v of Object.values(value)) sum += canonicalChars(v, seen);
  return sum;
}

function hexDigits(bits: number): number {
  return Math.ceil(bits / 4);
}

/** Characters of one value and its comma in JSON: "-128," for int8, "-2147483648," for int32. */
function jsonCharsPerValue(bits: number): number {
  return bits === 1 ? 3 : String(-(2 ** (bits - 1))).length + 1;
}
