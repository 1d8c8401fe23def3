/**
 * Workload IR of the ARRAY performance model: a named list of conv and matmul
 * layers, each lowered to a GEMM (M × K) · (K × N), repeated `batch` times.
 * This model is for networks too large to stream layer-per-engine on chip
 * (AlexNet, ResNet, DeiT): one systolic array is time-shared by every layer,
 * in the manner of SCALE-Sim and Timeloop (workload, architecture and mapping
 * kept as separate inputs).
 */
import { QuantrtlError } from "../../util/errors.js";

/** The PE's reduction kernel (docs/design.md "Number semantics"): mac, AdderNet, XNOR-popcount or shift. */
export type ArrayDatapath = "mac" | "adder" | "xnor" | "shift";
export const ARRAY_DATAPATHS: readonly ArrayDatapath[] = ["mac", "adder", "xnor", "shift"];

/** Element widths that decide traffic and buffer footprints. */
export interface ElementBits {
  readonly activation: number;
  readonly weight: number;
  /** Partial sums: what the ofmap buffer holds while a reduction is unfinished, and what a spilled partial costs. */
  readonly accumulator: number;
  /** Final outputs after requantization (or thresholding): what a finished output costs to write. */
  readonly output: number;
}

export interface ConvWorkloadLayer {
  readonly kind: "conv";
  readonly name: string;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly stride: number;
  readonly pad: number;
  /** Grouped conv: `groups` independent GEMMs (default 1). */
  readonly groups?: number;
  readonly bits?: Partial<ElementBits>;
}

export interface MatmulWorkloadLayer {
  readonly kind: "matmul";
  readonly name: string;
  /** Rows (tokens). */
  readonly M: number;
  /** Reduction length. */
  readonly K: number;
  /** Output features. */
  readonly N: number;
  /** Independent GEMMs of this shape, e.g. attention heads (default 1). */
  readonly batch?: number;
  readonly bits?: Partial<ElementBits>;
}

export type WorkloadLayer = ConvWorkloadLayer | MatmulWorkloadLayer;

export interface Workload {
  readonly name: string;
  readonly datapath: ArrayDatapath;
  readonly layers: readonly WorkloadLayer[];
  /** Workload-wide element widths; a layer's own `bits` override these. */
  readonly bits?: Partial<ElementBits>;
}

/**
 * Default widths: int8 operands, 32-bit accumulators, outputs requantized to
 * 8 bits before they leave the chip. XNOR nets carry ±1 values as single bits
 * and threshold their outputs to one bit (docs/design.md "Number semantics", XNOR kernel).
 */
export function defaultBits(datapath: ArrayDatapath): ElementBits {
  return datapath === "xnor" ? { activation: 1, weight: 1, accumulator: 32, output: 1 } : { activation: 8, weight: 8, accumulator: 32, output: 8 };
}

export function resolveBits(workload: Workload, layer: WorkloadLayer): ElementBits {
  return { ...defaultBits(workload.datapath), ...workload.bits, ...layer.bits };
}

/** How the GEMM's A operand (the ifmap) sits in memory: a plain matrix, or an image the GEMM reads through im2col. */
export type IfmapLayout =
  | { readonly kind: "matrix" }
  | {
      readonly kind: "image";
      readonly inH: number;
      readonly inW: number;
      readonly outH: number;
      readonly outW: number;
      readonly kH: number;
      readonly kW: number;
      readonly stride: number;
      /** Input channels feeding one GEMM (inC / groups). */
      readonly channels: number;
    };

/** C (M × N) = A (M × K) · B (K × N), `batch` times. */
export interface Gemm {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly batch: number;
  readonly ifmap: IfmapLayout;
}

/** Output size of a conv axis: floor((in + 2·pad − k) / stride) + 1. */
export function convOutputSize(inSize: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((inSize + 2 * pad - kernel) / stride) + 1;
}

/**
 * Conv → GEMM (im2col): one GEMM row per output pixel (M = outH·outW), one
 * reduction element per window tap (K = kH·kW·inC/groups), one column per
 * output channel (N = outC/groups); groups become the batch.
 */
export function lowerToGemm(layer: WorkloadLayer): Gemm {
  if (layer.kind === "matmul") {
    return { M: layer.M, K: layer.K, N: layer.N, batch: layer.batch ?? 1, ifmap: { kind: "matrix" } };
  }
  const groups = layer.groups ?? 1;
  const outH = convOutputSize(layer.inH, layer.kH, layer.stride, layer.pad);
  const outW = convOutputSize(layer.inW, layer.kW, layer.stride, layer.pad);
  const channels = layer.inC / groups;
  return {
    M: outH * outW,
    K: layer.kH * layer.kW * channels,
    N: layer.outC / groups,
    batch: groups,
    ifmap: { kind: "image", inH: layer.inH, inW: layer.inW, outH, outW, kH: layer.kH, kW: layer.kW, stride: layer.stride, channels },
  };
}

