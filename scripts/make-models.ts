/**
 * Writes the bundled single-conv models (models/conv3x3-*.json) from seeded float
 * weights through the post-training quantizer. Run: `npm run build && node dist/scripts/make-models.js`.
 * Deterministic: the same seed gives the same files.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { floatConv2d, FloatConvSpec } from "../src/frontend/float/conv2d.js";
import { quantizeConv } from "../src/frontend/quantize.js";
import { rng } from "../src/ir/inputs.js";

const root = process.argv[2] ?? "models";
const input = { height: 16, width: 16, channels: 8 };
const OC = 16;
const K = 3 * 3 * input.channels;

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function calibrationImages(seed: number, count: number): Float64Array[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: input.height * input.width * input.channels }, () => next() * 2 - 1));
}

function floatLayer(datapath: "mac" | "adder", seed: number): FloatConvSpec {
  const next = rng(seed);
  const weights = Float64Array.from({ length: OC * K }, () => gaussian(next) * 0.3);
  const spec: FloatConvSpec = { datapath, input, outChannels: OC, kernel: [3, 3], stride: [1, 1], padding: [1, 1], weights };
  if (datapath === "mac") return spec;
  // AdderNet outputs are all ≤ 0; the batch-norm after an adder layer recentres them.
  // Fold that shift into the bias: bias_oc = −mean(output_oc) over the calibration set.
  const images = calibrationImages(seed + 1, 4);
  const sums = new Float64Array(OC);
  let count = 0;
  for (const img of images) {
    const y = floatConv2d(spec, img).data;
    for (let i = 0; i < y.length; i++) sums[i % OC] += y[i];
    count += y.length / OC;
  }
  return { ...spec, bias: Float64Array.from(sums, (s) => -s / count) };
}

function outputClip(spec: FloatConvSpec, seed: number): number {
  let clip = 0;
  for (const img of calibrationImages(seed, 8)) for (const v of floatConv2d(spec, img).data) clip = Math.max(clip, Math.abs(v));
  return clip;
}

function writeModel(file: string, model: unknown): void {
  writeFileSync(join(root, file), JSON.stringify(model, null, 1) + "\n");
  console.log(`wrote ${join(root, file)}`);
}

function convModel(name: string, datapath: "mac" | "adder", bits: 8 | 16, seed: number, weightsFile?: string) {
  const spec = floatLayer(datapath, seed);
  const q = quantizeConv(
    spec,
    { inputClip: 1, outputClip: outputClip(spec, seed + 7) },
    { name: "conv0", bits, outBits: bits, relu: datapath === "adder", rounding: "half_even" },
  );
  const layer: Record<string, unknown> = { ...q.layer, arch: { pe: 4, simd: 16 } };
  if (weightsFile) {
    const w = layer.weights as number[];
    if (weightsFile.endsWith(".bin")) {
      const buf = Buffer.alloc(w.length * (bits / 8));
      w.forEach((v, i) => (bits === 8 ? buf.writeInt8(v, i) : buf.writeInt16LE(v, i * 2)));
      writeFileSync(join(root, weightsFile), buf);
    } else {
      writeFileSync(join(root, weightsFile), JSON.stringify(w) + "\n");
    }
    layer.weights = { file: weightsFile };
  }
  return {
    quantrtl: 1,
    name,
    description: `One 3x3 ${datapath} conv, 16x16x8 -> 16x16x16, int${bits}, seeded float weights (seed ${seed}) quantized by quantizeConv${datapath === "adder" ? " with one shared scale" : ""}.`,
    input: { ...input, bits },
    layers: [layer],
  };
}

function xnorModel(seed: number) {
  const next = rng(seed);
  const weights = Array.from({ length: OC * K }, () => (next() < 0.5 ? -1 : 1));
  const thresholds = Array.from({ length: OC }, () => Math.round((next() - 0.5) * 16));
  const thresholdDirections = Array.from({ length: OC }, (_, i) => (i % 5 === 3 ? "le" : "ge"));
  return {
    quantrtl: 1,
    name: "conv3x3_xnor",
    description: `One 3x3 binary (xnor) conv, 16x16x8 -> 16x16x16, +/-1 weights and folded thresholds (seed ${seed}).`,
    input: { ...input, bits: 1 },
    layers: [
      {
        type: "conv2d",
        name: "conv0",
        datapath: "xnor",
        outChannels: OC,
        kernelSize: 3,
        stride: 1,
        padding: 1,
        weightBits: 1,
        activationBits: 1,
        weights,
        thresholds,
        thresholdDirections,
        arch: { pe: 4, simd: 16 },
      },
    ],
  };
}

writeModel("conv3x3-adder-int8.json", convModel("conv3x3_adder_int8", "adder", 8, 11));
writeModel("conv3x3-mac-int8.json", convModel("conv3x3_mac_int8", "mac", 8, 12, "conv3x3-mac-int8.weights.json"));
writeModel("conv3x3-adder-int16.json", convModel("conv3x3_adder_int16", "adder", 16, 13, "conv3x3-adder-int16.weights.bin"));
writeModel("conv3x3-xnor.json", xnorModel(14));
