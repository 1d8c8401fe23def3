/**
 * AdderNet layers for tfjs (Chen et al., "AdderNet: Do We Really Need
 * Multiplications in Deep Learning?", arXiv 1912.13200).
 *
 * Forward (eq. 2): Y[m,o] = −Σ_k |X[m,k] − W[k,o]| over the receptive field.
 * Backward, as the paper trains it (not the true derivative):
 * - ∂Y/∂W = X − W            (eq. 5, full-precision gradient instead of sgn(X − W))
 * - ∂Y/∂X = HT(W − X)        (eq. 6, HardTanh = clip(·, −1, 1))
 * - adaptive learning rate (eq. 13): layer l's weight gradient is scaled by
 *   α_l = η·√k / ‖ΔW_l‖₂ (k = number of elements of W_l). That scaling is not
 *   part of the op: the training step applies it with `scaleAdderGradient`
 *   to each adder kernel's gradient before the optimizer (src/frontend/float/train.ts).
 *
 * Conv is im2col: `extractPatches` builds [N·OH·OW, KH·KW·C] patches (its
 * gradient, col2im, adds them back into the image layout), and
 * `adderMatMul` is the custom-gradient "adder product" of patches and the
 * kernel reshaped to [KH·KW·C, O]. Kernels are stored HWIO like tfjs conv2d,
 * so the reduction index is k = (ky·KW + kx)·C + ic.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * −Σ_k |x[m,k] − w[k,o]| for x [M,K], w [K,O]. Plain loops over the typed
 * arrays: no tfjs kernel computes Σ|x − w|, and the broadcast sub/abs/sum
 * route is about 5× slower on the wasm backend (it materialises [M,O,K]).
 * Sums run in float64 and are stored as float32.
 */
export function adderProduct(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const [M, K] = x.shape;
  const O = w.shape[1];
  const xs = x.dataSync();
  const ws = w.dataSync();
  const wt = new Float32Array(K * O); // [O][K]: the inner loop walks both operands contiguously
  for (let k = 0; k < K; k++) for (let o = 0; o < O; o++) wt[o * K + k] = ws[k * O + o];
  const y = new Float32Array(M * O);
  for (let m = 0; m < M; m++) {
    const xRow = m * K;
    for (let o = 0; o < O; o++) {
      const wRow = o * K;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.abs(xs[xRow + k] - wt[wRow + k]);
      y[m * O + o] = -sum;
    }
  }
  return tf.tensor2d(y, [M, O]);
}

/** dX[m,k] = Σ_o dy[m,o] · clip(w[k,o] − x[m,k], −1, 1) (HardTanh, paper eq. 6). */
function adderInputGradient(x: tf.Tensor2D, w: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  const [M, K] = x.shape;
  const O = w.shape[1];
  const xs = x.dataSync();
  const ws = w.dataSync();
  const gs = dy.dataSync();
  const dx = new Float32Array(M * K);
  for (let m = 0; m < M; m++) {
    const gRow = m * O;
    for (let k = 0; k < K; k++) {
      const xv = xs[m * K + k];
      const wRow = k * O;
      let sum = 0;
      for (let o = 0; o < O; o++) sum += gs[gRow + o] * Math.min(1, Math.max(-1, ws[wRow + o] - xv));
      dx[m * K + k] = sum;
    }
  }
  return tf.tensor2d(dx, [M, K]);
}

/** dW[k,o] = Σ_m dy[m,o]·(x[m,k] − w[k,o]) = (xᵀ·dy)[k,o] − w[k,o]·Σ_m dy[m,o]: one matmul (paper eq. 5). */
function adderWeightGradient(x: tf.Tensor2D, w: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.sub(tf.matMul(x, dy, true, false), tf.mul(w, tf.sum(dy, 0))));
}

function makeAdderOp(inputGradient: boolean) {
  return tf.customGrad((...args) => {
    const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: adderProduct(x, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        return [inputGradient ? adderInputGradient(xs, ws, g) : tf.zerosLike(xs), adderWeightGradient(xs, ws, g)];
      },
    };
  });
}

const adderOp = makeAdderOp(true);
const adderOpNoInputGradient = makeAdderOp(false);

/**
 * Adder product with the AdderNet training gradients (see the file comment).
 * `inputGradient: false` returns a zero input gradient without computing it:
 * for a first layer, whose input (the image) is not trained.
 */
export function adderMatMul(x: tf.Tensor2D, w: tf.Tensor2D, options: { inputGradient?: boolean } = {}): tf.Tensor2D {
  return ((options.inputGradient ?? true) ? adderOp : adderOpNoInputGradient)(x, w) as tf.Tensor2D;
}

export type Padding = "valid" | "same";

