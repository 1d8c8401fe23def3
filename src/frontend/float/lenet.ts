/**
 * One LeNet-style topology for 28×28×1 MNIST (pixels / 255), built three ways.
 *
 *   conv1 5×5 1→8 valid → BN → act → maxpool 2/2        24×24×8 → 12×12×8
 *   conv2 5×5 8→16 valid → BN → act → maxpool 2/2       8×8×16 → 4×4×16
 *   flatten (HWC) → 256 → dense1 64 → BN → act → dense2 10 (→ BN) = logits
 *
 * - mac:   conv/dense with bias, act = ReLU, dense2 has a bias and no BN.
 * - adder: AdderConv2D / AdderDense (no bias) everywhere, BN after every adder
 *          layer including dense2 (adder outputs are all ≤ 0; BN recentres
 *          and rescales them), act = ReLU.
 * - xnor:  conv1 real × real (quantized to int8 × int8 later) → BN → sign;
 *          conv2, dense1, dense2 binary (sign inputs, sign weights) → BN;
 *          act = sign and it comes BEFORE the max-pool (conv → BN → sign →
 *          maxpool), so a pool sees ±1 values (an OR of bits in hardware).
 *
 * Layer names are fixed (conv1, bn1, act1, pool1, …) so the float description
 * (float-model.ts) can find every layer by name.
 */
import * as tf from "@tensorflow/tfjs";
import { AdderConv2D, AdderDense } from "./adder-layers.js";
import { BinaryConv2D, BinaryDense, SignActivation } from "./binary-layers.js";

export type LenetVariant = "mac" | "adder" | "xnor";
export const LENET_VARIANTS: readonly LenetVariant[] = ["mac", "adder", "xnor"];
export const LENET_INPUT: readonly [number, number, number] = [28, 28, 1];
export const LENET_CLASSES = 10;

/** Momentum of the moving batch-norm statistics (tfjs/Keras default). */
export const BN_MOMENTUM = 0.99;
export const BN_EPSILON = 1e-3;

export function buildLenet(variant: LenetVariant, seed: number): tf.Sequential {
  const model = tf.sequential({ name: `lenet_${variant}` });
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  const bn = (name: string) => tf.layers.batchNormalization({ name, axis: -1, momentum: BN_MOMENTUM, epsilon: BN_EPSILON });
  const act = (name: string) => (variant === "xnor" ? new SignActivation({ name }) : tf.layers.reLU({ name }));
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2, padding: "valid" });
  const inputShape = [...LENET_INPUT];

  // conv1
  if (variant === "mac")
    model.add(tf.layers.conv2d({ name: "conv1", inputShape, filters: 8, kernelSize: 5, padding: "valid", useBias: true, kernelInitializer: init(1) }));
  else if (variant === "adder")
    model.add(new AdderConv2D({ name: "conv1", inputShape, filters: 8, kernelSize: 5, padding: "valid", seed: seed + 1, inputGradient: false }));
  else model.add(tf.layers.conv2d({ name: "conv1", inputShape, filters: 8, kernelSize: 5, padding: "valid", useBias: false, kernelInitializer: init(1) }));
  model.add(bn("bn1"));
  model.add(act("act1"));
  model.add(pool("pool1"));

  // conv2
  if (variant === "mac")
    model.add(tf.layers.conv2d({ name: "conv2", filters: 16, kernelSize: 5, padding: "valid", useBias: true, kernelInitializer: init(2) }));
  else if (variant === "adder") model.add(new AdderConv2D({ name: "conv2", filters: 16, kernelSize: 5, padding: "valid", seed: seed + 2 }));
  else model.add(new BinaryConv2D({ name: "conv2", filters: 16, kernelSize: 5, seed: seed + 2 }));
  model.add(bn("bn2"));
  model.add(act("act2"));
  model.add(pool("pool2"));
  model.add(tf.layers.flatten({ name: "flatten" }));

  // dense1, dense2
  if (variant === "mac") {
    model.add(tf.layers.dense({ name: "dense1", units: 64, useBias: true, kernelInitializer: init(3) }));
    model.add(bn("bn3"));
    model.add(act("act3"));
    model.add(tf.layers.dense({ name: "dense2", units: LENET_CLASSES, useBias: true, kernelInitializer: init(4) }));
  } else {
    const dense = (name: string, units: number, offset: number) =>
      variant === "adder" ? new AdderDense({ name, units, seed: seed + offset }) : new BinaryDense({ name, units, seed: seed + offset });
    model.add(dense("dense1", 64, 3));
    model.add(bn("bn3"));
    model.add(act("act3"));
    model.add(dense("dense2", LENET_CLASSES, 4));
    model.add(bn("bn4"));
  }
  return model;
}

/** The kernels the AdderNet adaptive learning-rate scaling applies to. */
export function adderKernels(model: tf.LayersModel): tf.LayerVariable[] {
  return model.layers.filter((l): l is AdderConv2D | AdderDense => l instanceof AdderConv2D || l instanceof AdderDense).map((l) => l.kernel!);
}
