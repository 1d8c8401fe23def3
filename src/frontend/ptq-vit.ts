/**
 * Post-training quantization of a float ViT description (`"topology": "vit"`,
 * src/frontend/float/vit-model.ts) into an integer-only quantrtl model document
 * (docs/integer-ops.md §1–§6): int8 weights and activations, I-LayerNorm,
 * Shiftmax inside the attention, ShiftGELU, the token embedding and selection of
 * src/ir/model.ts, every requant calibrated on the golden accumulators of the
 * calibration images (src/frontend/vit-calibrate.ts).
 *
 * Mapping, float layer → IR layer (names with "." become "_"):
 * - conv2d (the patch embedding, kernel = stride) → conv2d, per-channel requant;
 * - token_embed → token_embed reading the conv's [H/k, W/k, C] map as its tokens;
 * - layernorm → layernorm; linear → linear (a QKV linear read by an attention layer
 *   gets one output scale per part: Q, K, V); attention → attention; add → add;
 *   gelu → gelu (ShiftGELU approximates x·σ(1.702x), whichever form was trained);
 * - token_select → token_select; dense → dense; the last layer's outputs are 16-bit
 *   logits [ours, as src/frontend/ptq.ts: 8-bit logits saturate into argmax ties],
 *   followed by an argmax.
 * The input scale is max |pixel| / 127 over the calibration images (as ptq.ts).
 * [ours] Every I-LayerNorm takes 16 Newton steps (NEWTON_ITERATIONS_MAX, recorded in the
 * IR as §5 allows) unless `newtonIterations` says otherwise: with §5's ten, tokens of
 * small spread (MNIST's background patches) get std up to 3× too large.
 */
import type { FloatVitModel, VitLayer } from "./float/vit-model.js";
import { IntTensor } from "../ir/model.js";
import { QuantrtlError } from "../util/errors.js";
import { byKind, type ByKind } from "./float/by-kind.js";
import { quantizeInput } from "./ptq.js";
import { CalibrationOptions, GoldenHooks, VitDocBuilder } from "./vit-calibrate.js";
import { NEWTON_ITERATIONS_MAX } from "../arith/ivit/isqrt.js";

type Doc = Record<string, unknown>;

export interface VitPtqOptions extends CalibrationOptions {
  /** Calibration images (float, HWC, the network's input encoding). */
  readonly calibration: readonly (Float32Array | Float64Array)[];
  readonly golden: GoldenHooks;
  readonly name?: string;
  readonly description?: string;
  /** Folding of every engine [ours default: pe ≤ 4 and simd ≤ 16 lanes that divide the layer]. */
  readonly arch?: (layer: { name: string; outChannels: number; reduction: number }) => { pe: number; simd: number };
  /** The float description's path, for error messages. */
  readonly file?: string;
}

export interface VitPtqResult {
  readonly document: Doc;
  /** Real value of one input step: the dataset's float input x is fed as round(x / inputScale). */
  readonly inputScale: number;
  /** IR layer name → real value of one output step (per part for a QKV linear; argmax: [1]). */
  readonly scales: Readonly<Record<string, readonly number[]>>;
  /** IR layer name → the float layer whose output it reproduces. */
  readonly floatLayerOf: Readonly<Record<string, string>>;
  /** What the integer form could not represent exactly (LayerNorm biases clamped to ±2^30). */
  readonly warnings: readonly string[];
}

/** Default folding [ours]: the largest PE count ≤ 4 dividing the outputs, the largest SIMD ≤ 16 dividing the reduction. */
export function vitFolding({ outChannels, reduction }: { outChannels: number; reduction: number }): { pe: number; simd: number } {
  const largestDivisor = (n: number, cap: number) => {
    for (let d = Math.min(n, cap); d > 1; d--) if (n % d === 0) return d;
    return 1;
  };
  return { pe: largestDivisor(outChannels, 4), simd: largestDivisor(reduction, 16) };
}

