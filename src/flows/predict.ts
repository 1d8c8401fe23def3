/**
 * Streaming performance per layer and for the whole chain on a board: cycles,
 * latency at the board clock, frames/s, utilisation (ideal / predicted interval),
 * on-chip buffer bits and (Yosys-fitted) resource estimates with their fraction of the board.
 */
import { weightLoadBytes } from "../codegen/weight-load.js";
import { DEFAULT_BAUD } from "../codegen/board/uart.js";
import { Conv2dLayer, engineConv, engineLayers, isEngineLayer, Layer, Model, MODEL_INPUT, outputPixels, tensorSize } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { foldCounts, idealCycles } from "../ir/folding.js";
import { boardFraction, EngineEstimate, estimateEngine, Resources, sumResources } from "../estimate/resources.js";
import { estimateUnits, UnitEstimate } from "../estimate/model.js";
import { simulateStream } from "../perf/streaming.js";
import { unitFrameCycles } from "../hw/layers/index.js";

export interface LayerPerf {
  readonly name: string;
  readonly datapath: string;
  readonly pe: number;
  readonly simd: number;
  readonly nf: number;
  readonly sf: number;
  readonly idealCycles: number;
  /** One frame through this engine alone: first input to last output. */
  readonly latencyCycles: number;
  /** First input to first output (line-buffer warm-up plus the pipeline registers). */
  readonly fillCycles: number;
  /** Cycles between frames in steady state (this engine alone). */
  readonly intervalCycles: number;
  readonly utilization: number;
  readonly estimate: EngineEstimate;
  readonly fraction: Resources;
}

export interface StreamingPerf {
  readonly board: string;
  readonly clockMHz: number;
  /** True when every figure comes from the cycle-exact model; false when the design was too large to step and bounds were used. */
  readonly exact: boolean;
  readonly layers: readonly LayerPerf[];
  /** The units outside the engines (forks, FIFOs, pools, adds, ViT units, …): their Yosys-fitted estimates. */
  readonly units: readonly UnitEstimate[];
  readonly total: {
    readonly fillCycles: number;
    readonly latencyCycles: number;
    readonly intervalCycles: number;
    readonly latencyUs: number;
    readonly framesPerSecond: number;
    readonly utilization: number;
    readonly bufferBits: number;
    readonly resources: Resources;
    readonly fraction: Resources;
  };
  /**
   * Weights in loadable RAMs (SPRAM): their load image, sent once after configuration before the first
   * frame, and its time on the UART harness's line at the default baud (8N1, ten bits a byte). Not in
   * the cycles above, which are per frame. Absent when every weight is a ROM.
   */
  readonly weightLoad?: { readonly bytes: number; readonly baud: number; readonly seconds: number };
}

/** Above this many modelled cycles the chain is not stepped; bounds are reported instead (exact: false). */
export const MAX_STEPPED_CYCLES = 20_000_000;

/** Analytical bounds of one engine: the slowest of compute, input and output rates (one element per cycle each). */
export function boundInterval(layer: Conv2dLayer): number {
  const inputs = layer.input.height * layer.input.width * layer.input.channels;
  return Math.max(idealCycles(layer), inputs, outputPixels(layer) * layer.output.channels);
}

/** Bound of any layer: engines by their folding, the others by their one-element-per-cycle streams. */
function layerBound(layer: Layer): number {
  return isEngineLayer(layer) ? boundInterval(engineConv(layer)) : (unitFrameCycles(layer) ?? Math.max(tensorSize(layer.input), tensorSize(layer.output)));
}

function frameWork(model: Model): number {
  return model.layers.reduce((s, l) => s + layerBound(l), 0);
}

/** Whether chainTiming steps the model (exact figures) rather than bounding it: 3 frames within MAX_STEPPED_CYCLES. */
export function isSteppable(model: Model): boolean {
  return frameWork(model) * 3 <= MAX_STEPPED_CYCLES;
}

type ChainTiming = { fillCycles: number; latencyCycles: number; intervalCycles: number; exact: boolean };
/** Timing depends on the model alone (not the board); models are immutable, so one stepping serves every board. */
const timingCache = new WeakMap<Model, ChainTiming>();

/** Latency and steady-state interval: stepped exactly for 3 frames, or bounded when too large. */
export function chainTiming(model: Model): ChainTiming {
  let t = timingCache.get(model);
  if (!t) timingCache.set(model, (t = computeChainTiming(model)));
  return t;
}

function computeChainTiming(model: Model): ChainTiming {
  if (isSteppable(model)) {
    const run = simulateStream(model, 3);
    return { fillCycles: run.fillCycles, latencyCycles: run.frameCycles[0], intervalCycles: run.frameEnds[2] - run.frameEnds[1], exact: true };
  }
  // bounds: the slowest engine paces the chain; fill is not stepped (reported as 0 = unknown)
  const interval = Math.max(...model.layers.map(layerBound));
  return { fillCycles: 0, latencyCycles: frameWork(model), intervalCycles: interval, exact: false };
}

function alone(model: Model, layer: Conv2dLayer): Model {
  return { ...model, input: layer.input, layers: [{ ...layer, inputs: [MODEL_INPUT] }] };
}

/**
 * The streaming dataflow's prediction for a model on a board: per-layer cycles (fill, latency,
 * interval), the units outside the engines, resource estimates and the board fraction they use.
 */
export function predictStreaming(model: Model, board: Board): StreamingPerf {
  let exact = true;
  const layers: LayerPerf[] = engineLayers(model).map((layer) => {
    const t = chainTiming(alone(model, layer));
    exact &&= t.exact;
    const f = foldCounts(layer);
    const estimate = estimateEngine(layer, board);
    return {
      name: layer.name,
      datapath: layer.datapath,
      pe: f.pe,
      simd: f.simd,
      nf: f.nf,
      sf: f.sf,
      idealCycles: idealCycles(layer),
      fillCycles: t.fillCycles,
      latencyCycles: t.latencyCycles,
      intervalCycles: t.intervalCycles,
      utilization: idealCycles(layer) / t.intervalCycles,
      estimate,
      fraction: boardFraction(estimate, board),
    };
  });
  const chain = chainTiming(model);
  exact &&= chain.exact;
  const units = estimateUnits(model, board);
  const resources = sumResources([...layers.map((l) => l.estimate), ...units]);
  const slowestIdeal = Math.max(...layers.map((l) => l.idealCycles));
  const loadBytes = weightLoadBytes(model);
  return {
    ...(loadBytes > 0 ? { weightLoad: { bytes: loadBytes, baud: DEFAULT_BAUD, seconds: (loadBytes * 10) / DEFAULT_BAUD } } : {}),
    board: board.name,
    clockMHz: board.clockMHz,
    exact,
    layers,
    units,
    total: {
      fillCycles: chain.fillCycles,
      latencyCycles: chain.latencyCycles,
      intervalCycles: chain.intervalCycles,
      latencyUs: chain.latencyCycles / board.clockMHz,
      framesPerSecond: (board.clockMHz * 1e6) / chain.intervalCycles,
      utilization: slowestIdeal / chain.intervalCycles,
      bufferBits: layers.reduce((s, l) => s + l.estimate.lineBufferBits + l.estimate.weightRomBits, 0),
      resources,
      fraction: boardFraction(resources, board),
    },
  };
}
