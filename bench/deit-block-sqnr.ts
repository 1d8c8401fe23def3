/**
 * Per-op and per-block SQNR of the integer-only DeiT block (models/deit-tiny-block.json
 * by default) against two float references of the same block: float64
 * (scripts/deit-block.ts, ops from src/arith/ivit/float.ts) and tfjs float32
 * (scripts/deit-block-tfjs.ts, the ViT forward pass of src/frontend/float/vit.ts).
 * Not a test: prints figures, asserts nothing.
 *   isolated:   the float op on the dequantized integer inputs of that op, against
 *               the op's dequantized integer output — the error the op adds itself
 *               (for linear layers it includes the int8 weights);
 *   end-to-end: the float block on the float input x = x_int · inputScale, against
 *               each layer's dequantized integer output — the error accumulated so
 *               far; the add2 row is the whole block's (per-block) SQNR.
 * Inputs: random int8 vectors (those `quantrtl verify` uses), and — when the trained
 * MNIST ViT (models/float/mnist-vit.json) exists — real ones: the block-1 input
 * tokens of MNIST test images. On those, (a) the MNIST ViT's own block 1 in tfjs
 * float32 against float64, and (b) the integer DeiT block on int8-quantized real
 * token rows (three 64-channel tokens side by side make one 192-channel row).
 * Run: node dist/bench/deit-block-sqnr.js [model.json] [vectors] [mnist-vit.json]   (after `npm run build`)
 */
import { existsSync } from "node:fs";
import { loadModel } from "../src/ir/load.js";
import { MODEL_INPUT, type AttentionLayer, type IntTensor } from "../src/ir/model.js";
import { runGolden } from "../src/hw/golden/network.js";
import { randomTensor } from "../src/ir/inputs.js";
import { geluSigmoidFloat } from "../src/arith/ivit/float.js";
import { shiftmax } from "../src/arith/ivit/shiftmax.js";
import { readFloatModel, mnistInput } from "../src/frontend/float/float-model.js";
import { loadMnist } from "../src/frontend/float/mnist.js";
import { initTf } from "../src/frontend/float/tfjs.js";
import { vitForwardImages } from "../src/frontend/float/vit.js";
import { BLOCK_OPS, BlockOp, DEIT_TINY, dequantize, floatBlock, floatOp, FloatBlock, makeFloatBlock, OP_INPUTS } from "../scripts/deit-block.js";
import { disposeTfjsBlock, floatBlockOfVit, tfjsBlock, tfjsBlockForward, tfjsBlockOp, type TfjsBlock } from "../scripts/deit-block-tfjs.js";

const file = process.argv[2] ?? "models/deit-tiny-block.json";
const vectors = Number(process.argv[3] ?? 2);
const vitFile = process.argv[4] ?? "models/float/mnist-vit.json";
/** MNIST test images whose block-1 tokens compare float32 with float64. */
const REAL_IMAGES = 200;

// ---------------------------------------------------------------- SQNR accumulation and tables

class Sqnr {
  private readonly sums = new Map<string, { signal: number; noise: number }>();
  add(key: string, ref: ArrayLike<number>, approx: ArrayLike<number>): void {
    const s = this.sums.get(key) ?? { signal: 0, noise: 0 };
    for (let i = 0; i < ref.length; i++) {
      s.signal += ref[i] * ref[i];
      s.noise += (ref[i] - approx[i]) ** 2;
    }
    this.sums.set(key, s);
  }
  keys(): string[] {
    return [...this.sums.keys()];
  }
  /** 10·log10(Σ ref² / Σ (ref − approx)²), the sqnrDb of src/arith/ivit/float.ts over everything added. */
  db(key: string): number | undefined {
    const s = this.sums.get(key);
    return s === undefined ? undefined : s.noise === 0 ? Infinity : 10 * Math.log10(s.signal / s.noise);
  }
}

/** One row per op: the SQNR columns, then an optional text column. */
function printTable(title: string, columns: readonly [string, Sqnr][], extra?: readonly [string, ReadonlyMap<string, string>]): void {
  console.log(`\n${title}`);
  const keys = [...new Set(columns.flatMap(([, s]) => s.keys()))];
  const width = Math.max(24, ...keys.map((k) => k.length + 2));
  console.log(`${"op".padEnd(width)}${columns.map(([name]) => name.padStart(14)).join("")}${extra ? extra[0].padStart(12) : ""}`);
  for (const key of keys) {
    const cells = columns.map(([, s]) => {
      const v = s.db(key);
      return (v === undefined ? "-" : v.toFixed(1)).padStart(14);
    });
    console.log(`${key.padEnd(width)}${cells.join("")}${extra ? (extra[1].get(key) ?? "-").padStart(12) : ""}`);
  }
}

