/**
 * The ARRAY performance model: every layer of a workload, lowered to a GEMM,
 * mapped onto one systolic array by the tiling search, and reported with its
 * cycles, utilisation, DRAM and SRAM traffic and a roofline point. Layers run
 * one after another (no overlap between layers), as on a single time-shared
 * array.
 */
import { QuantrtlError } from "../../util/errors.js";
import { validateArch, type ArrayArch } from "./arch.js";
import { tileComputeCycles } from "./fold.js";
import { tileFootprint } from "./footprint.js";
import { searchTiling, type Mapping } from "./search.js";
import { evaluateTiling, type DramTraffic, type LoopOrder } from "./tiling.js";
import { gemmMacs, lowerToGemm, resolveBits, validateWorkload, type ElementBits, type Gemm, type Workload, type WorkloadLayer } from "./workload.js";

/**
 * How a layer is mapped: "tiled" searches buffer tiles that fit the arch's
 * buffers (fold count and DRAM stalls include the tiling); "untiled" runs the
 * whole GEMM as one tile, as SCALE-Sim reports a layer with buffers large
 * enough that nothing is tiled.
 */
export type ArrayMapping = "tiled" | "untiled";
export interface ArrayOptions {
  readonly mapping?: ArrayMapping;
}

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
  /** Compute cycles of the mapping this report used (see ArrayReport.mapping). */
  readonly computeCycles: number;
  /** Compute cycles of the whole GEMM as one tile (no tiling): computeCycles minus what tiling adds. */
  readonly untiledComputeCycles: number;
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
  readonly untiledComputeCycles: number;
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
  /** "tiled": figures include the tiling the buffers force; "untiled": every layer is one tile. */
  readonly mapping: ArrayMapping;
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

/** The whole GEMM as one buffer tile: the untiled mapping. */
function wholeGemmMapping(gemm: Gemm, bits: ElementBits, arch: ArrayArch): Mapping {
  const tiling = { tileM: gemm.M, tileK: gemm.K, tileN: gemm.N, order: ["m", "n", "k"] as const };
  return { tiling, cost: evaluateTiling(gemm, bits, arch, tiling) };
}

/**
 * `arch` with buffers just large enough that no layer of `workload` is tiled:
 * each holds two whole-GEMM tiles (double buffering), the largest over the layers.
 */
export function untiledArch(workload: Workload, arch: ArrayArch): ArrayArch {
  let ifmap = 1,
    weight = 1,
    ofmap = 1;
  for (const layer of workload.layers) {
    const gemm = lowerToGemm(layer);
    const footprint = tileFootprint(gemm, resolveBits(workload, layer), arch, gemm.M, gemm.K, gemm.N, 1);
    ifmap = Math.max(ifmap, 2 * footprint.ifmapBytes);
    weight = Math.max(weight, 2 * footprint.weightBytes);
    ofmap = Math.max(ofmap, 2 * footprint.ofmapBytes);
  }
  return { ...arch, ifmapBufferBytes: ifmap, weightBufferBytes: weight, ofmapBufferBytes: ofmap };
}

/** Models one layer on a validated architecture. */
export function simulateLayer(layer: WorkloadLayer, bits: ElementBits, arch: ArrayArch, mapping: ArrayMapping = "tiled"): LayerReport {
  const gemm = lowerToGemm(layer);
  const macs = gemmMacs(gemm);
  const { tiling, cost } = mapping === "untiled" ? wholeGemmMapping(gemm, bits, arch) : searchTiling(gemm, bits, arch, layer.name);
  const dramBytes = cost.dramReadBytes + cost.dramWriteBytes;
  return {
    name: layer.name,
    kind: layer.kind,
    gemm: { M: gemm.M, K: gemm.K, N: gemm.N, batch: gemm.batch },
    bits,
    macs,
    computeCycles: cost.computeCycles,
    untiledComputeCycles: gemm.batch * tileComputeCycles(arch, gemm.M, gemm.K, gemm.N),
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
    (
      | "macs"
      | "computeCycles"
      | "untiledComputeCycles"
      | "stallCycles"
      | "totalCycles"
      | "dramReadBytes"
      | "dramWriteBytes"
      | "bufferReadBytes"
      | "bufferWriteBytes"
    ),
): number {
  return layers.reduce((acc, layer) => acc + layer[key], 0);
}

/**
 * Predicts cycles, utilisation and traffic of `workload` on `arch`. Validates
 * both first (QuantrtlError naming the parameter or the JSON pointer). With
 * `mapping: "untiled"` the buffers are first enlarged (untiledArch) and every
 * layer runs as one tile.
 */
export function simulateArray(workload: Workload, archInput: ArrayArch, options: ArrayOptions = {}): ArrayReport {
  const mapping = options.mapping ?? "tiled";
  validateArch(archInput);
  validateWorkload(workload);
  const arch = mapping === "untiled" ? untiledArch(workload, archInput) : archInput;
  // The PEs implement one kernel; an adder array cannot run a MAC network.
  if (workload.datapath !== arch.datapath) {
    throw new QuantrtlError(
      undefined,
      "datapath",
      `workload "${workload.name}" uses the ${workload.datapath} datapath but the array's PEs are ${arch.datapath}`,
      `set the array's datapath to "${workload.datapath}"`,
    );
  }
  const layers = workload.layers.map((layer) => simulateLayer(layer, resolveBits(workload, layer), arch, mapping));
  const macs = sum(layers, "macs");
  const totalCycles = sum(layers, "totalCycles");
  const dramReadBytes = sum(layers, "dramReadBytes");
  const dramWriteBytes = sum(layers, "dramWriteBytes");
  const latencyMs = totalCycles / (arch.clockMHz * 1000);
  return {
    workload: workload.name,
    arch,
    mapping,
    layers,
    total: {
      layers: layers.length,
      macs,
      computeCycles: sum(layers, "computeCycles"),
      untiledComputeCycles: sum(layers, "untiledComputeCycles"),
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
