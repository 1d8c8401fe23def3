/**
 * The ARRAY performance model: every layer of a workload, lowered to a GEMM,
 * mapped onto one systolic array by the tiling search, and reported with its
 * cycles, utilisation, DRAM and SRAM traffic and a roofline point. Layers run
 * one after another (no overlap between layers), as on a single time-shared
 * array.
 */
import { QuantrtlError } from "../../util/errors.js";
import { validateArch, type ArrayArch } from "./arch.js";
import { searchTiling } from "./search.js";
import type { DramTraffic, LoopOrder } from "./tiling.js";
import { gemmMacs, lowerToGemm, resolveBits, validateWorkload, type ElementBits, type Workload, type WorkloadLayer } from "./workload.js";

/** One point on the roofline, with ops = MACs and time in cycles. */
export interface RooflinePoint {
  /** MACs per DRAM byte. */
  readonly intensity: number;
  /** MACs per cycle achieved. */
  readonly performance: number;
  /** MACs per cycle the array can do: R·C. */
  readonly peak: number;
  /** DRAM bytes per cycle. */
  readonly bandwidth: number;
  /** min(peak, intensity · bandwidth). */
  readonly attainable: number;
  readonly bound: "compute" | "memory";
}

export interface TilingReport {
  readonly tileM: number;
  readonly tileK: number;
  readonly tileN: number;
  readonly order: LoopOrder;
  readonly trips: { readonly m: number; readonly k: number; readonly n: number };
  readonly steps: number;
  readonly folds: number;
}

export interface LayerReport {
  readonly name: string;
  readonly kind: WorkloadLayer["kind"];
  readonly gemm: { readonly M: number; readonly K: number; readonly N: number; readonly batch: number };
  readonly bits: ElementBits;
  readonly macs: number;
  readonly computeCycles: number;
  /** Cycles the array waits on DRAM: per-tile transfer beyond compute, plus prologue and epilogue. */
  readonly stallCycles: number;
  readonly totalCycles: number;
  readonly utilization: number;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  readonly dram: DramTraffic;
  readonly bufferReadBytes: number;
  readonly bufferWriteBytes: number;
  /** MACs per DRAM byte. */
  readonly arithmeticIntensity: number;
  readonly tiling: TilingReport;
  readonly roofline: RooflinePoint;
}

export interface TotalReport {
  readonly layers: number;
  readonly macs: number;
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly totalCycles: number;
  readonly utilization: number;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  readonly bufferReadBytes: number;
  readonly bufferWriteBytes: number;
  readonly arithmeticIntensity: number;
  readonly latencyMs: number;
  readonly inferencesPerSecond: number;
  readonly roofline: RooflinePoint;
}

export interface ArrayReport {
  readonly workload: string;
  readonly arch: ArrayArch;
  readonly layers: readonly LayerReport[];
  readonly total: TotalReport;
}

export function rooflinePoint(macs: number, dramBytes: number, cycles: number, arch: ArrayArch): RooflinePoint {
  const peak = arch.rows * arch.cols;
  const bandwidth = arch.dramBytesPerCycle;
  const intensity = dramBytes > 0 ? macs / dramBytes : Infinity;
  const attainable = Math.min(peak, intensity * bandwidth);
  return { intensity, performance: macs / cycles, peak, bandwidth, attainable, bound: intensity * bandwidth < peak ? "memory" : "compute" };
}

/** Models one layer on a validated architecture. */
export function simulateLayer(layer: WorkloadLayer, bits: ElementBits, arch: ArrayArch): LayerReport {
  const gemm = lowerToGemm(layer);
  const macs = gemmMacs(gemm);
  const { tiling, cost } = searchTiling(gemm, bits, arch, layer.name);
  const dramBytes = cost.dramReadBytes + cost.dramWriteBytes;
  return {
    name: layer.name,
    kind: layer.kind,
    gemm: { M: gemm.M, K: gemm.K, N: gemm.N, batch: gemm.batch },
    bits,
    macs,
    computeCycles: cost.computeCycles,
    stallCycles: cost.totalCycles - cost.computeCycles,
    totalCycles: cost.totalCycles,
    utilization: macs / (arch.rows * arch.cols * cost.totalCycles),
    dramReadBytes: cost.dramReadBytes,
    dramWriteBytes: cost.dramWriteBytes,
    dram: cost.dram,
    bufferReadBytes: cost.bufferReadBytes,
    bufferWriteBytes: cost.bufferWriteBytes,
    arithmeticIntensity: macs / dramBytes,
    tiling: { ...tiling, trips: cost.trips, steps: cost.steps, folds: cost.folds },
    roofline: rooflinePoint(macs, dramBytes, cost.totalCycles, arch),
  };
}

function sum(
  layers: readonly LayerReport[],
  key: keyof LayerReport &
    ("macs" | "computeCycles" | "stallCycles" | "totalCycles" | "dramReadBytes" | "dramWriteBytes" | "bufferReadBytes" | "bufferWriteBytes"),
): number {
  return layers.reduce((acc, layer) => acc + layer[key], 0);
}

/**
 * Predicts cycles, utilisation and traffic of `workload` on `arch`. Validates
 * both first (QuantrtlError naming the parameter or the JSON pointer).
 */
export function simulateArray(workload: Workload, archInput: ArrayArch): ArrayReport {
  const arch = validateArch(archInput);
  validateWorkload(workload);
  // The PEs implement one kernel; an adder array cannot run a MAC network.
  if (workload.datapath !== arch.datapath) {
    throw new QuantrtlError(
      undefined,
      "datapath",
      `workload "${workload.name}" uses the ${workload.datapath} datapath but the array's PEs are ${arch.datapath}`,
      `set the array's datapath to "${workload.datapath}"`,
    );
  }
  const layers = workload.layers.map((layer) => simulateLayer(layer, resolveBits(workload, layer), arch));
  const macs = sum(layers, "macs");
  const totalCycles = sum(layers, "totalCycles");
  const dramReadBytes = sum(layers, "dramReadBytes");
  const dramWriteBytes = sum(layers, "dramWriteBytes");
  const latencyMs = totalCycles / (arch.clockMHz * 1000);
  return {
    workload: workload.name,
    arch,
    layers,
    total: {
      layers: layers.length,
      macs,
      computeCycles: sum(layers, "computeCycles"),
      stallCycles: sum(layers, "stallCycles"),
      totalCycles,
      utilization: macs / (arch.rows * arch.cols * totalCycles),
      dramReadBytes,
      dramWriteBytes,
      bufferReadBytes: sum(layers, "bufferReadBytes"),
      bufferWriteBytes: sum(layers, "bufferWriteBytes"),
      arithmeticIntensity: macs / (dramReadBytes + dramWriteBytes),
      latencyMs,
      inferencesPerSecond: 1000 / latencyMs,
      roofline: rooflinePoint(macs, dramReadBytes + dramWriteBytes, totalCycles, arch),
    },
  };
}
