/**
 * The DeiT encoder block of scripts/deit-block.ts in tfjs float32: the block's
 * weights become the ten layers of one ViT block (src/frontend/float/vit-model.ts
 * `vitBlockLayers`) and run through the same forward pass that trains and runs
 * the MNIST ViT (src/frontend/float/vit.ts). The float32 reference beside the
 * float64 one of deit-block.ts; used by bench/deit-block-sqnr.ts. Also turns a
 * block of a trained float ViT description back into a FloatBlock, so the
 * float64 ops of deit-block.ts can run it.
 */
import * as tf from "@tensorflow/tfjs";
import { disposeVitTensors, runVitGraph, runVitLayer, vitTensors, type VitTensors } from "../src/frontend/float/vit.js";
import {
  vitBlockLayers,
  VIT_INPUT,
  type FloatVitModel,
  type GeluForm,
  type VitLayer,
  type VitLayerNorm,
  type VitLinear,
} from "../src/frontend/float/vit-model.js";
import { BLOCK_OPS, DEIT_TINY, type BlockOp, type FloatBlock } from "./deit-block.js";

/** LayerNorm epsilon of the float64 reference (src/arith/ivit/float.ts layerNormFloat). */
const EPSILON = 1e-6;

export interface TfjsBlock {
  readonly tokens: number;
  readonly dim: number;
  readonly gelu: GeluForm;
  /** Layer of each op, named `<op>`-suffixed as in vitBlockLayers. */
  readonly layers: ReadonlyMap<BlockOp, VitLayer>;
  readonly graph: readonly VitLayer[];
  readonly tensors: VitTensors;
}

const PREFIX = "block";

/** The block's layers as a ViT block reading the graph input, and their float32 tensors. */
export function tfjsBlock(b: FloatBlock, gelu: GeluForm): TfjsBlock {
  const { tokens, dim, heads, mlp } = b.config;
  const dense = (l: FloatBlock["qkv"]) => ({ weights: Array.from(l.weights), bias: Array.from(l.bias) });
  const norm = (n: FloatBlock["ln1"]) => ({ gamma: Array.from(n.gamma), beta: Array.from(n.beta) });
  const graph = vitBlockLayers(
    PREFIX,
    VIT_INPUT,
    { tokens, dim, heads, mlp, epsilon: EPSILON },
    { ln1: norm(b.ln1), qkv: dense(b.qkv), proj: dense(b.proj), ln2: norm(b.ln2), fc1: dense(b.fc1), fc2: dense(b.fc2) },
  );
  const layers = new Map(BLOCK_OPS.map((op) => [op, graph.find((l) => l.name === `${PREFIX}.${op}`)!]));
  return { tokens, dim, gelu, layers, graph, tensors: vitTensors(graph) };
}

export function disposeTfjsBlock(block: TfjsBlock): void {
  disposeVitTensors(block.tensors);
}

/** Every op's output of the whole block, float32, on one [T, D] input. */
export function tfjsBlockForward(block: TfjsBlock, x: ArrayLike<number>): Record<BlockOp, Float64Array> {
  const outs = tf.tidy(() => {
    const input = tf.tensor3d(Float32Array.from(x), [1, block.tokens, block.dim]);
    const { kept } = runVitGraph(
      block.graph,
      block.tensors,
      input,
      block.gelu,
      BLOCK_OPS.map((op) => `${PREFIX}.${op}`),
    );
    return BLOCK_OPS.map((op) => kept.get(`${PREFIX}.${op}`)!);
  });
  const result = Object.fromEntries(BLOCK_OPS.map((op, i) => [op, Float64Array.from(outs[i].dataSync())])) as Record<BlockOp, Float64Array>;
  tf.dispose(outs);
  return result;
}

/** One op, float32, on its inputs (in the order of deit-block.ts OP_INPUTS; the adds commute). */
export function tfjsBlockOp(block: TfjsBlock, op: BlockOp, inputs: readonly ArrayLike<number>[]): Float64Array {
  const layer = block.layers.get(op)!;
  const y = tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor(Float32Array.from(x), [1, ...layer.inputShape]));
    return runVitLayer(layer, block.tensors.get(layer.name), xs, block.gelu);
  });
  const out = Float64Array.from(y.dataSync());
  y.dispose();
  return out;
}

/** Block `prefix` (e.g. "b1") of a float ViT description as a FloatBlock (float64 copies of its float32 weights). */
export function floatBlockOfVit(desc: FloatVitModel, prefix: string): FloatBlock {
  const find = <K extends VitLayer["kind"]>(op: string, kind: K) => {
    const l = desc.layers.find((x) => x.name === `${prefix}.${op}`);
    if (!l || l.kind !== kind) throw new Error(`${desc.name}: no ${kind} layer "${prefix}.${op}"`);
    return l as Extract<VitLayer, { kind: K }>;
  };
  const linear = (op: string) => {
    const l: VitLinear = find(op, "linear");
    return { weights: Float64Array.from(l.weights), bias: Float64Array.from(l.bias), inFeatures: l.inFeatures, outFeatures: l.outFeatures };
  };
  const norm = (op: string) => {
    const l: VitLayerNorm = find(op, "layernorm");
    if (l.epsilon !== EPSILON) throw new Error(`${desc.name}: ${l.name} has epsilon ${l.epsilon}; the float64 reference uses ${EPSILON}`);
    return { gamma: Float64Array.from(l.gamma), beta: Float64Array.from(l.beta) };
  };
  const attn = find("attn", "attention");
  const [tokens, dim] = attn.outputShape;
  const fc1 = linear("fc1");
  return {
    config: { ...DEIT_TINY, name: `${desc.name}.${prefix}`, tokens, dim, heads: attn.heads, mlp: fc1.outFeatures },
    ln1: norm("ln1"),
    qkv: linear("qkv"),
    proj: linear("proj"),
    ln2: norm("ln2"),
    fc1,
    fc2: linear("fc2"),
  };
}
