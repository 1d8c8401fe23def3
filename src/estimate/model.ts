/**
 * The resource estimate of a whole model: every matrix-vector engine (the engine
 * formula) and every other unit of its netlist — forks, FIFOs, pools, residual adds,
 * ReLU, argmax, the ViT units and token layers (the stream-unit formula,
 * src/hw/layers/features.ts) — each with the error bar of its formula.
 */
import { Model, engineLayers } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { buildNetlist } from "../hw/netlist.js";
import { StreamUnitFeatures, StreamUnitKind, streamUnitFeatures } from "../hw/layers/index.js";
import { SynthTarget, synthTarget } from "../hw/target.js";
import {
  EngineEstimate,
  ErrorBar,
  errorBars,
  EstimateOptions,
  engineFeatures,
  estimateEngine,
  estimateWithFit,
  fittedFamily,
  FittedResource,
  ResourceKind,
  ResourceModelFile,
  resourceModel,
  Resources,
  sumResources,
  windowFeatures,
} from "./resources.js";

export interface UnitEstimate extends Resources {
  /** The netlist node: a layer's name, or a fork's / FIFO's. */
  readonly name: string;
  readonly kind: StreamUnitKind;
}

export interface ModelEstimate {
  readonly engines: readonly EngineEstimate[];
  readonly units: readonly UnitEstimate[];
  /** Engines and units. */
  readonly total: Resources;
  readonly engineErrorBar: Readonly<Record<ResourceKind, ErrorBar>>;
  readonly unitErrorBar: Readonly<Record<ResourceKind, ErrorBar>>;
}

/** One unit: the stream-unit formula, plus a pool's window and serializer under the engine formula. */
export function estimateStreamUnit(
  u: StreamUnitFeatures,
  target: SynthTarget,
  fit: { readonly resources: Readonly<Record<ResourceKind, FittedResource>>; readonly units: Readonly<Record<ResourceKind, FittedResource>> },
): Resources {
  const parts = [estimateWithFit(u.features, fit.units)];
  if (u.engineParts) parts.push(estimateWithFit(windowFeatures(u.engineParts.swu, u.engineParts.serializer, target), fit.resources));
  return sumResources(parts);
}

/** Every non-engine unit of the model's netlist, estimated under the family's stream-unit fit. */
export function estimateUnits(model: Model, board: Board, options: EstimateOptions = {}, file: ResourceModelFile = resourceModel()): UnitEstimate[] {
  const fit = fittedFamily(board.yosysFamily, file);
  const target = synthTarget(board, options.useDsp ?? true);
  const netlist = buildNetlist(model);
  return netlist.nodes.flatMap((node) => {
    const u = streamUnitFeatures(node, target, node.kind === "layer" ? node.inputs.map((i) => netlist.streams[i].bits) : undefined);
    return u ? [{ name: node.name, kind: u.kind, ...estimateStreamUnit(u, target, fit) }] : [];
  });
}

export function estimateModel(model: Model, board: Board, options: EstimateOptions = {}, file: ResourceModelFile = resourceModel()): ModelEstimate {
  const engines = engineLayers(model).map((l) => estimateEngine(l, board, options, file));
  const units = estimateUnits(model, board, options, file);
  return {
    engines,
    units,
    total: sumResources([...engines, ...units]),
    engineErrorBar: errorBars(board.yosysFamily, file),
    unitErrorBar: errorBars(board.yosysFamily, file, "units"),
  };
}

/** The engine-formula LUT features of the lanes themselves: multipliers (DSP or LUT), |x − w| units, shifters, xnors and their adder trees. */
export const LANE_LUT_FEATURES = ["mvu.macDspLanes", "mvu.macLutBits", "mvu.adderLaneBits", "mvu.shiftLaneBits", "mvu.xnorLanes", "mvu.treeBits"] as const;

/**
 * Estimated LUTs of the engines' lanes alone: the lane features' share of the
 * fitted LUT formula, summed over the engines — the datapath without the line
 * buffers, weight ROMs, requantization and control every build shares.
 */
export function estimateLaneLuts(model: Model, board: Board, options: EstimateOptions = {}, file: ResourceModelFile = resourceModel()): number {
  const coefficients = fittedFamily(board.yosysFamily, file).resources.lut.coefficients;
  const target = synthTarget(board, options.useDsp ?? true);
  let luts = 0;
  for (const layer of engineLayers(model)) {
    const features = engineFeatures(layer, target);
    for (const name of LANE_LUT_FEATURES) luts += (coefficients[name]?.value ?? 0) * (features[name] ?? 0);
  }
  return Math.round(luts);
}
