/**
 * Training loop for the LeNet variants (lenet.ts) on MNIST: seeded
 * initialisation and shuffle, cosine learning-rate decay, softmax
 * cross-entropy, Adam for every parameter except the adder kernels. A
 * hand-written step (not model.fit) because two things must happen between the
 * gradient and the optimizer:
 * - AdderNet adaptive learning rate (arXiv 1912.13200 eq. 13), applied HERE:
 *   the gradient of every adder kernel is rescaled by α_l = η·√k/‖ΔW_l‖₂
 *   (`scaleAdderGradient`) and then applied by SGD with momentum, as in the
 *   paper. Adam would undo the rescaling (it normalises every element by its
 *   running second moment); measured here, Adam on adder dense layers
 *   stalled near 30 % training accuracy where SGD + α reached 94 % in the
 *   same 100 steps.
 * - binary kernels' latent weights are clipped to [−1, 1] after each update
 *   (BinaryNet): beyond that the straight-through gradient is zero and a
 *   weight could never change sign again.
 */
import * as tf from "@tensorflow/tfjs";
import { rng } from "../../ir/inputs.js";
import { scaleAdderGradient } from "./adder-layers.js";
import { BinaryConv2D, BinaryDense } from "./binary-layers.js";
import { adderKernels, buildLenet, LENET_CLASSES, LENET_INPUT, type LenetVariant } from "./lenet.js";
import { loadMnist, type MnistSet } from "./mnist.js";
import { initTf } from "./tfjs.js";

export interface TrainOptions {
  readonly variant: LenetVariant;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Peak Adam learning rate; decays to 0 along a cosine over all steps. */
  readonly lr: number;
  /** η of the AdderNet adaptive learning rate (the paper uses 0.1). */
  readonly adderEta: number;
  /** Peak learning rate of the momentum SGD that updates adder kernels (same cosine decay). */
  readonly adderLr: number;
  /** Train on the first `limit` training images only. */
  readonly limit?: number;
  readonly log?: (line: string) => void;
}

export interface EpochStats {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly seconds: number;
}

export interface TrainResult {
  readonly model: tf.Sequential;
  readonly epochs: readonly EpochStats[];
  readonly trainSeconds: number;
  /** Mean training-mode (batch statistics) accuracy over the last epoch. */
  readonly finalTrainAcc: number;
  readonly trainImages: number;
}

export const LR_SCHEDULE = "cosine decay from lr to 0 over all steps";
export const ADDER_MOMENTUM = 0.9;

export async function trainLenet(opts: TrainOptions): Promise<TrainResult> {
  await initTf();
  const log = opts.log ?? (() => undefined);
  const data = loadMnist("train", opts.limit);
  const model = buildLenet(opts.variant, opts.seed);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const adderNames = new Set(adderKernels(model).map((v) => v.name));
  const binaryKernels = model.layers
    .filter((l): l is BinaryConv2D | BinaryDense => l instanceof BinaryConv2D || l instanceof BinaryDense)
    .map((l) => l.kernel!.read() as tf.Variable);
  const optimizer = tf.train.adam(opts.lr);
  const adderOptimizer = tf.train.momentum(opts.adderLr, ADDER_MOMENTUM);
  // Adam has no setter; its learningRate field is read on every applyGradients.
  const setLearningRate = (decay: number) => {
    (optimizer as unknown as { learningRate: number }).learningRate = opts.lr * decay;
    adderOptimizer.setLearningRate(opts.adderLr * decay);
  };
  const next = rng(opts.seed ^ 0x5eed);
  const stepsPerEpoch = Math.ceil(data.count / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const history: EpochStats[] = [];
  const started = performance.now();
  let step = 0;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const epochStart = performance.now();
    const order = shuffled(data.count, next);
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      setLearningRate(0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));
      const indices = order.subarray(b * opts.batchSize, Math.min(data.count, (b + 1) * opts.batchSize));
      const { loss, hits } = trainStep(model, { optimizer, adderOptimizer, adderNames, adderEta: opts.adderEta }, variables, batchOf(data, indices));
      for (const v of binaryKernels) tf.tidy(() => v.assign(tf.clipByValue(v, -1, 1)));
      lossSum += loss * indices.length;
      correct += hits;
      step++;
    }
    const stats = { epoch, loss: lossSum / data.count, accuracy: correct / data.count, seconds: (performance.now() - epochStart) / 1000 };
    history.push(stats);
    log(`epoch ${epoch}/${opts.epochs}: loss ${stats.loss.toFixed(4)}, train accuracy ${(100 * stats.accuracy).toFixed(2)} %, ${stats.seconds.toFixed(1)} s`);
  }
  optimizer.dispose();
  adderOptimizer.dispose();
  return {
    model,
    epochs: history,
    trainSeconds: (performance.now() - started) / 1000,
    finalTrainAcc: history.length ? history[history.length - 1].accuracy : 0,
    trainImages: data.count,
  };
}

