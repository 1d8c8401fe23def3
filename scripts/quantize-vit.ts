/**
 * Quantizes a trained MNIST ViT (models/float/<name>.json, `"topology": "vit"`) into
 * models/<name>.json: integer-only post-training quantization (src/frontend/ptq-vit.ts)
 * calibrated on the golden accumulators of training images, then the per-layer SQNR
 * against the float network and the float and integer top-1 on the 10k test images,
 * recorded in the model's metadata. Called by scripts/quantize-mnist.ts for ViT
 * descriptions (`npm run quantize -- mnist-vit`).
 */
import { join, resolve } from "node:path";
import { parseModel } from "../src/ir/load.js";
import { quantizeInput } from "../src/frontend/ptq.js";
import { quantizeVit, vitLayerSqnr } from "../src/frontend/ptq-vit.js";
import { readFloatModel } from "../src/frontend/float/float-model.js";
import { vitForwardImages } from "../src/frontend/float/vit.js";
import { loadMnist, mnistImages } from "../src/frontend/float/mnist.js";
import { conv2dAccumulators } from "../src/hw/golden/conv2d.js";
import { runGolden, runLayer } from "../src/hw/golden/network.js";
import { finishQuantizedModel, ModelDoc } from "./quantize-common.js";

export interface QuantizeVitOptions {
  readonly calibration?: number;
  readonly models?: string;
  /** Fraction of the calibrated |values| inside each output range (1 = max |value|). */
  readonly coverage?: number;
  readonly log?: (m: string) => void;
}

const PIXELS = 28 * 28;

export async function quantizeMnistVit(name: string, options: QuantizeVitOptions = {}): Promise<string> {
  const log = options.log ?? ((m: string) => console.log(m));
  const models = options.models ?? "models";
  const floatFile = join(models, "float", `${name}.json`);
  const desc = readFloatModel(floatFile, "vit");
  const train = loadMnist("train", options.calibration ?? 500);
  const calibration = mnistImages(train);
  const coverage = options.coverage ?? 1;
  const ptq = quantizeVit(desc, {
    calibration,
    golden: { runLayer, accumulators: conv2dAccumulators },
    name,
    file: floatFile,
    coverage,
    description: `${name}: ViT (patch 7, ${desc.layers.filter((l) => l.kind === "attention").length} blocks) trained on MNIST and quantized integer-only (I-ViT ops) by scripts/quantize-mnist.ts (post-training, ${train.count} calibration images${coverage < 1 ? `, ranges at the ${coverage} quantile` : ""}).`,
  });
  for (const w of ptq.warnings) log(`  warning: ${w}`);
  const doc = ptq.document as ModelDoc;
  doc.metadata = { ...doc.metadata, floatModel: `float/${name}.json` };
  const file = join(models, `${name}.json`);
  const model = parseModel(doc, { file: resolve(file), baseDir: models });

  // per-layer SQNR on 200 test images (the float network fed the quantized input)
  const test = loadMnist("test", 200);
  const inputs = mnistImages(test).map((x) => quantizeInput(x, ptq.inputScale));
  const traces = inputs.map((x) => runGolden(model, { shape: [28, 28, 1], bits: 8, data: x }));
  const floatNames = desc.layers.map((l) => l.name);
  const dequantized = new Float32Array(inputs.length * PIXELS);
  inputs.forEach((x, i) =>
    dequantized.set(
      Float32Array.from(x, (v) => v * ptq.inputScale),
      i * PIXELS,
    ),
  );
  const { kept } = await vitForwardImages(desc, dequantized, floatNames);
  const perImage = inputs.map(
    (_, i) =>
      new Map(
        floatNames.map((n) => {
          const all = kept.get(n)!;
          const size = all.length / inputs.length;
          return [n, all.subarray(i * size, (i + 1) * size)] as const;
        }),
      ),
  );
  const sqnr = vitLayerSqnr(
    ptq,
    model.layers.map((l) => l.name),
    traces,
    perImage,
  );
  for (const s of sqnr) log(`  ${s.layer}: SQNR ${s.sqnrDb.toFixed(1)} dB`);

  return finishQuantizedModel(
    doc,
    model,
    { file, models },
    {
      sqnr: sqnr.map((s) => ({ layer: s.layer, sqnrDb: Number(s.sqnrDb.toFixed(2)) })),
      calibrationImages: train.count,
    },
    log,
  );
}
