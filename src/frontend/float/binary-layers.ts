/**
 * Binary (XNOR-net style) layers for tfjs: ±1 activations and ±1 weights.
 *
 * Forward: sign(v) with sign(0) = +1, so every value is exactly ±1 and maps to
 * one bit in hardware (docs/design.md: `dot = 2·popcount(xnor(a,b)) − N`).
 * Backward: the straight-through estimator of BinaryNet (Courbariaux et al.,
 * arXiv 1602.02830): the gradient passes unchanged where |v| ≤ 1 and is zero
 * elsewhere (the derivative of HardTanh). The weights are latent floats; only
 * their sign is used in the forward pass.
 *
 * Only 'valid' padding: a zero-padded tap is neither +1 nor −1, which a 1-bit
 * datapath cannot represent.
 */
import * as tf from "@tensorflow/tfjs";
import type { BaseLayerArgs } from "./adder-layers.js";

/** sign(v) ∈ {−1, +1} with sign(0) = +1; no gradient (inference). */
export function signPlusOne<T extends tf.Tensor>(v: T): T {
  return tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greaterEqual(v, 0), "float32"), 2), 1) as T);
}

const signOp = tf.customGrad((...args) => {
  const [v, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([v]);
  return {
    value: signPlusOne(v),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(saved[0]), 1), "float32")),
  };
});

/** sign with the straight-through estimator (see the file comment). */
export function signSte<T extends tf.Tensor>(v: T): T {
  return signOp(v) as T;
}

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Activation layer: sign with STE. */
export class SignActivation extends tf.layers.Layer {
  static readonly className = "SignActivation";
  constructor(args: BaseLayerArgs = {}) {
    super(args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return signSte(Array.isArray(inputs) ? inputs[0] : inputs);
  }
}

export interface BinaryConv2DArgs extends BaseLayerArgs {
  readonly filters: number;
  readonly kernelSize: number | readonly [number, number];
  readonly seed?: number | null;
}

/** conv2d(sign(x), sign(W)), stride 1, valid, no bias; kernel HWIO latent floats. */
export class BinaryConv2D extends tf.layers.Layer {
  static readonly className = "BinaryConv2D";
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly seed: number | undefined;
  kernel: tf.LayerVariable | undefined;

  constructor(args: BinaryConv2DArgs) {
    const { filters, kernelSize, seed, ...base } = args;
    super(base);
    this.filters = filters;
    this.kernelSize = typeof kernelSize === "number" ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    this.seed = seed ?? undefined;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const init: Initializer = tf.initializers.glorotUniform({ seed: this.seed });
    this.kernel = this.addWeight("kernel", [this.kernelSize[0], this.kernelSize[1], shape[shape.length - 1] as number, this.filters], "float32", init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [N, H, W] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [N, H === null ? null : H - this.kernelSize[0] + 1, W === null ? null : W - this.kernelSize[1] + 1, this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.conv2d(signSte(x), signSte(this.kernel!.read() as tf.Tensor4D), 1, "valid");
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: [...this.kernelSize], seed: this.seed ?? null };
  }
}

export interface BinaryDenseArgs extends BaseLayerArgs {
  readonly units: number;
  readonly seed?: number | null;
}

/** sign(x)·sign(W), no bias; kernel [in, units] latent floats. */
export class BinaryDense extends tf.layers.Layer {
  static readonly className = "BinaryDense";
  readonly units: number;
  readonly seed: number | undefined;
  kernel: tf.LayerVariable | undefined;

  constructor(args: BinaryDenseArgs) {
    const { units, seed, ...base } = args;
    super(base);
    this.units = units;
    this.seed = seed ?? undefined;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const init: Initializer = tf.initializers.glorotUniform({ seed: this.seed });
    this.kernel = this.addWeight("kernel", [shape[shape.length - 1] as number, this.units], "float32", init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    return tf.matMul(signSte(x), signSte(this.kernel!.read() as tf.Tensor2D));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, seed: this.seed ?? null };
  }
}

tf.serialization.registerClass(SignActivation);
tf.serialization.registerClass(BinaryConv2D);
tf.serialization.registerClass(BinaryDense);