/** One training batch: images, one-hot targets, labels. */
export interface Batch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
}

interface Optimizers {
  readonly optimizer: tf.Optimizer;
  readonly adderOptimizer: tf.Optimizer;
  readonly adderNames: ReadonlySet<string>;
  readonly adderEta: number;
}

function trainStep(model: tf.Sequential, opt: Optimizers, variables: tf.Variable[], batch: Batch): { loss: number; hits: number } {
  let hitsTensor: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(batch.x, { training: true }) as tf.Tensor2D;
    hitsTensor = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), batch.labels), "int32")));
    return tf.losses.softmaxCrossEntropy(batch.y, logits) as tf.Scalar;
  }, variables);
  const adderGrads: tf.NamedTensorMap = {};
  const otherGrads: tf.NamedTensorMap = {};
  for (const [name, grad] of Object.entries(grads)) {
    if (opt.adderNames.has(name)) {
      adderGrads[name] = scaleAdderGradient(grad, opt.adderEta);
      grad.dispose();
    } else otherGrads[name] = grad;
  }
  opt.optimizer.applyGradients(otherGrads);
  if (Object.keys(adderGrads).length) opt.adderOptimizer.applyGradients(adderGrads);
  const loss = value.dataSync()[0];
  const hits = hitsTensor!.dataSync()[0];
  tf.dispose([value, hitsTensor!, batch.x, batch.y, batch.labels, ...Object.values(adderGrads), ...Object.values(otherGrads)]);
  return { loss, hits };
}

function batchOf(data: MnistSet, indices: Uint32Array): Batch {
  const [H, W, C] = LENET_INPUT;
  const perImage = H * W * C;
  const pixels = new Float32Array(indices.length * perImage);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    for (let p = 0; p < perImage; p++) pixels[i * perImage + p] = data.images[index * perImage + p] / 255;
    labels[i] = data.labels[index];
  });
  const labelTensor = tf.tensor1d(labels, "int32");
  return { x: tf.tensor4d(pixels, [indices.length, H, W, C]), y: tf.oneHot(labelTensor, LENET_CLASSES) as tf.Tensor2D, labels: labelTensor };
}

/** Fisher–Yates permutation of 0..count−1 from the seeded generator. */
export function shuffled(count: number, next: () => number): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Top-1 of a tfjs model (inference mode) on pixels / 255, in batches. */
export async function modelTop1(model: tf.LayersModel, data: MnistSet, batchSize = 250): Promise<number> {
  await initTf();
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const indices = Uint32Array.from({ length: Math.min(batchSize, data.count - start) }, (_, i) => start + i);
    const batch = batchOf(data, indices);
    const hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.predict(batch.x) as tf.Tensor, 1), batch.labels), "int32")));
    correct += hits.dataSync()[0];
    tf.dispose([hits, batch.x, batch.y, batch.labels]);
  }
  return correct / data.count;
}
