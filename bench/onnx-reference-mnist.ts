/**
 * The onnxruntime float reference on all 10 000 MNIST test images:
 *   node dist/bench/onnx-reference-mnist.js [model.onnx]   (default: mnist_conv.onnx)
 * Prints top-1 and the time; mnist_conv's published figure is ≈ 98.9 %.
 */
import { existsSync } from "node:fs";
import { onnxTop1 } from "../src/frontend/onnx-runtime.js";
import { loadMnist, mnistInput } from "../src/frontend/float/mnist.js";

const file = process.argv[2] ?? (existsSync("models/onnx/mnist_conv.onnx") ? "models/onnx/mnist_conv.onnx" : "/work/shared/models/mnist_conv.onnx");
const set = loadMnist("test");
const started = performance.now();
const predicted = await onnxTop1(file, mnistInput(set.images), { height: 28, width: 28, channels: 1, bits: 8 }, set.count);
const seconds = (performance.now() - started) / 1000;
const correct = predicted.filter((p, i) => p === set.labels[i]).length;
console.log(
  `${file}: onnxruntime top-1 ${((100 * correct) / set.count).toFixed(2)} % (${correct}/${set.count}) on the MNIST test set, ${seconds.toFixed(1)} s`,
);
