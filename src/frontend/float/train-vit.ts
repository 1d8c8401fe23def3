/**
 * Training loop for the MNIST ViT (vit-model.ts, vit.ts): seeded initial
 * weights and shuffle, Adam with a linear warm-up then cosine decay, softmax
 * cross-entropy, optional random translation of the training images. The
 * parameters are tf.Variables built from the description itself, so what is
 * trained is exactly what floatForward later runs.
 */
import * as tf from "@tensorflow/tfjs";
import { rng } from "../../ir/inputs.js";
import { byKind, type ByKind } from "./by-kind.js";
import { f32 } from "./float-model.js";
import { loadMnist, type MnistSet } from "./mnist.js";
import { initTf } from "./tfjs.js";
import { shuffled, type Batch, type EpochStats } from "./train.js";
import { disposeVitTensors, runVitGraph, transposed, vitTensors, type VitParams, type VitTensors } from "./vit.js";
import { MNIST_VIT, vitLayers, type GeluForm, type VitConfig, type VitLayer } from "./vit-model.js";

export interface VitTrainOptions {
  readonly config?: VitConfig;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Peak Adam learning rate. */
  readonly lr: number;
  /** Steps of linear warm-up from 0 to lr; then cosine decay to 0 over the remaining steps. */
  readonly warmupSteps: number;
  /** Largest random translation of a training image, in pixels (0: none). */
  readonly maxShift: number;
  readonly gelu: GeluForm;
  /** Train on the first `limit` training images only. */
  readonly limit?: number;
  /** Progress lines (every `logEvery` steps and at each epoch's end). */
  readonly log?: (line: string) => void;
  readonly logEvery?: number;
}

export interface VitTrainResult {
  /** The trained description's layers (float32 values). */
  readonly layers: VitLayer[];
  readonly epochs: readonly EpochStats[];
  readonly trainSeconds: number;
  /** Mean training accuracy over the last epoch (on the augmented images). */
  readonly finalTrainAcc: number;
  readonly trainImages: number;
}

export const VIT_LR_SCHEDULE = "linear warm-up from 0 to lr over warmupSteps, then cosine decay to 0 over the remaining steps";

/** Learning-rate factor of step `step` (0-based) of `total`. */
export function warmupCosine(step: number, total: number, warmup: number): number {
  if (step < warmup) return (step + 1) / warmup;
  return 0.5 * (1 + Math.cos((Math.PI * (step - warmup)) / Math.max(1, total - warmup)));
}

export async function trainVit(opts: VitTrainOptions): Promise<VitTrainResult> {
  await initTf();
  const log = opts.log ?? (() => undefined);
  const config = opts.config ?? MNIST_VIT;
  const data = loadMnist("train", opts.limit);
  const initial = vitLayers(config, opts.seed);
  const tensors = vitTensors(initial, true);
  const variables = [...tensors.values()].flatMap((p) => Object.values(p) as tf.Variable[]);
  const optimizer = tf.train.adam(opts.lr);
  const next = rng(opts.seed ^ 0x5eed);
  const stepsPerEpoch = Math.ceil(data.count / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const logEvery = opts.logEvery ?? 50;
  const history: EpochStats[] = [];
  const started = performance.now();
  let step = 0;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const epochStart = performance.now();
    const order = shuffled(data.count, next);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      // Adam has no setter; its learningRate field is read on every applyGradients.
      (optimizer as unknown as { learningRate: number }).learningRate = opts.lr * warmupCosine(step, totalSteps, opts.warmupSteps);
      const indices = order.subarray(b * opts.batchSize, Math.min(data.count, (b + 1) * opts.batchSize));
      const { loss, hits } = trainStep(initial, tensors, variables, optimizer, opts.gelu, batchOf(data, indices, config, opts.maxShift, next));
      lossSum += loss * indices.length;
      correct += hits;
      seen += indices.length;
      step++;
      if (step % logEvery === 0) {
        const elapsed = (performance.now() - started) / 1000;
        log(
          `step ${step}/${totalSteps} (epoch ${epoch}): loss ${(lossSum / seen).toFixed(4)}, train accuracy ${((100 * correct) / seen).toFixed(2)} %, ${elapsed.toFixed(0)} s, ~${((elapsed / step) * (totalSteps - step)).toFixed(0)} s left`,
        );
      }
    }
    const stats = { epoch, loss: lossSum / data.count, accuracy: correct / data.count, seconds: (performance.now() - epochStart) / 1000 };
    history.push(stats);
    log(`epoch ${epoch}/${opts.epochs}: loss ${stats.loss.toFixed(4)}, train accuracy ${(100 * stats.accuracy).toFixed(2)} %, ${stats.seconds.toFixed(1)} s`);
  }
  optimizer.dispose();
  const layers = describeVitLayers(initial, tensors);
  disposeVitTensors(tensors);
  return {
    layers,
    epochs: history,
    trainSeconds: (performance.now() - started) / 1000,
    finalTrainAcc: history.length ? history[history.length - 1].accuracy : 0,
    trainImages: data.count,
  };
}

