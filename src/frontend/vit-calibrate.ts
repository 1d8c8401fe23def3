/**
 * Builds an integer-only ViT model document layer by layer (I-ViT ops,
 * docs/integer-ops.md §1–§6), each requant calibrated on the golden outputs of the
 * layers before it over a set of integer calibration inputs: the real value of an
 * output is its golden accumulator × the accumulator's scale, and the output scale
 * puts the calibrated |value| range at 127 (32767 for 16-bit outputs).
 * Generalised from scripts/deit-block.ts (one seeded input there, real MNIST images
 * in src/frontend/ptq-vit.ts); with one calibration input and coverage 1 it computes
 * exactly what that script computed.
 *
 * The golden reference is handed in (GoldenHooks) rather than imported, so that
 * src/frontend needs nothing of src/hw (docs/design.md "Import direction").
 *
 * Choices [ours]: weights int8 symmetric per output channel (max-abs), biases int32 on
 * the accumulator scale, one shift per layer (§1: the largest k with every |m| < 2^16),
 * rounding half_even, Q, K and V of a fused QKV linear each on a scale of its own.
 */
import { parseModel } from "../ir/load.js";
import { Conv2dLayer, engineConv, IntTensor, isEngineLayer, Layer, MODEL_INPUT, TensorSpec } from "../ir/model.js";
import { QuantrtlError } from "../util/errors.js";
import { DEFAULT_MULTIPLIER_BITS, multiplierFromRatio } from "../arith/requant.js";
import { roundHalfEvenReal, RoundingMode } from "../arith/rounding.js";
import { layerNorm, layerNormBiasInt } from "../arith/ivit/layernorm.js";
import { GELU_SIGMOID_SLOPE, SHIFTGELU_N, shiftGelu } from "../arith/ivit/shiftgelu.js";
import { attentionScoreScale, SHIFTMAX_N } from "../arith/ivit/shiftmax.js";
import { RECIPROCAL_NUMERATOR, x0FromScale } from "../arith/ivit/expshift.js";
import { attentionHead } from "../arith/ivit/attention.js";

type Doc = Record<string, unknown>;

/** The golden reference the calibration runs on (src/hw/golden). */
export interface GoldenHooks {
  /** One layer's golden output (network.ts runLayer). */
  readonly runLayer: (layer: Layer, inputs: readonly IntTensor[]) => IntTensor;
  /** An engine layer's accumulators before its requant (conv2d.ts conv2dAccumulators). */
  readonly accumulators: (layer: Conv2dLayer, input: Int32Array) => Float64Array;
}

export interface CalibrationOptions {
  /**
   * Fraction of the calibrated |values| inside the output range: 1 (default) takes
   * max |value|, 0.9999 clips the largest 0.01 % (they saturate).
   */
  readonly coverage?: number;
  readonly rounding?: RoundingMode;
  /** Newton steps of every I-LayerNorm (absent: §5's ten, and no field in the document). */
  readonly newtonIterations?: number;
}

/** An engine layer to quantize: float weights [out][K] (K in OHWI order for a conv), float bias [out]. */
export interface EngineSpec {
  readonly type: "linear" | "dense" | "conv2d";
  readonly name: string;
  readonly from: string;
  readonly weights: ArrayLike<number>;
  readonly bias?: ArrayLike<number>;
  readonly outChannels: number;
  /** K: weights per output channel. */
  readonly reduction: number;
  /** Output channels in `parts` equal groups, each on a scale of its own (3 for a fused QKV linear). */
  readonly parts?: number;
  readonly outBits?: 8 | 16;
  readonly arch: { readonly pe: number; readonly simd: number };
  /** conv2d only. */
  readonly kernelSize?: readonly [number, number];
  readonly stride?: readonly [number, number];
}

const QMAX: Record<8 | 16, number> = { 8: 127, 16: 32767 };

/** The calibrated spread of a set of values: max |v|, or the `coverage` quantile of |v|; 1 when every value is 0. */
class Spread {
  private max = 0;
  private readonly values?: number[];
  constructor(private readonly coverage: number) {
    if (coverage < 1) this.values = [];
  }
  add(v: number): void {
    const a = Math.abs(v);
    if (a > this.max) this.max = a;
    this.values?.push(a);
  }
  result(): number {
    let m = this.max;
    if (this.values && this.values.length > 0) {
      const sorted = Float64Array.from(this.values).sort();
      m = sorted[Math.min(sorted.length - 1, Math.floor(this.coverage * sorted.length))];
    }
    return m > 0 ? m : 1;
  }
}

