/**
 * Accuracy on a labelled dataset: integer-golden top-1 (the model's argmax
 * output, or the argmax of its last layer), float top-1 of the float model it
 * was quantized from, and how often the two predict the same class.
 */
import { existsSync } from "node:fs";
import { Model } from "../ir/model.js";
import { argmaxIndex } from "../arith/elementwise.js";
import { goldenOutput } from "../hw/golden/network.js";
import { DatasetInputs, floatModelPath } from "../frontend/dataset.js";
import { QuantrtlError } from "../util/errors.js";

export interface AccuracyReport {
  readonly dataset: string;
  readonly images: number;
  readonly integerTop1: number;
  readonly floatTop1?: number;
  /** Fraction of images where the float and the integer model predict the same class. */
  readonly agreement?: number;
  readonly integerPredictions: Uint8Array;
  readonly floatPredictions?: Uint8Array;
}

/** The class an integer model predicts for one golden output (an argmax layer's index, or the argmax of the logits). */
export function predictedClass(model: Model, output: { data: Int32Array }): number {
  return model.layers[model.layers.length - 1].kind === "argmax" ? output.data[0] : argmaxIndex(output.data);
}

export async function measureAccuracy(model: Model, data: DatasetInputs, onProgress?: (m: string) => void): Promise<AccuracyReport> {
  const integerPredictions = new Uint8Array(data.count);
  let correct = 0;
  const step = Math.max(1, Math.floor(data.count / 10));
  for (let i = 0; i < data.count; i++) {
    integerPredictions[i] = predictedClass(model, goldenOutput(model, data.inputs[i]));
    if (integerPredictions[i] === data.labels[i]) correct++;
    if (onProgress && (i + 1) % step === 0) onProgress(`golden: ${i + 1}/${data.count} images`);
  }
  const report: AccuracyReport = { dataset: data.name, images: data.count, integerTop1: correct / data.count, integerPredictions };
  const path = floatModelPath(model);
  if (!path) return report;
  if (!existsSync(path)) throw new QuantrtlError(model.file, "/metadata/floatModel", `float model "${path}" not found`, "run `npm run train` for this model, or remove metadata.floatModel");
  onProgress?.(`float: ${data.count} images through ${path} (tfjs, wasm)`);
  // tfjs loads only here: every other command starts without it (≈ 1/3 of the CLI's start-up)
  const { argmaxRows, floatForward, readFloatModel } = await import("../frontend/float/float-model.js");
  const desc = readFloatModel(path);
  const floatPredictions = argmaxRows(await floatForward(desc, data.floatImages), desc.classes);
  let floatCorrect = 0;
  let agree = 0;
  for (let i = 0; i < data.count; i++) {
    if (floatPredictions[i] === data.labels[i]) floatCorrect++;
    if (floatPredictions[i] === integerPredictions[i]) agree++;
  }
  return { ...report, floatTop1: floatCorrect / data.count, agreement: agree / data.count, floatPredictions };
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** `accuracy: float <a>%, integer <b>%, agreement <c>% on <n> images` (float parts "n/a" without a float model). */
export function accuracyLine(r: AccuracyReport): string {
  return `accuracy: float ${r.floatTop1 === undefined ? "n/a" : pct(r.floatTop1)}, integer ${pct(r.integerTop1)}, agreement ${r.agreement === undefined ? "n/a" : pct(r.agreement)} on ${r.images} images`;
}
