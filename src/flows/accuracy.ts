/**
 * Accuracy on a dataset: integer-golden top-1 (the model's argmax output, or
 * the argmax of its last layer), the float top-1 of the float model it came
 * from — onnxruntime for an .onnx (frontend/onnx-runtime.ts), tfjs for our own
 * float descriptions — and how often the two predict the same class. Without
 * labels only the agreement is measured.
 */
import { toStandardOnnx } from "../frontend/onnx/float-graph.js";
import { existsSync } from "node:fs";
import { Model } from "../ir/model.js";
import { defaultJobs, predictDataset } from "./golden-pool.js";
import { DatasetInputs, floatModelPath } from "../frontend/dataset.js";
import type { OnnxRunOptions } from "../frontend/onnx-runtime.js";
import { etaReporter } from "../util/progress.js";
import { QuantrtlError } from "../util/errors.js";

export interface AccuracyReport {
  readonly dataset: string;
  readonly images: number;
  /** Top-1 against the labels; absent when the data has none. */
  readonly integerTop1?: number;
  readonly floatTop1?: number;
  /** Fraction of images where the float and the integer model predict the same class. */
  readonly agreement?: number;
  /** What computed the float predictions ("onnxruntime", "tfjs"). */
  readonly floatRuntime?: string;
  readonly integerPredictions: Int32Array;
  readonly floatPredictions?: Int32Array;
}

export interface AccuracyOptions {
  /** Worker threads for the golden model (flows/golden-pool.ts; default: one per core). */
  readonly jobs?: number;
  /** The QONNX → standard ONNX rewrite for the onnxruntime reference (default: frontend/onnx/float-graph.ts). */
  readonly toStandardOnnx?: OnnxRunOptions["toStandardOnnx"];
}

export { predictedClass } from "./golden-pool.js";

/** Progress of a long phase: silent for its first 5 s, then a line every ~5 s with the rate and the time left. */
const fraction = (hits: number, n: number) => (n === 0 ? 0 : hits / n);

export async function measureAccuracy(
  model: Model,
  data: DatasetInputs,
  onProgress?: (m: string) => void,
  options: AccuracyOptions = {},
): Promise<AccuracyReport> {
  const jobs = options.jobs ?? defaultJobs();
  const integerPredictions = await predictDataset(
    model,
    data.inputs,
    jobs,
    etaReporter(jobs > 1 ? `golden (${jobs} workers)` : "golden", data.count, onProgress),
  );
  const labels = data.labels;
  const top1 = (p: Int32Array) =>
    labels
      ? fraction(
          p.reduce((a, v, i) => a + (v === labels[i] ? 1 : 0), 0),
          data.count,
        )
      : undefined;
  const report: AccuracyReport = { dataset: data.name, images: data.count, integerTop1: top1(integerPredictions), integerPredictions };
  const path = floatModelPath(model);
  if (!path || !data.floatImages) return report;
  if (!existsSync(path))
    throw new QuantrtlError(model.file, "/metadata/floatModel", `float model "${path}" not found`, "put the float model there, or remove metadata.floatModel");
  let floatPredictions: Int32Array;
  let floatRuntime: string;
  if (/\.onnx$/i.test(path)) {
    onProgress?.(`float: ${data.count} images through ${path} (onnxruntime)`);
    const { onnxTop1 } = await import("../frontend/onnx-runtime.js");
    const floatTick = etaReporter("float (onnxruntime)", data.count, onProgress);
    floatPredictions = await onnxTop1(path, data.floatImages, model.input, data.count, {
      toStandardOnnx: options.toStandardOnnx ?? toStandardOnnx,
      onBatch: floatTick,
    });
    floatRuntime = "onnxruntime";
  } else {
    onProgress?.(`float: ${data.count} images through ${path} (tfjs, wasm)`);
    // tfjs loads only here: every other command starts without it (≈ 1/3 of the CLI's start-up)
    const { argmaxRows, floatForward, readFloatModel } = await import("../frontend/float/float-model.js");
    const desc = readFloatModel(path);
    const floatTick = etaReporter("float (tfjs)", data.count, onProgress);
    floatPredictions = Int32Array.from(argmaxRows(await floatForward(desc, data.floatImages, floatTick), desc.classes));
    floatRuntime = "tfjs";
  }
  const agree = floatPredictions.reduce((a, v, i) => a + (v === integerPredictions[i] ? 1 : 0), 0);
  return { ...report, floatTop1: top1(floatPredictions), agreement: fraction(agree, data.count), floatRuntime, floatPredictions };
}

const pct = (v: number | undefined) => (v === undefined ? "n/a" : `${(v * 100).toFixed(2)}%`);

/** `accuracy: float <a>%, integer <b>%, agreement <c>% on <n> images` ("n/a" for what was not measured). */
export function accuracyLine(r: AccuracyReport): string {
  return `accuracy: float ${pct(r.floatTop1)}, integer ${pct(r.integerTop1)}, agreement ${pct(r.agreement)} on ${r.images} images${r.integerTop1 === undefined ? " (no labels)" : ""}`;
}