/** Output size and the (top/left, bottom/right) zero padding of a stride-1 window. */
export function windowGeometry(size: number, kernel: number, padding: Padding): { out: number; before: number; after: number } {
  if (padding === "valid") return { out: size - kernel + 1, before: 0, after: 0 };
  const total = kernel - 1;
  return { out: size, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/**
 * im2col for stride 1: x [N,H,W,C] → [N·OH·OW, KH·KW·C], k = (ky·KW + kx)·C + ic.
 * 'same' pads with zeros the way tfjs conv2d does (extra row/column at the
 * bottom/right). Plain loops with a custom gradient (col2im: each patch
 * gradient is added back to the pixel it was copied from): built from tfjs
 * slices and a concat, the gradient is ~25 pads and an add per layer, which
 * costs more on the wasm backend than the adder product itself.
 */
export function extractPatches(x: tf.Tensor4D, kernel: readonly [number, number], padding: Padding): tf.Tensor2D {
  const [N, H, W, C] = x.shape;
  const [KH, KW] = kernel;
  const gy = windowGeometry(H, KH, padding);
  const gx = windowGeometry(W, KW, padding);
  const K = KH * KW * C;
  const rows = N * gy.out * gx.out;
  // visit(offset of the tap in the patches, offset of its pixel in x) for every in-image tap;
  // padded taps stay 0, so an adder layer sees −|0 − w| there (as the golden kernel does).
  const eachTap = (visit: (patchBase: number, pixelBase: number) => void) => {
    for (let n = 0; n < N; n++)
      for (let oy = 0; oy < gy.out; oy++)
        for (let ox = 0; ox < gx.out; ox++) {
          const row = (n * gy.out + oy) * gx.out + ox;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy + ky - gy.before;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox + kx - gx.before;
              if (ix < 0 || ix >= W) continue;
              visit(row * K + (ky * KW + kx) * C, ((n * H + iy) * W + ix) * C);
            }
          }
        }
  };
  const op = tf.customGrad((...args) => {
    const [input] = args as [tf.Tensor4D];
    const xs = input.dataSync();
    const patches = new Float32Array(rows * K);
    eachTap((p, q) => {
      for (let c = 0; c < C; c++) patches[p + c] = xs[q + c];
    });
    return {
      value: tf.tensor2d(patches, [rows, K]),
      gradFunc: (dy: tf.Tensor) => {
        const gs = dy.dataSync();
        const dx = new Float32Array(N * H * W * C);
        eachTap((p, q) => {
          for (let c = 0; c < C; c++) dx[q + c] += gs[p + c];
        });
        return tf.tensor4d(dx, [N, H, W, C]);
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/** Adder conv2d, stride 1: x [N,H,W,C], kernel HWIO [KH,KW,C,O] → [N,OH,OW,O]. */
export function adderConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, padding: Padding, options: { inputGradient?: boolean } = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const [N, H, W] = x.shape;
    const [KH, KW, C, O] = kernel.shape;
    const patches = extractPatches(x, [KH, KW], padding);
    const y = adderMatMul(patches, tf.reshape(kernel, [KH * KW * C, O]), options);
    return tf.reshape(y, [N, windowGeometry(H, KH, padding).out, windowGeometry(W, KW, padding).out, O]);
  });
}

/**
 * Adaptive learning-rate scaling of one adder layer's weight gradient (paper
 * eq. 13): ΔW · η·√k/‖ΔW‖₂. The paper uses η = 0.1.
 */
export function scaleAdderGradient(grad: tf.Tensor, eta: number): tf.Tensor {
  return tf.tidy(() => {
    const norm = tf.norm(grad);
    const alpha = tf.div(tf.scalar(eta * Math.sqrt(grad.size)), tf.add(norm, tf.scalar(1e-12)));
    return tf.mul(grad, alpha);
  });
}

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;
/** tfjs's own layer arguments (name, inputShape, batchInputShape, trainable, dtype …). */
export type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface AdderConv2DArgs extends BaseLayerArgs {
  readonly filters: number;
  readonly kernelSize: number | readonly [number, number];
  readonly padding?: Padding;
  /** Seed of the Glorot-uniform kernel initialiser. */
  readonly seed?: number | null;
  /** false for a first layer: skip the (unused) gradient with respect to the image. */
  readonly inputGradient?: boolean;
}

export class AdderConv2D extends tf.layers.Layer {
  static readonly className = "AdderConv2D";
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly padding: Padding;
  readonly seed: number | undefined;
  readonly inputGradient: boolean;
  kernel: tf.LayerVariable | undefined;

  constructor(args: AdderConv2DArgs) {
    const { filters, kernelSize, padding, seed, inputGradient, ...base } = args;
    super(base);
    this.inputGradient = inputGradient ?? true;
    this.filters = filters;
    this.kernelSize = typeof kernelSize === "number" ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    this.padding = padding ?? "valid";
    this.seed = seed ?? undefined;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inChannels = shape[shape.length - 1] as number;
    const init: Initializer = tf.initializers.glorotUniform({ seed: this.seed });
    this.kernel = this.addWeight("kernel", [this.kernelSize[0], this.kernelSize[1], inChannels, this.filters], "float32", init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [N, H, W] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const oh = H === null ? null : windowGeometry(H, this.kernelSize[0], this.padding).out;
    const ow = W === null ? null : windowGeometry(W, this.kernelSize[1], this.padding).out;
    return [N, oh, ow, this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return adderConv2d(x, this.kernel!.read() as tf.Tensor4D, this.padding, { inputGradient: this.inputGradient });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      padding: this.padding,
      seed: this.seed ?? null,
      inputGradient: this.inputGradient,
    };
  }
}

export interface AdderDenseArgs extends BaseLayerArgs {
  readonly units: number;
  readonly seed?: number | null;
}

export class AdderDense extends tf.layers.Layer {
  static readonly className = "AdderDense";
  readonly units: number;
  readonly seed: number | undefined;
  kernel: tf.LayerVariable | undefined;

  constructor(args: AdderDenseArgs) {
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
    return adderMatMul(x, this.kernel!.read() as tf.Tensor2D);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, seed: this.seed ?? null };
  }
}

tf.serialization.registerClass(AdderConv2D);
tf.serialization.registerClass(AdderDense);