/** A float layer name as an IR layer name (schema: a letter, then up to 31 letters, digits or underscores), unique. */
function irNamer(): (name: string) => string {
  const used = new Set<string>(["input"]);
  return (n: string) => {
    const base =
      n
        .replace(/[^A-Za-z0-9_]/g, "_")
        .replace(/^[^A-Za-z]+/, "")
        .slice(0, 28) || "layer";
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
}

/** Adding the IR layer `n` of the float layer at JSON path `at`, reading IR layer `from`, `outBits` wide. */
interface Step {
  readonly q: VitDocBuilder;
  readonly arch: NonNullable<VitPtqOptions["arch"]>;
  readonly file: string | undefined;
  /** The float layers reading a float layer. */
  readonly readers: (l: VitLayer) => readonly VitLayer[];
  /** The IR name of a float layer. */
  readonly irOf: (floatName: string) => string;
  readonly at: string;
  readonly n: string;
  readonly from: string;
  readonly outBits: 8 | 16;
}

const engineRows = (l: Extract<VitLayer, { kind: "linear" | "dense" }>, { q, arch, file, readers, at, n, from, outBits }: Step) => {
  if (l.kind === "dense" && l.datapath !== "mac") throw new QuantrtlError(file, `${at}/datapath`, `datapath "${l.datapath}" in a ViT`, '"mac"');
  const parts = readers(l).some((r) => r.kind === "attention") ? 3 : 1;
  q.engine({
    type: l.kind,
    name: n,
    from,
    weights: l.weights,
    bias: l.bias,
    outChannels: l.outFeatures,
    reduction: l.inFeatures,
    parts,
    outBits,
    arch: arch({ name: n, outChannels: l.outFeatures, reduction: l.inFeatures }),
  });
};

/** Per kind: adds the IR layer of one float layer (the mapping in the header). */
const TO_IR: ByKind<VitLayer, [Step], void> = {
  conv2d: (l, { q, arch, file, at, n, from, outBits }) => {
    if (l.datapath !== "mac") throw new QuantrtlError(file, `${at}/datapath`, `datapath "${l.datapath}" in a ViT`, '"mac"');
    const reduction = l.kernel[0] * l.kernel[1] * l.inChannels;
    q.engine({
      type: "conv2d",
      name: n,
      from,
      weights: l.weights,
      bias: l.bias,
      outChannels: l.outChannels,
      reduction,
      outBits,
      arch: arch({ name: n, outChannels: l.outChannels, reduction }),
      kernelSize: l.kernel,
      stride: l.stride,
    });
  },
  linear: engineRows,
  dense: engineRows,
  token_embed: (l, { q, n, from }) => q.tokenEmbed(n, from, l.cls, l.pos),
  layernorm: (l, { q, n, from }) => q.layerNorm(n, from, l.gamma, l.beta),
  attention: (l, { q, n, from }) => q.attention(n, from, l.heads),
  add: (l, { q, irOf, n, from }) => q.residual(n, from, irOf(l.inputs[1])),
  gelu: (_l, { q, n, from }) => q.gelu(n, from),
  token_select: (l, { q, n, from }) => q.tokenSelect(n, from, l.index),
};

export function quantizeVit(desc: FloatVitModel, options: VitPtqOptions): VitPtqResult {
  const file = options.file;
  if (options.calibration.length === 0) throw new QuantrtlError(file, "calibration", "no calibration images", "give at least one image");
  const [H, W, Cin] = desc.input.shape;
  let inputMax = 0;
  for (const img of options.calibration) for (const v of img) inputMax = Math.max(inputMax, Math.abs(v));
  const inputScale = (inputMax > 0 ? inputMax : 1) / 127;
  const input = { height: H, width: W, channels: Cin, bits: 8 };
  const calibration: IntTensor[] = options.calibration.map((img) => ({ shape: [H, W, Cin], bits: 8, data: quantizeInput(img, inputScale) }));
  const name = options.name ?? desc.name;
  const q = new VitDocBuilder(name, input, inputScale, calibration, options.golden, {
    ...options,
    newtonIterations: options.newtonIterations ?? NEWTON_ITERATIONS_MAX,
  });
  const arch = options.arch ?? vitFolding;

  const irName = irNamer();
  const ir = new Map<string, string>([["input", "input"]]);
  const floatLayerOf: Record<string, string> = {};
  const readers = (l: VitLayer) => desc.layers.filter((r) => r.inputs.includes(l.name));
  const last = desc.layers[desc.layers.length - 1];
  // the index of the last float layer reading each layer: its calibration outputs can go after it
  const lastUse = new Map<string, number>();
  desc.layers.forEach((l, i) => l.inputs.forEach((n) => lastUse.set(n, i)));

  desc.layers.forEach((l, i) => {
    const at = `/layers/${i}`;
    const n = irName(l.name);
    ir.set(l.name, n);
    floatLayerOf[n] = l.name;
    const from = ir.get(l.inputs[0])!;
    const outBits = l === last ? 16 : 8;
    byKind(TO_IR, l, { q, arch, file, readers, irOf: (floatName) => ir.get(floatName)!, at, n, from, outBits });
    for (const input of l.inputs) if (lastUse.get(input) === i) q.release(ir.get(input)!);
  });
  const argmax = irName("predicted_class");
  q.argmax(argmax, ir.get(last.name)!);

  const scales = Object.fromEntries([...ir.values()].filter((n) => n !== "input").map((n) => [n, q.scales(n)]));
  const document: Doc = {
    quantrtl: 1,
    name,
    description:
      options.description ?? `${desc.name}: ViT quantized integer-only by quantrtl (post-training, ${options.calibration.length} calibration images)`,
    input,
    layers: q.layers,
    metadata: { inputScale, source: desc.name, scales },
  };
  return { document, inputScale, scales, floatLayerOf, warnings: q.clampedBiases };
}

/**
 * Per-layer SQNR (dB) of the integer outputs (× the layer's scale, per part) against
 * the float outputs of the same layers, the float network fed the quantized input.
 * `floatOutputs[i]` maps float layer names to image i's float activations.
 */
export function vitLayerSqnr(
  result: VitPtqResult,
  layerNames: readonly string[],
  integerTraces: readonly { readonly layers: readonly { readonly data: Int32Array; readonly shape: readonly number[] }[] }[],
  floatOutputs: readonly ReadonlyMap<string, ArrayLike<number>>[],
): { layer: string; sqnrDb: number }[] {
  return layerNames.flatMap((layer, li) => {
    const floatName = result.floatLayerOf[layer];
    if (floatName === undefined) return [];
    const parts = result.scales[layer];
    let signal = 0;
    let noise = 0;
    integerTraces.forEach((trace, n) => {
      const ref = floatOutputs[n].get(floatName);
      if (!ref) return;
      const t = trace.layers[li];
      const C = t.shape[2];
      const per = C / parts.length;
      for (let i = 0; i < ref.length; i++) {
        const real = t.data[i] * parts[Math.floor((i % C) / per)];
        signal += ref[i] * ref[i];
        noise += (ref[i] - real) ** 2;
      }
    });
    return signal === 0 ? [] : [{ layer, sqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise) }];
  });
}