/** Σ p over each row and head of the attention's Shiftmax, on 1/2^(b−1) (a softmax sums to 1 = 2^(b−1)). */
function probabilityMass(layer: AttentionLayer, qkv: Int32Array): number[] {
  const T = layer.input.height;
  const D = layer.output.channels;
  const d = layer.headDim;
  const sums: number[] = [];
  for (let h = 0; h < layer.heads; h++) {
    for (let t = 0; t < T; t++) {
      const scores = new Int32Array(T);
      for (let j = 0; j < T; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += qkv[t * 3 * D + h * d + c] * qkv[j * 3 * D + D + h * d + c];
        scores[j] = s;
      }
      sums.push(shiftmax(scores, layer.softmax).reduce((a, b) => a + b, 0));
    }
  }
  return sums;
}

// ---------------------------------------------------------------- the integer block against both references

const model = loadModel(file);
const meta = model.metadata as {
  inputScale: number;
  block: { tokens: number; dim: number; heads: number; mlp: number; seed: number; calibrationSeed: number };
  scales: Record<BlockOp, number[]>;
};
const float64 = makeFloatBlock({ ...DEIT_TINY, name: model.name, ...meta.block, inputScale: meta.inputScale });
await initTf();
// DeiT's GELU is the exact (erf) one, as in the float64 reference
const float32 = tfjsBlock(float64, "erf");
const attnAt = model.layers.findIndex((l) => l.kind === "attention");
const attnLayer = model.layers[attnAt] as AttentionLayer;

