/**
 * Per-op SQNR of the integer-only DeiT block (models/deit-tiny-block.json by
 * default) against a float64 reference of the same block (scripts/deit-block.ts,
 * ops from src/quant/ivit/float.ts). Not a test: prints figures, asserts nothing.
 *   isolated:   the float op on the dequantized integer inputs of that op, against
 *               the op's dequantized integer output — the error the op adds itself
 *               (for linear layers it includes the int8 weights);
 *   end-to-end: the float block on the float input x = x_int · inputScale, against
 *               each layer's dequantized integer output — the error accumulated so far.
 * Run: node dist/bench/deit-block-sqnr.js [model.json] [vectors]   (after `npm run build`)
 */
import { loadModel } from "../src/ir/load.js";
import { MODEL_INPUT } from "../src/ir/model.js";
import { runGolden } from "../src/sim/golden/network.js";
import { randomTensor } from "../src/sim/inputs.js";
import { geluSigmoidFloat, sqnrDb } from "../src/quant/ivit/float.js";
import { shiftmax } from "../src/quant/ivit/shiftmax.js";
import type { AttentionLayer } from "../src/ir/model.js";
import { BLOCK_OPS, BlockOp, DEIT_TINY, dequantize, floatBlock, floatOp, makeFloatBlock, OP_INPUTS } from "../scripts/deit-block.js";

const file = process.argv[2] ?? "models/deit-tiny-block.json";
const vectors = Number(process.argv[3] ?? 2);
const model = loadModel(file);
const meta = model.metadata as { inputScale: number; block: { tokens: number; dim: number; heads: number; mlp: number; seed: number; calibrationSeed: number }; scales: Record<BlockOp, number[]> };
const float = makeFloatBlock({ ...DEIT_TINY, name: model.name, ...meta.block, inputScale: meta.inputScale });

const isolated = new Map<string, { ref: number[]; approx: number[] }>();
const endToEnd = new Map<string, { ref: number[]; approx: number[] }>();
const push = (m: Map<string, { ref: number[]; approx: number[] }>, key: string, ref: Float64Array, approx: Float64Array) => {
  const e = m.get(key) ?? { ref: [], approx: [] };
  for (let i = 0; i < ref.length; i++) {
    e.ref.push(ref[i]);
    e.approx.push(approx[i]);
  }
  m.set(key, e);
};

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
const masses: number[] = [];

const started = Date.now();
for (let v = 0; v < vectors; v++) {
  // the random vectors `quantrtl verify` uses (seed 1): uniform int8
  const x = randomTensor(model.input, 1000 + v);
  const trace = runGolden(model, x);
  const deq = new Map<string, Float64Array>([[MODEL_INPUT, dequantize(x, [meta.inputScale])]]);
  BLOCK_OPS.forEach((op, i) => deq.set(op, dequantize(trace.layers[i], meta.scales[op])));
  const ref = floatBlock(float, deq.get(MODEL_INPUT)!);
  const attnAt = model.layers.findIndex((l) => l.kind === "attention");
  masses.push(...probabilityMass(model.layers[attnAt] as AttentionLayer, trace.layers[attnAt - 1].data));
  for (const op of BLOCK_OPS) {
    const inputs = OP_INPUTS[op].map((n) => deq.get(n)!);
    push(isolated, op, floatOp(float, op, inputs), deq.get(op)!);
    push(endToEnd, op, ref[op], deq.get(op)!);
    if (op === "gelu") push(isolated, "gelu (vs x·σ(1.702x))", geluSigmoidFloat(inputs[0]), deq.get(op)!);
  }
}
const db = (e: { ref: number[]; approx: number[] }) => sqnrDb(Float64Array.from(e.ref), Float64Array.from(e.approx)).toFixed(1).padStart(6);
console.log(`${model.name}: per-op SQNR in dB over ${vectors} random int8 input(s) (${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`${"op".padEnd(24)} isolated  end-to-end`);
for (const [op, e] of isolated) {
  const whole = endToEnd.get(op);
  console.log(`${op.padEnd(24)} ${db(e)}    ${whole ? db(whole) : "     -"}`);
}
const attn = model.layers.find((l) => l.kind === "attention") as AttentionLayer;
const one = 2 ** (attn.softmax.outBits - 1);
const meanMass = masses.reduce((a, b) => a + b, 0) / masses.length;
console.log(`attention: Shiftmax keeps ${((100 * meanMass) / one).toFixed(1)} % of the probability mass on average (Σp = ${meanMass.toFixed(1)}/${one}, min ${Math.min(...masses)}, max ${Math.max(...masses)}): each p is floored to 1/${one} over ${attn.input.height} tokens`);
