/** Third-party ONNX models the tests use: the vendored copy (models/onnx/, the importer's work) when present, else the shared one. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./cli.js";

export function mnistConvOnnx(): string {
  const vendored = join(ROOT, "models/onnx/mnist_conv.onnx");
  return existsSync(vendored) ? vendored : "/work/shared/models/mnist_conv.onnx";
}
