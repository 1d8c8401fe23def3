/**
 * Datasets as model inputs: the bundled MNIST splits or the user's files
 * (frontend/data: .npz, .npy, IDX), arranged in the model's HWC input order
 * (data/layout.ts), float data quantized by the model's input quantizer
 * (data/quantize-input.ts), integer data taken as is after a range check; the
 * float images kept (HWC, concatenated) for the float reference.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { IntTensor, Model, TensorSpec } from "../ir/model.js";
import { QuantrtlError } from "../util/errors.js";
import { DataArray, isFloatType, shapeText } from "./data/array.js";
import { sampleLayout } from "./data/layout.js";
import { dequantizeSample, inputQuantizerOf, InputQuantizer, modelInputRange, quantizeSample } from "./data/quantize-input.js";
import { DatasetSpec, readSource } from "./data/source.js";
import { MNIST_DATASETS } from "./data/mnist.js";

export type { DatasetSpec } from "./data/source.js";
export { DATASET_HINT } from "./data/source.js";
export const DATASETS = MNIST_DATASETS;
export type DatasetName = (typeof DATASETS)[number];

export interface DatasetInputs {
  /** The dataset name or the data file. */
  readonly name: string;
  /** Integer model inputs, one per sample. */
  readonly inputs: IntTensor[];
  /** The same samples as float network inputs, concatenated (count × H × W × C); absent for integer data without a known scale. */
  readonly floatImages?: Float32Array;
  /** Class labels; absent when the data has none (no accuracy then, the samples still drive verify and build). */
  readonly labels?: Int32Array;
  readonly count: number;
  /** How the samples were read: "NHWC float32 through metadata.inputQuantizer", "NCHW int8 as is", … */
  readonly reading: string;
}

export function isDatasetName(name: string): name is DatasetName {
  return (DATASETS as readonly string[]).includes(name);
}

/** Class indices from a labels array: shape [N] or [N, 1], non-negative integers. */
function classLabels(a: DataArray): Int32Array {
  if (!(a.shape.length === 1 || (a.shape.length === 2 && a.shape[1] === 1))) {
    throw new QuantrtlError(a.file, a.name, `labels have shape ${shapeText(a.shape)}`, "give class indices of shape [N] (one-hot labels: y.argmax(1))");
  }
  const out = new Int32Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = a.data[i];
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1)
      throw new QuantrtlError(a.file, `${a.name}/${i}`, `label ${v} is not a class index`, "labels are integers >= 0");
    out[i] = v;
  }
  return out;
}

export function loadDataset(model: Model, spec: string | DatasetSpec, limit?: number, flag = "--dataset"): DatasetInputs {
  const s: DatasetSpec = typeof spec === "string" ? { source: spec } : spec;
  const source = readSource(model, s, limit, flag);
  const { images } = source;
  const layout = sampleLayout(images, model.input, s.layout);
  const count = images.shape[0];
  const size = model.input.height * model.input.width * model.input.channels;
  const C = model.input.channels;
  const shape = [model.input.height, model.input.width, C] as const;
  const float = isFloatType(images.type) || source.pixels;
  // integer data without a recorded quantizer is still usable; only its float reference is lost
  let quantizer: InputQuantizer | undefined;
  if (float) quantizer = inputQuantizerOf(model);
  else if (model.metadata?.inputQuantizer !== undefined || model.metadata?.inputScale !== undefined) quantizer = inputQuantizerOf(model);
  const [lo, hi] = modelInputRange(model);
  const inputs: IntTensor[] = [];
  const floatImages = quantizer ? new Float32Array(count * size) : undefined;
  const sample = new Float64Array(size);
  for (let n = 0; n < count; n++) {
    const base = n * size;
    for (let j = 0; j < size; j++) sample[j] = images.data[base + (layout.sourceOf ? layout.sourceOf[j] : j)];
    if (float) {
      const f = floatImages!.subarray(base, base + size);
      // MNIST pixels -> p / 255 in float32, as float/mnist.ts mnistInput
      for (let j = 0; j < size; j++) f[j] = source.pixels ? sample[j] / 255 : sample[j];
      inputs.push({ shape, bits: model.input.bits, data: quantizeSample(quantizer!, f, C) });
      continue;
    }
    const data = new Int32Array(size);
    for (let j = 0; j < size; j++) {
      const v = sample[j];
      if (!Number.isInteger(v) || v < lo || v > hi || (model.input.bits === 1 && v === 0)) {
        throw new QuantrtlError(
          images.file,
          `${images.name}[${n}]`,
          `value ${v} is outside the model's ${model.input.bits === 1 ? "binary input (±1)" : `${model.input.bits}-bit input [${lo}, ${hi}]`}`,
          "integer data is taken as the model's integer input as is; give float data (e.g. float32 x/255) to have it quantized by the model's input quantizer",
        );
      }
      data[j] = v;
    }
    if (floatImages && quantizer) dequantizeSample(quantizer, data, C, floatImages.subarray(base, base + size));
    inputs.push({ shape, bits: model.input.bits, data });
  }
  const labels = source.labels && classLabels(source.labels);
  const how = float ? `${source.pixels ? "uint8 pixels / 255" : images.type} through ${quantizer!.source}` : `${images.type} as is`;
  return { name: s.source, inputs, floatImages, labels, count, reading: `${layout.name} ${how}` };
}

/**
 * Float samples for calibrating a float model that has no integer input yet: HWC,
 * concatenated, MNIST pixels as p / 255 (as loadDataset). Integer data is refused:
 * without a quantizer its float meaning is unknown.
 */
export function loadFloatSamples(
  input: TensorSpec,
  spec: string | DatasetSpec,
  limit: number | undefined,
  flag: string,
): { images: Float32Array; labels?: Int32Array; count: number; reading: string } {
  const s: DatasetSpec = typeof spec === "string" ? { source: spec } : spec;
  const source = readSource({ input, file: undefined }, s, limit, flag);
  const { images } = source;
  if (!isFloatType(images.type) && !source.pixels)
    throw new QuantrtlError(images.file, flag, `holds ${images.type} data`, "calibration needs float data (e.g. float32 x / 255) or MNIST pixels");
  const layout = sampleLayout(images, input, s.layout);
  const count = images.shape[0];
  const size = input.height * input.width * input.channels;
  const out = new Float32Array(count * size);
  for (let n = 0; n < count; n++)
    for (let j = 0; j < size; j++) {
      const v = images.data[n * size + (layout.sourceOf ? layout.sourceOf[j] : j)];
      out[n * size + j] = source.pixels ? v / 255 : v;
    }
  const labels = source.labels && classLabels(source.labels);
  return { images: out, labels, count, reading: `${layout.name} ${source.pixels ? "uint8 pixels / 255" : images.type}` };
}

/** The float model beside a quantized model (metadata.floatModel, relative to the model file or absolute), or undefined. */
export function floatModelPath(model: Model): string | undefined {
  const rel = model.metadata?.floatModel;
  if (typeof rel !== "string") return undefined;
  if (!model.file) return isAbsolute(rel) ? rel : undefined;
  return resolve(dirname(resolve(model.file)), rel);
}
