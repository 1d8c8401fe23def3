/**
 * `check`: what a loaded model is, layer by layer — shapes, the engines'
 * reduction length, accumulator width, output stage, folding and ideal cycles,
 * and the other layers' integer parameters and cycles per frame as the layer
 * registry states them. Plain data: the CLI prints it or writes it as JSON
 * (schemas/cli-check.schema.json).
 */
import { engineConv, isEngineLayer, Layer, Model, reductionLength, TensorSpec } from "../ir/model.js";
import { foldCounts, idealCycles } from "../ir/folding.js";
import { describeLayer, unitFrameCycles } from "../hw/layers/index.js";
import { layerAccBits } from "../hw/units/mvu/params.js";

export type CheckedTensor = Pick<TensorSpec, "height" | "width" | "channels" | "bits">;

/** A requantizing engine output (multiplier of channel 0 when per channel) or a threshold stage. */
export type CheckedOutputStage =
  | {
      readonly kind: "requant";
      readonly perChannel: boolean;
      readonly multiplier: number;
      readonly shift: number;
      readonly rounding: string;
      readonly relu: boolean;
    }
  | { readonly kind: "thresholds" };

/** A matrix-vector engine (conv2d, dense, linear): its datapath, geometry, widths and folding. */
export interface CheckedEngine {
  readonly datapath: string;
  /** [height, width] of the window; absent for dense. */
  readonly kernel?: readonly [number, number];
  readonly stride?: readonly [number, number];
  readonly padding?: readonly [number, number];
  readonly reductionLength: number;
  readonly accBits: number;
  readonly outputStage: CheckedOutputStage;
  readonly folding: { readonly pe: number; readonly simd: number; readonly nf: number; readonly sf: number };
  readonly idealCycles: number;
}

export interface CheckedLayer {
  readonly name: string;
  readonly kind: string;
  readonly inputs: readonly string[];
  /** Whether the layer reads something other than the previous layer (a branch or a join). */
  readonly branches: boolean;
  readonly input: CheckedTensor;
  readonly output: CheckedTensor;
  /** The integer parameters of a non-engine layer in words (I-ViT units), "" when there is nothing to say. */
  readonly detail: string;
  /** Cycles per frame of a non-engine unit, when its timing model states them. */
  readonly frameCycles?: number;
  readonly engine?: CheckedEngine;
}

export interface CheckResult {
  readonly model: string;
  readonly hash: string;
  readonly input: CheckedTensor;
  readonly layers: readonly CheckedLayer[];
}

const tensor = (t: TensorSpec): CheckedTensor => ({ height: t.height, width: t.width, channels: t.channels, bits: t.bits });

function checkEngine(l: Layer & { kind: "conv2d" | "dense" }): { engine: CheckedEngine; output: CheckedTensor } {
  const layer = engineConv(l);
  const f = foldCounts(layer);
  const rq = layer.out.kind === "requant" ? layer.out : undefined;
  const outputStage: CheckedOutputStage = rq
    ? {
        kind: "requant",
        perChannel: rq.perChannel !== undefined,
        multiplier: rq.params.multiplier,
        shift: rq.params.shift,
        rounding: rq.params.rounding,
        relu: !!rq.params.relu,
      }
    : { kind: "thresholds" };
  const geometry = l.kind === "dense" ? {} : { kernel: layer.kernel, stride: layer.stride, padding: layer.padding };
  return {
    engine: {
      datapath: layer.datapath,
      ...geometry,
      reductionLength: reductionLength(layer),
      accBits: layerAccBits(layer),
      outputStage,
      folding: { pe: f.pe, simd: f.simd, nf: f.nf, sf: f.sf },
      idealCycles: idealCycles(layer),
    },
    output: tensor(layer.output),
  };
}

/** The figures `quantrtl check` reports for a loaded (and folded) model. */
export function checkModel(model: Model): CheckResult {
  const layers = model.layers.map((l, i): CheckedLayer => {
    const previous = model.layers[i - 1]?.name ?? "input";
    const base = { name: l.name, kind: l.kind, inputs: [...l.inputs], branches: l.inputs.length > 1 || l.inputs[0] !== previous, input: tensor(l.input) };
    if (isEngineLayer(l)) return { ...base, detail: "", ...checkEngine(l) };
    const frameCycles = unitFrameCycles(l);
    return { ...base, output: tensor(l.output), detail: describeLayer(l), ...(frameCycles !== undefined ? { frameCycles } : {}) };
  });
  return { model: model.name, hash: model.hash, input: tensor(model.input), layers };
}
