/**
 * Quantizes a trained MNIST float model (models/float/<name>.json, written by
 * `npm run train`) into models/<name>.json: post-training quantization with
 * batch-norm folding (src/frontend/ptq.ts) calibrated on training images, then the
 * float and integer top-1 on the 10k test images and the per-layer SQNR,
 * recorded in the model's metadata.
 *
 *   node dist/scripts/quantize-mnist.js mnist-adder|mnist-xnor|mnist-mac|mnist-vit [--calibration n] [--coverage q]
 *
 * A ViT description (`"topology": "vit"`) is quantized integer-only by scripts/quantize-vit.ts
 * (src/frontend/ptq-vit.ts); --coverage q (ViT only) puts the q quantile of |value| at the top of
 * each calibrated range instead of the maximum.
 */
import { join, resolve } from "node:path";
import { parseModel } from "../src/ir/load.js";
import { quantizeNetwork, layerSqnr, quantizeInput } from "../src/frontend/ptq.js";
import { readFloatModel } from "../src/frontend/float/float-model.js";
import { loadMnist, mnistImages } from "../src/frontend/float/mnist.js";
import { runGolden } from "../src/hw/golden/network.js";
import { quantizeMnistVit } from "./quantize-vit.js";
import { finishQuantizedModel, ModelDoc } from "./quantize-common.js";

/** Folding of the MNIST engines [ours]: enough lanes that no engine is far slower than the 784-element input stream. */
function mnistArch({ outChannels, reduction }: { outChannels: number; reduction: number }) {
  const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
  const simd = Math.max(...divisors(reduction).filter((d) => d <= 25));
  const pe = Math.max(...divisors(outChannels).filter((d) => d <= 4));
  return { pe, simd };
}

export async function quantizeMnistModel(
  name: string,
  options: { calibration?: number; models?: string; coverage?: number; log?: (m: string) => void } = {},
): Promise<string> {
  const log = options.log ?? ((m: string) => console.log(m));
  const models = options.models ?? "models";
  const floatFile = join(models, "float", `${name}.json`);
  // a ViT description ("topology": "vit") goes through the integer-only ViT quantizer
  if (readFloatModel(floatFile).topology === "vit") return quantizeMnistVit(name, options);
  const desc = readFloatModel(floatFile, "lenet");
  const n = options.calibration ?? 500;
  const train = loadMnist("train", n);
  const calibration = mnistImages(train);
  const ptq = quantizeNetwork(desc, {
    calibration,
    name,
    arch: mnistArch,
    file: floatFile,
    description: `${name}: LeNet (${desc.variant}) trained on MNIST by scripts/train.ts and quantized by scripts/quantize-mnist.ts (post-training, ${train.count} calibration images, batch-norm folded).`,
  });
  const doc = ptq.document as ModelDoc;
  doc.metadata = { ...doc.metadata, floatModel: `float/${name}.json` };
  const file = join(models, `${name}.json`);
  const model = parseModel(doc, { file: resolve(file), baseDir: models });

  // per-layer SQNR on 200 test images (float network fed the quantized input)
  const test = loadMnist("test", 200);
  const sqnrInputs = mnistImages(test).map((x) => quantizeInput(x, ptq.inputScale));
  const traces = sqnrInputs.map((x) => runGolden(model, { shape: [28, 28, 1], bits: 8, data: x }));
  const sqnr = layerSqnr(
    desc,
    ptq,
    model.layers.map((l) => l.name),
    traces,
    sqnrInputs,
  );
  for (const s of sqnr)
    log(`  ${s.layer}: ${s.sqnrDb !== undefined ? `SQNR ${s.sqnrDb.toFixed(1)} dB` : `sign agreement ${(s.signAgreement! * 100).toFixed(2)} %`}`);

  return finishQuantizedModel(
    doc,
    model,
    { file, models },
    {
      sqnr: sqnr.map((s) => ({
        layer: s.layer,
        ...(s.sqnrDb !== undefined ? { sqnrDb: Number(s.sqnrDb.toFixed(2)) } : { signAgreement: Number(s.signAgreement!.toFixed(4)) }),
      })),
      calibrationImages: train.count,
    },
    log,
  );
}

const invoked = process.argv[1] ?? "";
if (invoked.endsWith("quantize-mnist.js")) {
  const name = process.argv[2];
  if (!name) {
    console.error("usage: node dist/scripts/quantize-mnist.js mnist-adder|mnist-xnor|mnist-mac|mnist-vit [--calibration n] [--coverage q]");
    process.exit(1);
  }
  const flag = (f: string) => {
    const at = process.argv.indexOf(f);
    return at > 0 ? Number(process.argv[at + 1]) : undefined;
  };
  quantizeMnistModel(name, { calibration: flag("--calibration"), coverage: flag("--coverage") }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
