/**
 * Writes models/resnet20-adder-cifar.json: the AdderNet ResNet-20 shape of the
 * hardware paper for 32×32×3 inputs — 3 stages of 3 basic blocks (16/32/64
 * channels), residual adds, adder convolutions everywhere except the first conv
 * and the last (dense) layer, which are MAC as in the paper; 1×1 stride-2 adder
 * convolutions on the downsampling shortcuts (option B). No CIFAR data here:
 * the weights are seeded, and every requant is set from the integer
 * accumulators of two seeded random int8 images, like a batch-norm with γ = 1, β = 0 folded
 * in (bias = −mean, per-channel multiplier = 32 / std, one shift per layer) —
 * a model for speed, resource and bit-exactness work, not for accuracy.
 *
 * Run: `npm run models` (or `node dist/scripts/make-resnet20.js models`). Deterministic.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseModel } from "../src/ir/load.js";
import { engineConv, IntTensor, isEngineLayer, MODEL_INPUT } from "../src/ir/model.js";
import { conv2dAccumulators } from "../src/hw/golden/conv2d.js";
import { runGolden } from "../src/hw/golden/network.js";
import { randomTensor, rng } from "../src/ir/inputs.js";
import { multiplierFromRatio, DEFAULT_MULTIPLIER_BITS } from "../src/arith/requant.js";

type Doc = Record<string, unknown>;

const root = process.argv[2] ?? "models";
const NAME = "resnet20-adder-cifar";
const input = { height: 32, width: 32, channels: 3, bits: 8 };
const TARGET_STD = 32; // [ours] ±4σ of the folded "batch-norm" output fills int8

const next = rng(2020);
// calibration inputs from the same seeded generator `quantrtl run` / `verify` use, so their random vectors are in distribution
const images: IntTensor[] = [randomTensor(input, 101), randomTensor(input, 102)];

const layers: Doc[] = [];
const weightFiles: { name: string; values: number[] }[] = [];

/** The model so far (weights inline), for calibrating the next layer from golden tensors. */
function partial(extra: Doc[] = []) {
  return parseModel({ quantrtl: 1, name: NAME, input, layers: [...layers, ...extra] }, { allowUnused: true });
}

function outputsOf(name: string): IntTensor[] {
  if (name === MODEL_INPUT) return images;
  const m = partial();
  const at = m.layers.findIndex((l) => l.name === name);
  return images.map((x) => runGolden(m, x).layers[at]);
}

/** Adds a conv (or dense) layer whose per-channel requant is calibrated on the seeded images. */
function engine(o: {
  type: "conv2d" | "dense";
  name: string;
  kernel: "mac" | "adder";
  inputs: string;
  inChannels: number;
  out: number;
  size?: number;
  stride?: number;
  relu: boolean;
  outBits?: 8 | 16;
}) {
  const size = o.size ?? 3;
  const K = o.type === "dense" ? o.inChannels : size * size * o.inChannels;
  const weights = Array.from({ length: o.out * K }, () =>
    o.kernel === "adder" ? Math.round((next() - 0.5) * 128) : Math.round((next() - 0.5) * 2 * 127 * Math.sqrt(3 / K) * 2),
  );
  const layer: Doc = {
    type: o.type,
    name: o.name,
    inputs: [o.inputs],
    datapath: o.kernel,
    weightBits: 8,
    activationBits: 8,
    weights,
    ...(o.type === "conv2d" ? { outChannels: o.out, kernelSize: size, stride: o.stride ?? 1, padding: (size - 1) / 2 } : { outFeatures: o.out }),
    requant: { multiplier: 1, shift: 0, rounding: "half_even", outBits: o.outBits ?? 8 },
    relu: o.relu,
  };
  const probe = parseModel({ quantrtl: 1, name: NAME, input, layers: [...layers, layer] }, { allowUnused: true });
  const l = probe.layers[probe.layers.length - 1];
  if (!isEngineLayer(l)) throw new Error("not an engine");
  const conv = engineConv(l);
  const sums = new Float64Array(o.out);
  const squares = new Float64Array(o.out);
  let n = 0;
  for (const x of outputsOf(o.inputs)) {
    const acc = conv2dAccumulators(conv, x.data);
    for (let i = 0; i < acc.length; i++) {
      sums[i % o.out] += acc[i];
      squares[i % o.out] += acc[i] * acc[i];
    }
    n += acc.length / o.out;
  }
  const mean = Array.from(sums, (s) => s / n);
  const std = Array.from(squares, (q, c) => Math.sqrt(Math.max(q / n - mean[c] * mean[c], 1)));
  const target = o.outBits === 16 ? TARGET_STD * 64 : TARGET_STD;
  const ratios = std.map((s) => target / s);
  const { shift } = multiplierFromRatio(Math.max(...ratios), DEFAULT_MULTIPLIER_BITS);
  layer.requant = { multipliers: ratios.map((r) => Math.round(r * 2 ** shift)), shift, rounding: "half_even", outBits: o.outBits ?? 8 };
  layer.bias = mean.map((m) => -Math.round(m));
  weightFiles.push({ name: o.name, values: weights });
  layers.push(layer);
}

