/**
 * The mac, adder and shift sums of a conv/dense layer evaluated by WebAssembly SIMD
 * kernels (kernels.wat, bytes in kernels-bytes.ts): a faster evaluation of the same
 * §2 sums as the JS kernels in ../conv2d.ts (src/arith/datapath.ts defines the terms);
 * the tests prove the two equal. Bias, requant and thresholds stay in ../conv2d.ts.
 *
 * When a kernel may be used (simdKernelFor): every lane sum wraps mod 2^32 and the
 * final sum is read as i32, so the result is exact iff the true sum of the K terms
 * (accRange without the bias, which is added in float64 afterwards) lies in i32.
 * Operands: i16 lanes hold any activation or weight of ≤ 16 bits and every shift
 * coefficient ±2^q (q ≤ weightBits − 2 ≤ 14); i8 lanes any value of ≤ 8 bits (adder8).
 * Padded taps are written as 0, which must be the datapath's paddingValue.
 */
import { accRange, Datapath, paddingValue } from "../../../arith/datapath.js";
import { Conv2dLayer, reductionLength } from "../../../ir/model.js";
import { KERNELS_WASM_BASE64 } from "./kernels-bytes.js";

export type SimdKernel = "mac16" | "adder8" | "adder16";

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;

/** The SIMD kernel that evaluates a layer's sum exactly, or undefined (the JS kernel does). */
export function simdKernelFor(datapath: Datapath, activationBits: number, weightBits: number, reductionLength: number): SimdKernel | undefined {
  if (datapath === "xnor" || paddingValue(datapath) !== 0 || activationBits > 16 || weightBits > 16) return undefined;
  const sum = accRange(datapath, activationBits, weightBits, reductionLength);
  if (sum.lo < I32_MIN || sum.hi > I32_MAX) return undefined;
  if (datapath === "adder") return activationBits <= 8 && weightBits <= 8 ? "adder8" : "adder16";
  return "mac16"; // mac, and shift as x·coefficient (shiftCoefficient)
}

/** A layer's operands in the kernels' layout (kernels.wat): built once per layer. */
export interface SimdPlan {
  readonly kernel: SimdKernel;
  /** Bytes per value: 1 (i8 lanes) or 2 (i16 lanes). */
  readonly valueBytes: 1 | 2;
  /** Bytes per patch row and per weight row: K values, zero-padded to a multiple of 32 bytes. */
  readonly rowBytes: number;
  /** Weight rows (OC × rowBytes/valueBytes values). */
  readonly weights: Int8Array | Int16Array;
  /** Each pixel's window as segmentsPerPixel (byte offset into the input or −1 for padding, byte length) pairs. */
  readonly segments: Int32Array;
  readonly segmentsPerPixel: number;
}

/**
 * The window of each output pixel as runs of bytes: per kernel row, the padding left of
 * the input, the KW·C contiguous input values inside it (HWC), the padding right of it.
 */
function windowSegments(layer: Conv2dLayer, valueBytes: number): Int32Array {
  const { height: H, width: W, channels: C } = layer.input;
  const { height: OH, width: OW } = layer.output;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const [PY, PX] = layer.padding;
  const tapBytes = C * valueBytes;
  const segments = new Int32Array(OH * OW * KH * 6);
  let s = 0;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const ix = ox * SX - PX;
      const left = Math.min(KW, Math.max(0, -ix));
      const right = Math.min(KW - left, Math.max(0, ix + KW - W));
      const inside = KW - left - right;
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * SY - PY + ky;
        const rowInside = iy >= 0 && iy < H;
        segments[s++] = -1;
        segments[s++] = (rowInside ? left : KW) * tapBytes;
        segments[s++] = rowInside ? (iy * W + ix + left) * tapBytes : 0;
        segments[s++] = rowInside ? inside * tapBytes : 0;
        segments[s++] = -1;
        segments[s++] = rowInside ? right * tapBytes : 0;
      }
    }
  }
  return segments;
}

/** @param weights the values the summed term reads, OC rows of K (w; shift: its coefficients) */
export function simdPlan(kernel: SimdKernel, layer: Conv2dLayer, weights: ArrayLike<number>): SimdPlan {
  const OC = layer.output.channels;
  const K = reductionLength(layer);
  const valueBytes = kernel === "adder8" ? 1 : 2;
  const rowBytes = Math.ceil((K * valueBytes) / 32) * 32;
  const rowValues = rowBytes / valueBytes;
  const rows = valueBytes === 1 ? new Int8Array(OC * rowValues) : new Int16Array(OC * rowValues);
  for (let oc = 0; oc < OC; oc++) for (let k = 0; k < K; k++) rows[oc * rowValues + k] = weights[oc * K + k];
  return { kernel, valueBytes, rowBytes, weights: rows, segments: windowSegments(layer, valueBytes), segmentsPerPixel: 3 * layer.kernel[0] };
}

