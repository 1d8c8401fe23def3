/**
 * The layer registry: one LayerImpl per IR kind (impl.ts). A new kind is one
 * entry here and its file; the mapped type makes a kind without one a compile error.
 */
import { IntTensor, Layer } from "../../ir/model.js";
import { NetNode } from "../netlist.js";
import { SynthTarget } from "../target.js";
import { TimedUnit } from "../units/stream/timing.js";
import { fifoFeatures, forkFeatures } from "../units/stream/cost.js";
import { EmitContext } from "./context.js";
import { StreamUnitFeatures } from "./features.js";

export type { StreamUnitFeatures, StreamUnitKind } from "./features.js";
export { STREAM_UNIT_KINDS } from "./features.js";
import { LayerImpl } from "./impl.js";
import { conv2dLayer, denseLayer } from "./conv.js";
import { avgPoolLayer, globalAvgPoolLayer, maxPoolLayer } from "./pool.js";
import { argmaxLayer, flattenLayer, reluLayer } from "./elementwise.js";
import { addLayer } from "./add.js";
import { attentionLayer, geluLayer, layerNormLayer, softmaxLayer } from "./ivit.js";
import { tokenEmbedLayer, tokenSelectLayer } from "./tokens.js";

type Registry = { readonly [K in Layer["kind"]]: LayerImpl<Extract<Layer, { kind: K }>> };

const LAYERS: Registry = {
  conv2d: conv2dLayer,
  dense: denseLayer,
  maxpool: maxPoolLayer,
  avgpool: avgPoolLayer,
  global_avgpool: globalAvgPoolLayer,
  relu: reluLayer,
  argmax: argmaxLayer,
  flatten: flattenLayer,
  add: addLayer,
  layernorm: layerNormLayer,
  gelu: geluLayer,
  softmax: softmaxLayer,
  attention: attentionLayer,
  token_embed: tokenEmbedLayer,
  token_select: tokenSelectLayer,
};

/** The implementation of a layer's kind. */
export function layerImpl<L extends Layer>(layer: L): LayerImpl<L> {
  return LAYERS[layer.kind] as unknown as LayerImpl<L>;
}

/** A wire in hardware (no module): the stream passes through unchanged. */
export function isWireLayer(layer: Layer): boolean {
  return layerImpl(layer).wire === true;
}

/** Its parameters are built for its input width: a datapath rebuild must not change that width. */
export function isWidthBoundLayer(layer: Layer): boolean {
  return layerImpl(layer).widthBound === true;
}

/** One layer on its input tensors (in the order of layer.inputs). */
export function runLayer(layer: Layer, inputs: readonly IntTensor[]): IntTensor {
  return layerImpl(layer).golden(layer, inputs);
}

/** Writes the layer's modules; returns its top module. */
export function emitLayer(ctx: EmitContext, layer: Layer): string {
  const module = layerImpl(layer).emit(ctx, layer);
  if (module === undefined) throw new Error(`${layer.kind} is a wire: the top connects its input stream straight through`);
  return module;
}

/** The cycle model of a layer's module, as a chain of TimedUnits (one input, one output). */
export function layerTiming(layer: Layer): TimedUnit[] {
  const units = layerImpl(layer).timing(layer);
  if (!units) throw new Error(`no cycle model for ${layer.kind} layers yet`);
  return units;
}

/** Cycles one frame takes in a unit that needs many cycles per element; undefined for the layers that stream about one element per cycle. */
export function unitFrameCycles(layer: Layer): number | undefined {
  return layerImpl(layer).frameCycles?.(layer);
}

/** Features of one netlist node that is not an engine (undefined for engines and wires). */
export function streamUnitFeatures(node: NetNode, target: SynthTarget, inputBits?: readonly number[]): StreamUnitFeatures | undefined {
  if (node.kind === "fork") return forkFeatures(node.bits);
  if (node.kind === "fifo") return fifoFeatures(node.bits, node.depth, target);
  return layerImpl(node.layer).features(node.layer, target, inputBits);
}

/** The layer's integer parameters in a few words, for `quantrtl check`. */
export function describeLayer(layer: Layer): string {
  return layerImpl(layer).describe(layer);
}