export function gemmMacs(gemm: Gemm): number {
  return gemm.M * gemm.K * gemm.N * gemm.batch;
}

export function workloadMacs(workload: Workload): number {
  return workload.layers.reduce((sum, layer) => sum + gemmMacs(lowerToGemm(layer)), 0);
}

// ---------------------------------------------------------------------------
// Validation at the edge (docs/design.md "Errors": check at the edge, trust inside).

function fail(path: string, problem: string, hint: string): never {
  throw new QuantrtlError(undefined, path, problem, hint);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}

function checkPositiveInt(value: unknown, path: string, what: string): void {
  if (!isPositiveInt(value)) fail(path, `${what} must be a positive integer, got ${JSON.stringify(value)}`, "use an integer ≥ 1");
}

function checkBits(bits: unknown, path: string): void {
  if (bits === undefined) return;
  if (typeof bits !== "object" || bits === null) fail(path, "bits must be an object", "e.g. { activation: 8, weight: 8, accumulator: 32, output: 8 }");
  for (const [key, value] of Object.entries(bits)) {
    if (!["activation", "weight", "accumulator", "output"].includes(key)) {
      fail(`${path}/${key}`, `unknown element width "${key}"`, "one of activation, weight, accumulator, output");
    }
    if (!isPositiveInt(value) || value > 64) fail(`${path}/${key}`, `${key} bits must be an integer in 1..64, got ${JSON.stringify(value)}`, "e.g. 8");
  }
}

/** Throws a QuantrtlError (path = JSON pointer into the workload) at the first invalid field. */
export function validateWorkload(workload: Workload): void {
  if (typeof workload.name !== "string" || workload.name === "") fail("/name", "workload name must be a non-empty string", 'e.g. "resnet20"');
  if (!ARRAY_DATAPATHS.includes(workload.datapath)) {
    fail("/datapath", `unknown datapath ${JSON.stringify(workload.datapath)}`, `one of ${ARRAY_DATAPATHS.join(", ")}`);
  }
  checkBits(workload.bits, "/bits");
  if (!Array.isArray(workload.layers) || workload.layers.length === 0) fail("/layers", "a workload needs at least one layer", "add a conv or matmul layer");
  workload.layers.forEach((layer, i) => validateLayer(layer, `/layers/${i}`));
}

function validateLayer(layer: WorkloadLayer, path: string): void {
  if (typeof layer.name !== "string" || layer.name === "") fail(`${path}/name`, "layer name must be a non-empty string", 'e.g. "conv1"');
  const where = `layer "${layer.name}": `;
  checkBits(layer.bits, `${path}/bits`);
  if (layer.kind === "matmul") {
    for (const key of ["M", "K", "N"] as const) checkPositiveInt(layer[key], `${path}/${key}`, where + key);
    if (layer.batch !== undefined) checkPositiveInt(layer.batch, `${path}/batch`, where + "batch");
    return;
  }
  if (layer.kind !== "conv") fail(`${path}/kind`, `${where}unknown layer kind ${JSON.stringify((layer as { kind: unknown }).kind)}`, 'one of "conv", "matmul"');
  for (const key of ["inH", "inW", "inC", "outC", "kH", "kW", "stride"] as const) checkPositiveInt(layer[key], `${path}/${key}`, where + key);
  if (!Number.isInteger(layer.pad) || layer.pad < 0)
    fail(`${path}/pad`, `${where}pad must be a non-negative integer, got ${JSON.stringify(layer.pad)}`, "e.g. 0 or 1");
  const groups = layer.groups ?? 1;
  checkPositiveInt(groups, `${path}/groups`, where + "groups");
  if (layer.inC % groups !== 0 || layer.outC % groups !== 0) {
    fail(`${path}/groups`, `${where}groups = ${groups} must divide inC = ${layer.inC} and outC = ${layer.outC}`, "use a common divisor of both");
  }
  if (layer.kH > layer.inH + 2 * layer.pad)
    fail(
      `${path}/kH`,
      `${where}kernel height ${layer.kH} exceeds the padded input height ${layer.inH + 2 * layer.pad}`,
      "use a smaller kernel or more padding",
    );
  if (layer.kW > layer.inW + 2 * layer.pad)
    fail(`${path}/kW`, `${where}kernel width ${layer.kW} exceeds the padded input width ${layer.inW + 2 * layer.pad}`, "use a smaller kernel or more padding");
}