function add(name: string, a: string, b: string) {
  // each operand × 3/4 (m = 3, k = 2), then ReLU: keeps the sum inside int8 as the stages deepen
  layers.push({ type: "add", name, inputs: [a, b], multipliers: [3, 3], shift: 2, rounding: "half_even", outBits: 8, relu: true });
}

engine({ type: "conv2d", name: "conv1", kernel: "mac", inputs: MODEL_INPUT, inChannels: 3, out: 16, relu: true });
let x = "conv1";
let channels = 16;
[16, 32, 64].forEach((width, stage) => {
  for (let block = 0; block < 3; block++) {
    const p = `s${stage + 1}b${block + 1}`;
    const down = stage > 0 && block === 0;
    engine({ type: "conv2d", name: `${p}c1`, kernel: "adder", inputs: x, inChannels: channels, out: width, stride: down ? 2 : 1, relu: true });
    engine({ type: "conv2d", name: `${p}c2`, kernel: "adder", inputs: `${p}c1`, inChannels: width, out: width, relu: false });
    let skip = x;
    if (down) {
      engine({ type: "conv2d", name: `${p}sc`, kernel: "adder", inputs: x, inChannels: channels, out: width, size: 1, stride: 2, relu: false });
      skip = `${p}sc`;
    }
    add(`${p}add`, `${p}c2`, skip);
    x = `${p}add`;
    channels = width;
  }
});
// global average pool over 8×8 = 64 pixels: m / 2^k = 1/64 exactly
layers.push({ type: "global_avgpool", name: "gap", inputs: [x], requant: { multiplier: 1, shift: 6, rounding: "half_even", outBits: 8 } });
engine({ type: "dense", name: "fc", kernel: "mac", inputs: "gap", inChannels: 64, out: 10, relu: false, outBits: 16 });
layers.push({ type: "argmax", name: "predicted_class" });

// weights to int8 files beside the model (the model file stays readable)
const dir = join(root, NAME);
const staging = `${dir}.tmp-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
for (const w of weightFiles) writeFileSync(join(staging, `${w.name}.bin`), Buffer.from(Int8Array.from(w.values).buffer));
const doc = {
  quantrtl: 1,
  name: NAME,
  description:
    "AdderNet ResNet-20 shape (CIFAR 32x32x3; 3 stages x 3 basic blocks, 16/32/64 channels; adder convs, MAC first conv and classifier as in arXiv 2103.00112; 1x1 stride-2 adder shortcuts). Seeded weights, requants calibrated on two seeded images: for speed, resource and bit-exactness work, not accuracy. Written by scripts/make-resnet20.ts.",
  input,
  layers: layers.map((l) => (weightFiles.some((w) => w.name === l.name) ? { ...l, weights: { file: `${NAME}/${l.name}.bin` } } : l)),
};
rmSync(dir, { recursive: true, force: true });
renameSync(staging, dir);
writeFileSync(join(root, `${NAME}.json`), JSON.stringify(doc, null, 1) + "\n");
const model = parseModel(doc, { baseDir: root });
const out = runGolden(model, images[0]);
console.log(
  `wrote ${join(root, `${NAME}.json`)} (${model.layers.length} layers, ${weightFiles.reduce((s, w) => s + w.values.length, 0)} weights in ${dir}/); class of seeded image 0: ${out.layers[out.layers.length - 1].data[0]}`,
);