function integerAgainstFloat(title: string, inputs: readonly IntTensor[]): void {
  const started = Date.now();
  const isolated64 = new Sqnr();
  const isolated32 = new Sqnr();
  const whole64 = new Sqnr();
  const whole32 = new Sqnr();
  const masses: number[] = [];
  // outputs at the ends of their signed range: a requant calibrated on other data saturating
  const saturated = new Map<string, { count: number; total: number }>(BLOCK_OPS.map((op) => [op, { count: 0, total: 0 }]));
  for (const x of inputs) {
    const trace = runGolden(model, x);
    BLOCK_OPS.forEach((op, i) => {
      const t = trace.layers[i];
      const limit = 2 ** (t.bits - 1) - 1;
      const s = saturated.get(op)!;
      for (const v of t.data) if (v >= limit || v <= -limit) s.count++;
      s.total += t.data.length;
    });
    const deq = new Map<string, Float64Array>([[MODEL_INPUT, dequantize(x, [meta.inputScale])]]);
    BLOCK_OPS.forEach((op, i) => deq.set(op, dequantize(trace.layers[i], meta.scales[op])));
    const ref64 = floatBlock(float64, deq.get(MODEL_INPUT)!);
    const ref32 = tfjsBlockForward(float32, deq.get(MODEL_INPUT)!);
    masses.push(...probabilityMass(attnLayer, trace.layers[attnAt - 1].data));
    for (const op of BLOCK_OPS) {
      const opInputs = OP_INPUTS[op].map((n) => deq.get(n)!);
      const got = deq.get(op)!;
      isolated64.add(op, floatOp(float64, op, opInputs), got);
      isolated32.add(op, tfjsBlockOp(float32, op, opInputs), got);
      whole64.add(op, ref64[op], got);
      whole32.add(op, ref32[op], got);
      if (op === "gelu") isolated64.add("gelu (vs x·σ(1.702x))", geluSigmoidFloat(opInputs[0]), got);
    }
  }
  printTable(
    `${title} — SQNR in dB of the integer path (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    [
      ["iso f64", isolated64],
      ["iso tfjs f32", isolated32],
      ["e2e f64", whole64],
      ["e2e tfjs f32", whole32],
    ],
    ["saturated", new Map([...saturated].map(([op, s]) => [op, `${((100 * s.count) / s.total).toFixed(2)} %`]))],
  );
  console.log(`per block (add2, end-to-end): ${whole64.db("add2")!.toFixed(1)} dB against float64, ${whole32.db("add2")!.toFixed(1)} dB against tfjs float32`);
  const one = 2 ** (attnLayer.softmax.outBits - 1);
  const meanMass = masses.reduce((a, b) => a + b, 0) / masses.length;
  console.log(
    `attention: Shiftmax keeps ${((100 * meanMass) / one).toFixed(1)} % of the probability mass on average (Σp = ${meanMass.toFixed(1)}/${one}, min ${Math.min(...masses)}, max ${Math.max(...masses)}): each p is floored to 1/${one} over ${attnLayer.input.height} tokens`,
  );
}

/** tfjs float32 against float64 on the same float inputs: per op (isolated, on float64 inputs) and accumulated. */
function float32AgainstFloat64(
  title: string,
  block64: FloatBlock,
  block32: TfjsBlock,
  inputs: readonly Float64Array[],
  op64: (op: BlockOp, xs: readonly Float64Array[]) => Float64Array,
): Map<string, Float64Array[]> {
  const isolated = new Sqnr();
  const whole = new Sqnr();
  const outputs32 = new Map<string, Float64Array[]>(BLOCK_OPS.map((op) => [op, []]));
  for (const x of inputs) {
    const ref = new Map<string, Float64Array>([[MODEL_INPUT, x]]);
    for (const op of BLOCK_OPS)
      ref.set(
        op,
        op64(
          op,
          OP_INPUTS[op].map((n) => ref.get(n)!),
        ),
      );
    const got = tfjsBlockForward(block32, x);
    for (const op of BLOCK_OPS) {
      isolated.add(
        op,
        ref.get(op)!,
        tfjsBlockOp(
          block32,
          op,
          OP_INPUTS[op].map((n) => ref.get(n)!),
        ),
      );
      whole.add(op, ref.get(op)!, got[op]);
      outputs32.get(op)!.push(got[op]);
    }
  }
  printTable(`${title} — SQNR in dB of tfjs float32 against float64 (${block64.config.tokens} tokens, dim ${block64.config.dim})`, [
    ["isolated", isolated],
    ["end-to-end", whole],
  ]);
  return outputs32;
}

console.log(
  `${model.name}: ${meta.block.tokens} tokens, dim ${meta.block.dim}, ${meta.block.heads} heads, MLP ${meta.block.mlp}; integer path against float64 and tfjs float32 (wasm)`,
);

// random int8 inputs: the vectors `quantrtl verify` uses (seed 1)
const randomInputs = Array.from({ length: vectors }, (_, v) => randomTensor(model.input, 1000 + v));
integerAgainstFloat(`random int8 inputs (${vectors} vector${vectors > 1 ? "s" : ""})`, randomInputs);
float32AgainstFloat64(
  `random int8 inputs, dequantized`,
  float64,
  float32,
  randomInputs.map((x) => dequantize(x, [meta.inputScale])),
  (op, xs) => floatOp(float64, op, xs),
);

// real inputs: the trained MNIST ViT's block-1 input tokens
if (!existsSync(vitFile)) {
  console.log(`\n(no ${vitFile}: train it with \`npm run train -- mnist-vit\` for the real-input tables)`);
} else {
  const vit = readFloatModel(vitFile, "vit");
  const test = loadMnist("test", REAL_IMAGES);
  const names = ["embed", ...["ln1", "qkv", "attn", "proj", "add1", "ln2", "fc1", "gelu", "fc2", "add2"].map((op) => `b1.${op}`)];
  const { kept } = await vitForwardImages(vit, mnistInput(test.images), names);
  const embed = kept.get("embed")!;
  const b1 = floatBlockOfVit(vit, "b1");
  const { tokens: T, dim: C } = b1.config;
  const perImage = T * C;
  const tokensOf = (i: number) => Float64Array.from(embed.subarray(i * perImage, (i + 1) * perImage));
  const sigmoidGelu = vit.training.gelu === "sigmoid-1.702";
  const b1f32 = tfjsBlock(b1, vit.training.gelu);
  const outputs32 = float32AgainstFloat64(
    `${vit.name} block 1 on the block-1 input tokens of ${test.count} MNIST test images (GELU ${vit.training.gelu})`,
    b1,
    b1f32,
    Array.from({ length: test.count }, (_, i) => tokensOf(i)),
    (op, xs) => (op === "gelu" && sigmoidGelu ? geluSigmoidFloat(xs[0]) : floatOp(b1, op, xs)),
  );
  // the stand-alone block must reproduce the whole network's own block 1 (both tfjs float32)
  let worst = 0;
  for (const op of BLOCK_OPS) {
    const net = kept.get(`b1.${op}`)!;
    outputs32.get(op)!.forEach((y, i) => y.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - net[i * y.length + j])))));
  }
  console.log(`check: the stand-alone block 1 and block 1 inside the whole ${vit.name} forward differ by at most ${worst.toExponential(2)}`);
  disposeTfjsBlock(b1f32);

  // the integer DeiT block on real token rows: three tokens (64 channels each) side by side make one
  // 192-channel row; rows from consecutive tokens of consecutive images, scaled so that the largest
  // |value| of the tensor lands on 127 input steps (per-tensor max calibration), rounded, saturated
  const { tokens: DT, dim: DD } = meta.block;
  const perRow = DD / C;
  if (Number.isInteger(perRow)) {
    const stream = embed;
    const needed = DT * DD;
    const realInputs: IntTensor[] = [];
    const factors: number[] = [];
    for (let v = 0; v < vectors && (v + 1) * needed <= stream.length; v++) {
      const rows = stream.subarray(v * needed, (v + 1) * needed);
      let max = 0;
      for (const r of rows) max = Math.max(max, Math.abs(r));
      const factor = (127 * meta.inputScale) / max;
      factors.push(factor);
      realInputs.push({
        shape: [DT, 1, DD],
        bits: 8,
        data: Int32Array.from(rows, (r) => Math.max(-127, Math.min(127, Math.round((r * factor) / meta.inputScale)))),
      });
    }
    if (realInputs.length > 0)
      integerAgainstFloat(
        `real token rows (${realInputs.length} vector${realInputs.length > 1 ? "s" : ""}: ${vit.name} block-1 input tokens of MNIST test images, ${perRow} per ${DD}-channel row, scaled ×${factors.map((f) => f.toFixed(2)).join(", ×")})`,
        realInputs,
      );
  } else console.log(`\n(${vit.name} tokens have ${C} channels, which do not tile the ${DD} of ${model.name}: no integer run on real tokens)`);
}
disposeTfjsBlock(float32);