/** Per-channel (or per-part) ratios → multipliers with one shift (§1: the largest k with every |m| < 2^16). */
export function dyadicMultipliers(ratios: readonly number[]): { multipliers: number[]; shift: number } {
  const { shift } = multiplierFromRatio(Math.max(...ratios.map(Math.abs)), DEFAULT_MULTIPLIER_BITS);
  return { multipliers: ratios.map((r) => Math.round(r * 2 ** shift)), shift };
}

export class VitDocBuilder {
  readonly layers: Doc[] = [];
  /** LayerNorm channels whose bias_int was clamped (see layerNorm). */
  readonly clampedBiases: string[] = [];
  private readonly tensors = new Map<string, readonly IntTensor[]>();
  private readonly scaleMap = new Map<string, number[]>();
  private readonly coverage: number;
  private readonly rounding: RoundingMode;
  private readonly newtonIterations?: number;

  /** `inputScale`: real value of one input step; `calibration`: integer model inputs. */
  constructor(
    private readonly name: string,
    private readonly input: TensorSpec,
    inputScale: number,
    calibration: readonly IntTensor[],
    private readonly golden: GoldenHooks,
    options: CalibrationOptions = {},
  ) {
    if (calibration.length === 0) throw new QuantrtlError(undefined, "calibration", "no calibration inputs", "give at least one input");
    this.coverage = options.coverage ?? 1;
    if (!(this.coverage > 0 && this.coverage <= 1))
      throw new QuantrtlError(undefined, "coverage", `${this.coverage} is not in (0, 1]`, "use 1 (max |value|) or e.g. 0.9999");
    this.rounding = options.rounding ?? "half_even";
    this.newtonIterations = options.newtonIterations;
    this.tensors.set(MODEL_INPUT, calibration);
    this.scaleMap.set(MODEL_INPUT, [inputScale]);
  }

  /** Real value of one output step of a layer (one entry per part; Q, K, V for a QKV linear). */
  scales(name: string): number[] {
    return this.scaleMap.get(name)!;
  }

  /** Golden outputs of a layer on the calibration inputs. */
  outputs(name: string): readonly IntTensor[] {
    return this.tensors.get(name)!;
  }

  /** Drops the calibration outputs of a layer no later layer reads (they are ~10^5 integers per image). */
  release(name: string): void {
    if (name !== MODEL_INPUT) this.tensors.delete(name);
  }

  private scalar(name: string): number {
    return this.scales(name)[0];
  }

  /** Parses the model so far plus `doc`, returning the new layer. */
  private probe(doc: Doc): Layer {
    const m = parseModel({ quantrtl: 1, name: this.name, input: this.input, layers: [...this.layers, doc] }, { allowUnused: true });
    return m.layers[m.layers.length - 1];
  }

  /** Appends the finished layer and runs it (golden) on every calibration input. */
  private commit(doc: Doc, outScales: number[]): Layer {
    const layer = this.probe(doc);
    this.layers.push(doc);
    const ins = layer.inputs.map((n) => this.tensors.get(n)!);
    this.tensors.set(
      layer.name,
      ins[0].map((_, v) =>
        this.golden.runLayer(
          layer,
          ins.map((t) => t[v]),
        ),
      ),
    );
    this.scaleMap.set(layer.name, outScales);
    return layer;
  }

  private placeholder(perChannel: number): Doc {
    return { multipliers: new Array(perChannel).fill(1), shift: 0, rounding: this.rounding, outBits: 8 };
  }

  /**
   * I-LayerNorm (§5): beta/gamma into bias_int, gamma (with its sign) into per-channel
   * multipliers of z on scale (sqrt(N)/2^30)·gamma.
   * [ours] z = floor(y·f/2) + bias_int must fit 32 bits (the loader's check), so bias_int
   * is clamped to ±2^30, i.e. |beta/gamma| to sqrt(N): a channel beyond it gets
   * gamma·(x̂ ± sqrt(N)) in place of gamma·x̂ + beta (counted in `clampedBiases`).
   */
  layerNorm(name: string, from: string, gamma: ArrayLike<number>, beta: ArrayLike<number>): Layer {
    const D = gamma.length;
    const limit = 2 ** 30;
    const biasInt = Array.from(layerNormBiasInt(beta, gamma), (b) => {
      if (Math.abs(b) <= limit) return b;
      this.clampedBiases.push(`${name}: bias_int ${b} clamped to ±2^30`);
      return Math.sign(b) * limit;
    });
    const steps = this.newtonIterations !== undefined ? { newtonIterations: this.newtonIterations } : {};
    const doc: Doc = { type: "layernorm", name, inputs: [from], biasInt, ...steps, requant: this.placeholder(D) };
    const layer = this.probe(doc);
    if (layer.kind !== "layernorm") throw new Error("not a layernorm");
    const unit = Math.sqrt(D) / 2 ** 30;
    const spread = new Spread(this.coverage);
    for (const t of this.outputs(from)) {
      const x = t.data;
      for (let s = 0; s < x.length; s += D) {
        const z = layerNorm(x.subarray(s, s + D), layer.params);
        for (let c = 0; c < D; c++) spread.add(z[c] * (unit * gamma[c]));
      }
    }
    const sOut = spread.result() / 127;
    const rq = dyadicMultipliers(Array.from(gamma, (g) => (unit * g) / sOut));
    return this.commit({ ...doc, requant: { ...rq, rounding: this.rounding, outBits: 8 } }, [sOut]);
  }

