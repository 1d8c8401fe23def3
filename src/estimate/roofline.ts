/**
 * The roofline of the streaming design itself: every weight sits in an on-chip
 * ROM and every intermediate activation in an on-chip buffer, so the only DRAM
 * traffic is the model input (read by the first engine) and the model output
 * (written after the last). A layer that touches DRAM is placed against the
 * board's DRAM bandwidth; every other layer against the on-chip bandwidth its
 * own memories deliver (the weight ROM's PE·SIMD words and the line buffer's
 * SIMD words per cycle, the width the engine was built to consume).
 */
import { Board } from "../ir/board.js";
import { engineLayers, Model, outputPixels, reductionLength } from "../ir/model.js";
import { foldCounts } from "../ir/folding.js";
import { EnergyReport, streamingDramBytes } from "./energy.js";

export interface StreamingRooflinePoint {
  readonly name: string;
  /** MACs per byte of the memory the layer is placed against. */
  readonly intensity: number;
  /** MACs per second attained at the design's frame interval, G/s. */
  readonly performance: number;
  /** PE·SIMD MACs per cycle at the board clock, G/s. */
  readonly peak: number;
  /** GB/s of that memory: the board's DRAM, or the layer's on-chip memories at full rate. */
  readonly bandwidth: number;
  readonly memory: "dram" | "on-chip";
  /** Bytes per frame from and to DRAM (model input and output only). */
  readonly dramBytes: number;
  /** Bytes per frame read from on-chip weight ROM and activation buffers (as the energy model counts them). */
  readonly onChipBytes: number;
}

/**
 * One point per engine layer, given the design's frame interval (cycles per
 * frame in steady state) and the energy model's on-chip traffic per layer.
 */
export function streamingRoofline(model: Model, board: Board, intervalCycles: number, energy: EnergyReport): StreamingRooflinePoint[] {
  const engines = engineLayers(model);
  const offChip = streamingDramBytes(model);
  const perSecond = (perCycle: number) => (perCycle * board.clockMHz) / 1000; // per cycle → G per second
  return engines.map((layer, i) => {
    const { pe, simd } = foldCounts(layer);
    const macs = outputPixels(layer) * reductionLength(layer) * layer.output.channels;
    const dramBytes = (i === 0 ? offChip.input : 0) + (i === engines.length - 1 ? offChip.output : 0);
    const traffic = energy.layers.find((l) => l.layer === layer.name);
    const onChipBytes = traffic ? traffic.sramWeightBytes + traffic.sramActivationBytes : 0;
    const onChipBytesPerCycle = (pe * simd * layer.weightBits + simd * layer.input.bits) / 8;
    const dram = dramBytes > 0;
    return {
      name: layer.name,
      intensity: dram ? macs / dramBytes : macs / onChipBytes,
      performance: perSecond(macs / intervalCycles),
      peak: perSecond(pe * simd),
      bandwidth: dram ? board.dram.gbPerSecond : perSecond(onChipBytesPerCycle),
      memory: dram ? "dram" : "on-chip",
      dramBytes,
      onChipBytes,
    };
  });
}