/** The part of the WebAssembly JS API used here (the compile settings have no DOM lib, which declares it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Kernels {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  im2col(segments: number, segmentsPerPixel: number, pixels: number, src: number, dst: number, rowBytes: number): void;
  mac16(x: number, w: number, pixels: number, channels: number, rowBytes: number, out: number): void;
  adder8(x: number, w: number, pixels: number, channels: number, rowBytes: number, out: number): void;
  adder16(x: number, w: number, pixels: number, channels: number, rowBytes: number, out: number): void;
}

let instance: Kernels | null | undefined;

/** The kernels of this thread (one instance each: its memory is scratch), or null without WebAssembly SIMD. */
function kernels(): Kernels | null {
  if (instance === undefined) {
    const bytes = Buffer.from(KERNELS_WASM_BASE64, "base64");
    instance = wasm.validate(bytes) ? (new wasm.Instance(new wasm.Module(bytes)).exports as Kernels) : null;
  }
  return instance;
}

export function simdAvailable(): boolean {
  return kernels() !== null;
}

/** Patch rows per call: a block of about 128 KiB stays in cache while every weight row passes over it. */
const BLOCK_BYTES = 128 * 1024;
const SPARE = 16; // the kernels' 16-byte steps may read or write up to 15 bytes past a region
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * A layer's constants (window segments, weight rows) stay in the memory between calls,
 * from address 0 up to residentEnd; the per-call scratch (input, patches, sums) lies
 * above. Past residentLimit every layer is evicted and loaded again when next used.
 */
let residentLimit = 32 * 1024 * 1024;
let residentEnd = 0;
let resident = new WeakMap<SimdPlan, { segments: number; weights: number }>();

/** Tests: a small limit makes every new layer evict the others. */
export function setSimdResidentLimit(bytes: number): void {
  residentLimit = bytes;
}

function ensureMemory(k: Kernels, end: number): ArrayBuffer {
  const memory = k.memory;
  if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  return memory.buffer;
}

function residentAddresses(k: Kernels, plan: SimdPlan): { segments: number; weights: number } {
  const known = resident.get(plan);
  if (known) return known;
  const bytes = align16(plan.segments.length * 4) + align16(plan.weights.length * plan.valueBytes);
  if (residentEnd + bytes > residentLimit) {
    residentEnd = 0;
    resident = new WeakMap();
  }
  const at = { segments: residentEnd, weights: residentEnd + align16(plan.segments.length * 4) };
  residentEnd += bytes;
  const buffer = ensureMemory(k, residentEnd);
  new Int32Array(buffer, at.segments, plan.segments.length).set(plan.segments);
  if (plan.valueBytes === 1) new Int8Array(buffer, at.weights, plan.weights.length).set(plan.weights);
  else new Int16Array(buffer, at.weights, plan.weights.length).set(plan.weights);
  resident.set(plan, at);
  return at;
}

/**
 * acc[p·OC + oc] = the layer's sum for pixel p and channel oc, plus bias[oc] (no bias: undefined).
 * `input` is the layer's HWC input; its values fit the plan's lanes (simdKernelFor).
 */
export function simdAccumulators(
  plan: SimdPlan,
  input: Int32Array,
  pixels: number,
  outChannels: number,
  bias: Float64Array | undefined,
  acc: Float64Array,
): void {
  const k = kernels()!;
  const { valueBytes, rowBytes, segmentsPerPixel } = plan;
  const at = residentAddresses(k, plan);
  const block = Math.max(1, Math.min(pixels, Math.floor(BLOCK_BYTES / rowBytes)));
  const inOff = align16(residentEnd);
  const patchOff = align16(inOff + input.length * valueBytes + SPARE);
  const outOff = align16(patchOff + block * rowBytes + SPARE);
  const buffer = ensureMemory(k, outOff + block * outChannels * 4);
  if (valueBytes === 1) new Int8Array(buffer, inOff, input.length).set(input);
  else new Int16Array(buffer, inOff, input.length).set(input);
  const out = new Int32Array(buffer, outOff, block * outChannels);
  const run = plan.kernel === "mac16" ? k.mac16 : plan.kernel === "adder8" ? k.adder8 : k.adder16;
  for (let p0 = 0; p0 < pixels; p0 += block) {
    const n = Math.min(block, pixels - p0);
    k.im2col(at.segments + p0 * segmentsPerPixel * 8, segmentsPerPixel, n, inOff, patchOff, rowBytes);
    run(patchOff, at.weights, n, outChannels, rowBytes, outOff);
    acc.set(n === block ? out : out.subarray(0, n * outChannels), p0 * outChannels);
    if (bias) for (let p = 0, a = p0 * outChannels; p < n; p++) for (let oc = 0; oc < outChannels; oc++) acc[a++] += bias[oc];
  }
}