function trainStep(
  layers: readonly VitLayer[],
  tensors: VitTensors,
  variables: tf.Variable[],
  optimizer: tf.Optimizer,
  form: GeluForm,
  batch: Batch,
): { loss: number; hits: number } {
  let hitsTensor: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = runVitGraph(layers, tensors, batch.x, form).output as tf.Tensor2D;
    hitsTensor = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), batch.labels), "int32")));
    return tf.losses.softmaxCrossEntropy(batch.y, logits) as tf.Scalar;
  }, variables);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  const hits = hitsTensor!.dataSync()[0];
  tf.dispose([value, hitsTensor!, batch.x, batch.y, batch.labels, ...Object.values(grads)]);
  return { loss, hits };
}

/** Pixels / 255 of the chosen images, each moved by a random (dy, dx) in ±maxShift (zeros shifted in). */
function batchOf(data: MnistSet, indices: Uint32Array, config: VitConfig, maxShift: number, next: () => number): Batch {
  const [H, W] = config.image;
  const pixels = new Float32Array(indices.length * H * W);
  const labels = new Int32Array(indices.length);
  const shift = () => (maxShift > 0 ? Math.floor(next() * (2 * maxShift + 1)) - maxShift : 0);
  indices.forEach((index, i) => {
    const [dy, dx] = [shift(), shift()];
    for (let y = 0; y < H; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= H) continue;
      for (let x = 0; x < W; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < W) pixels[(i * H + y) * W + x] = data.images[(index * H + sy) * W + sx] / 255;
      }
    }
    labels[i] = data.labels[index];
  });
  const labelTensor = tf.tensor1d(labels, "int32");
  return { x: tf.tensor4d(pixels, [indices.length, H, W, 1]), y: tf.oneHot(labelTensor, config.classes) as tf.Tensor2D, labels: labelTensor };
}

/** The description's layers with the values the tensors hold now (printed as float32). */
export function describeVitLayers(layers: readonly VitLayer[], tensors: VitTensors): VitLayer[] {
  return layers.map((l) => byKind(DESCRIBE_VIT, l, tensors.get(l.name)));
}

const read = (t: tf.Tensor) => Array.from(t.dataSync(), f32);
const readT = (t: tf.Tensor) => Array.from(transposed(t.dataSync(), t.shape[0], t.shape[1]!), f32);
const withRows = (l: Extract<VitLayer, { kind: "conv2d" | "linear" | "dense" }>, p: VitParams | undefined): VitLayer =>
  ({ ...l, weights: readT(p!.kernel), ...(p!.bias ? { bias: read(p!.bias) } : {}) }) as VitLayer;
const unchanged = (l: VitLayer) => l;

/** Per kind: the layer with its parameters `p` read back (the kinds without parameters as they are). */
const DESCRIBE_VIT: ByKind<VitLayer, [VitParams | undefined], VitLayer> = {
  conv2d: withRows,
  linear: withRows,
  dense: withRows,
  token_embed: (l, p) => ({ ...l, cls: read(p!.cls), pos: read(p!.pos) }),
  layernorm: (l, p) => ({ ...l, gamma: read(p!.gamma), beta: read(p!.beta) }),
  attention: unchanged,
  add: unchanged,
  gelu: unchanged,
  token_select: unchanged,
};
