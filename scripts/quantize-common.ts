/**
 * The end both MNIST quantizers share (scripts/quantize-mnist.ts for the LeNets,
 * scripts/quantize-vit.ts for the ViT): float and integer top-1 on the 10k test
 * images, the accuracy, per-layer SQNR and calibration count in the model's
 * metadata, and the model file written atomically (temporary file, then rename).
 */
import { renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseModel } from "../src/ir/load.js";
import { Model } from "../src/ir/model.js";
import { loadDataset } from "../src/frontend/dataset.js";
import { accuracyLine, measureAccuracy } from "../src/flows/accuracy.js";

export type ModelDoc = Record<string, unknown> & { metadata: Record<string, unknown> };

export async function finishQuantizedModel(
  doc: ModelDoc,
  model: Model,
  where: { readonly file: string; readonly models: string },
  metadata: { readonly sqnr: readonly Record<string, unknown>[]; readonly calibrationImages: number },
  log: (m: string) => void,
): Promise<string> {
  const acc = await measureAccuracy(model, loadDataset(model, "mnist-test"), log);
  log(accuracyLine(acc));
  doc.metadata = {
    ...doc.metadata,
    accuracy: { dataset: "mnist-test", images: acc.images, floatTop1: acc.floatTop1, integerTop1: acc.integerTop1, agreement: acc.agreement },
    sqnr: metadata.sqnr,
    calibrationImages: metadata.calibrationImages,
  };
  const final = parseModel(doc, { file: resolve(where.file), baseDir: where.models });
  const tmp = `${where.file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc) + "\n");
  renameSync(tmp, where.file);
  log(`wrote ${where.file} (sha256 ${final.hash.slice(0, 16)}…)`);
  return where.file;
}