  /** A MAC engine (linear, dense or conv2d) with per-channel int8 weights and a per-channel requant. */
  engine(e: EngineSpec): Layer {
    const N = e.outChannels;
    const K = e.reduction;
    const outBits = e.outBits ?? 8;
    const parts = e.parts ?? 1;
    const sIn = this.scalar(e.from);
    const rowMax = (o: number) => {
      let m = 0;
      for (let i = o * K; i < (o + 1) * K; i++) m = Math.max(m, Math.abs(e.weights[i]));
      return m > 0 ? m : 1;
    };
    const sW = Array.from({ length: N }, (_, o) => rowMax(o) / 127);
    const weights = Array.from(e.weights, (w, i) => Math.max(-127, Math.min(127, roundHalfEvenReal(w / sW[Math.floor(i / K)]))));
    const doc: Doc = { type: e.type, name: e.name, inputs: [e.from], datapath: "mac" };
    if (e.type === "conv2d") Object.assign(doc, { outChannels: N, kernelSize: [...e.kernelSize!], stride: [...e.stride!], padding: 0 });
    else doc.outFeatures = N;
    Object.assign(doc, { weightBits: 8, activationBits: 8, weights });
    if (e.bias) doc.bias = Array.from(e.bias, (v, o) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, roundHalfEvenReal(v / (sIn * sW[o])))));
    doc.requant = this.placeholder(N);
    doc.arch = { pe: Math.min(e.arch.pe, N), simd: Math.min(e.arch.simd, K) };
    const layer = this.probe(doc);
    if (!isEngineLayer(layer)) throw new Error("not an engine");
    const conv = engineConv(layer);
    const per = N / parts;
    const spreads = Array.from({ length: parts }, () => new Spread(this.coverage));
    for (const t of this.outputs(e.from)) {
      const acc = this.golden.accumulators(conv, t.data);
      for (let i = 0; i < acc.length; i++) {
        const o = i % N;
        spreads[Math.floor(o / per)].add(acc[i] * sIn * sW[o]);
      }
    }
    const partScales = spreads.map((s) => s.result() / QMAX[outBits]);
    const rq = dyadicMultipliers(sW.map((s, o) => (sIn * s) / partScales[Math.floor(o / per)]));
    return this.commit({ ...doc, requant: { ...rq, rounding: this.rounding, outBits } }, partScales);
  }

  /** Residual add (§1): each operand rescaled to the output scale on its own, summed, saturated. */
  residual(name: string, a: string, b: string): Layer {
    const sa = this.scalar(a);
    const sb = this.scalar(b);
    const spread = new Spread(this.coverage);
    const tb = this.outputs(b);
    this.outputs(a).forEach((t, v) => {
      for (let i = 0; i < t.data.length; i++) spread.add(t.data[i] * sa + tb[v].data[i] * sb);
    });
    const sOut = spread.result() / 127;
    const rq = dyadicMultipliers([sa / sOut, sb / sOut]);
    return this.commit({ type: "add", name, inputs: [a, b], multipliers: rq.multipliers, shift: rq.shift, rounding: this.rounding, outBits: 8 }, [sOut]);
  }

  /**
   * Multi-head attention (§6) on the fused [Q | K | V] output of `from`: S = s_q·s_k/sqrt(d)
   * folded into x0; A·V on scale s_v/2^7, requantized.
   * [ours] n = 15 (§3) unless T·|x0|·2^n would pass 2^31 − 1: then min(Σe, 2^31 − 1) could
   * clamp and the probabilities would no longer sum to 1.
   */
  attention(name: string, from: string, heads: number): Layer {
    const [sq, sk, sv] = this.scales(from);
    const [T, , channels] = this.outputs(from)[0].shape;
    const D = channels / 3;
    const d = D / heads;
    const x0 = x0FromScale(attentionScoreScale(sq, sk, d));
    const n = Math.min(SHIFTMAX_N, Math.floor(Math.log2(RECIPROCAL_NUMERATOR / (T * -x0))));
    const doc: Doc = { type: "attention", name, inputs: [from], heads, x0, n, requant: { multiplier: 1, shift: 0, rounding: this.rounding, outBits: 8 } };
    const layer = this.probe(doc);
    if (layer.kind !== "attention") throw new Error("not attention");
    const spread = new Spread(this.coverage);
    for (const t of this.outputs(from)) {
      const qkv = t.data;
      for (let h = 0; h < heads; h++) {
        const part = (which: number) => {
          const s = new Int32Array(T * d);
          for (let r = 0; r < T; r++) for (let c = 0; c < d; c++) s[r * d + c] = qkv[r * 3 * D + which * D + h * d + c];
          return s;
        };
        const [q, k, v] = [part(0), part(1), part(2)];
        for (let r = 0; r < T; r++) for (const a of attentionHead(q.subarray(r * d, (r + 1) * d), k, v, T, d, layer.softmax)) spread.add(a);
      }
    }
    const accScale = sv / 2 ** (layer.softmax.outBits - 1);
    const sOut = (spread.result() * accScale) / 127;
    const rq = multiplierFromRatio(accScale / sOut, DEFAULT_MULTIPLIER_BITS);
    return this.commit({ ...doc, requant: { ...rq, rounding: this.rounding, outBits: 8 } }, [sOut]);
  }

  /**
   * ShiftGELU (§4): x0' = floor(−1/(1.702·S)) for S the (dyadic) input scale; y on scale S/2^(b−1).
   * [ours] n = 23 (§4) unless 2·|x0'|·2^n would pass 2^31 − 1 (the bound the loader checks): then
   * the largest n that keeps it.
   */
  gelu(name: string, from: string): Layer {
    const sIn = this.scalar(from);
    const x0 = x0FromScale(multiplierFromRatio(sIn, DEFAULT_MULTIPLIER_BITS), GELU_SIGMOID_SLOPE);
    const n = Math.min(SHIFTGELU_N, Math.floor(Math.log2(RECIPROCAL_NUMERATOR / (2 * -x0))));
    const doc: Doc = {
      type: "gelu",
      name,
      inputs: [from],
      x0,
      ...(n !== SHIFTGELU_N ? { n } : {}),
      requant: { multiplier: 1, shift: 0, rounding: this.rounding, outBits: 8 },
    };
    const layer = this.probe(doc);
    if (layer.kind !== "gelu") throw new Error("not gelu");
    const M = layer.input.channels;
    const spread = new Spread(this.coverage);
    for (const t of this.outputs(from)) {
      for (let s = 0; s < t.data.length; s += M) for (const y of shiftGelu(t.data.subarray(s, s + M), layer.params)) spread.add(y);
    }
    const yScale = sIn / 2 ** (layer.params.outBits - 1);
    const sOut = (spread.result() * yScale) / 127;
    const rq = multiplierFromRatio(yScale / sOut, DEFAULT_MULTIPLIER_BITS);
    return this.commit({ ...doc, requant: { ...rq, rounding: this.rounding, outBits: 8 } }, [sOut]);
  }

  /**
   * Token embedding (model.ts TokenEmbedLayer): `from`'s H·W pixels are the tokens;
   * out row 0 = cls + pos[0], row t = x[t−1] + pos[t] in real values. The table
   * E = round(·/s_out) and the token's multiplier m/2^k ≈ s_in/s_out.
   */
  tokenEmbed(name: string, from: string, cls: ArrayLike<number>, pos: ArrayLike<number>): Layer {
    const sIn = this.scalar(from);
    const C = cls.length;
    const real = (row: number, c: number, x: Int32Array) => (row === 0 ? cls[c] : x[(row - 1) * C + c] * sIn) + pos[row * C + c];
    const spread = new Spread(this.coverage);
    for (const t of this.outputs(from)) {
      const rows = t.data.length / C + 1;
      for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) spread.add(real(r, c, t.data));
    }
    const sOut = spread.result() / 127;
    const rq = multiplierFromRatio(sIn / sOut, DEFAULT_MULTIPLIER_BITS);
    const embedding = Array.from(pos, (p, i) => roundHalfEvenReal((i < C ? cls[i] + p : p) / sOut));
    return this.commit({ type: "token_embed", name, inputs: [from], embedding, requant: { ...rq, rounding: this.rounding, outBits: 8 } }, [sOut]);
  }

  tokenSelect(name: string, from: string, index: number): Layer {
    return this.commit({ type: "token_select", name, inputs: [from], index }, this.scales(from));
  }

  argmax(name: string, from: string): Layer {
    return this.commit({ type: "argmax", name, inputs: [from] }, [1]);
  }
}
