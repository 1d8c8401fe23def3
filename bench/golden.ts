/**
 * Golden reference throughput (not a test: prints figures, asserts nothing).
 *   node dist/bench/golden.js
 * Per model: images/s and integer ops/s on one thread and on a worker pool of every
 * core (flows/golden-pool.ts); on one thread also with the JS kernels only (the
 * WebAssembly SIMD kernels of hw/golden/wasm/ off: useSimdKernels(false)) and with the
 * first kernels (hw/golden/reference/), all in the same process. Integer ops = Σ over engine layers of output elements × K
 * (one multiply-accumulate, |x − w| accumulate or xnor-popcount step each) + the
 * attention products (2·heads·T²·d); element-wise ops are not counted.
 * Float reference: onnxruntime-node (one intra-op thread) on models/onnx/mnist_conv.onnx,
 * the float MNIST CNN we have as ONNX (our LeNets' float versions are tfjs descriptions,
 * models/float/, which onnxruntime does not run), compared per core in ops/s.
 */
import { availableParallelism } from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { describeOnnx } from "../src/frontend/onnx-runtime.js";
import { loadModel } from "../src/ir/load.js";
import { Model, engineLayers, outputPixels, reductionLength, IntTensor } from "../src/ir/model.js";
import { randomTensor } from "../src/ir/inputs.js";
import { runGolden } from "../src/hw/golden/network.js";
import { runGoldenReference } from "../src/hw/golden/reference/network.js";
import { conv2dEvaluation, conv2dGolden, useSimdKernels } from "../src/hw/golden/conv2d.js";
import { conv2dGoldenReference } from "../src/hw/golden/reference/conv2d.js";
import { predictDataset } from "../src/flows/golden-pool.js";

function timeIt(fn: () => void, minMs: number, minRuns = 1): number {
  fn(); // warm-up (JIT, per-layer plans)
  let runs = 0;
  const start = performance.now();
  while (runs < minRuns || performance.now() - start < minMs) {
    fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}

function integerOps(model: Model): number {
  let ops = 0;
  for (const l of engineLayers(model)) ops += outputPixels(l) * l.output.channels * reductionLength(l);
  for (const l of model.layers) if (l.kind === "attention") ops += 2 * l.heads * l.input.height * l.input.height * l.headDim;
  return ops;
}

const fmt = (opsPerSecond: number) => (opsPerSecond >= 1e9 ? `${(opsPerSecond / 1e9).toFixed(2)} G` : `${(opsPerSecond / 1e6).toFixed(0)} M`);
const cores = availableParallelism();

console.log(`golden reference throughput, ${cores} cores (ops = engine output elements x K + attention products)`);
const lenetOpsPerCore: number[] = [];
const models: [string, number][] = [
  ["models/mnist-adder.json", 1500],
  ["models/mnist-xnor.json", 1500],
  ["models/mnist-mac.json", 1500],
  ["models/mnist-vit.json", 1500],
  ["models/resnet20-adder-cifar.json", 1000],
];
for (const [file, minMs] of models) {
  const model = loadModel(file);
  const ops = integerOps(model);
  const inputs: IntTensor[] = Array.from({ length: 64 }, (_, i) => randomTensor(model.input, i + 1));
  let i = 0;
  const fastMs = timeIt(() => runGolden(model, inputs[i++ % inputs.length]), minMs);
  useSimdKernels(false);
  const jsMs = timeIt(() => runGolden(model, inputs[i++ % inputs.length]), minMs);
  useSimdKernels(true);
  const refMs = timeIt(() => runGoldenReference(model, inputs[i++ % inputs.length]), minMs);
  // all workers: enough images for ~2 s of work on every core (pool start-up included)
  const count = Math.max(cores * 2, Math.min(20000, Math.round((2000 / fastMs) * cores)));
  const many = Array.from({ length: count }, (_, k) => inputs[k % inputs.length]);
  const start = performance.now();
  await predictDataset(model, many, cores);
  const poolMs = (performance.now() - start) / count;
  const one = ops / (fastMs / 1000);
  if (file.includes("mnist-") && !file.includes("vit")) lenetOpsPerCore.push(one);
  console.log(
    `${model.name}: ${(ops / 1e6).toFixed(2)} M ops/image | 1 thread ${(1000 / fastMs).toFixed(1)} images/s = ${fmt(one)}ops/s` +
      ` | JS kernels ${(1000 / jsMs).toFixed(1)} images/s, SIMD ${(jsMs / fastMs).toFixed(2)}x` +
      ` | first kernels ${(1000 / refMs).toFixed(1)} images/s, ratio ${(refMs / fastMs).toFixed(2)}x` +
      ` | ${cores} workers ${(1000 / poolMs).toFixed(1)} images/s = ${fmt(ops / (poolMs / 1000))}ops/s (${(fastMs / poolMs).toFixed(2)}x one thread, ${count} images)`,
  );
}

console.log("conv kernels alone (conv2dGolden incl. requant/threshold; the JS kernels and the first kernel as baselines)");
const convOps: number[] = [];
for (const file of ["models/conv3x3-mac-int8.json", "models/conv3x3-adder-int8.json", "models/conv3x3-adder-int16.json", "models/conv3x3-xnor.json"]) {
  const model = loadModel(file);
  const layer = engineLayers(model)[0];
  const input = randomTensor(model.input, 1);
  const ops = outputPixels(layer) * layer.output.channels * reductionLength(layer);
  const fastMs = timeIt(() => conv2dGolden(layer, input), 1000);
  const evaluation = conv2dEvaluation(layer);
  useSimdKernels(false);
  const jsMs = timeIt(() => conv2dGolden(layer, input), 1000);
  useSimdKernels(true);
  const refMs = timeIt(() => conv2dGoldenReference(layer, input), 1000);
  convOps.push(ops / (fastMs / 1000));
  console.log(
    `${model.name}: ${fmt(ops / (fastMs / 1000))}ops/s per core (${evaluation}) | JS kernel ${fmt(ops / (jsMs / 1000))}ops/s, ratio ${(jsMs / fastMs).toFixed(2)}x` +
      ` | first kernel ${fmt(ops / (refMs / 1000))}ops/s, ratio ${(refMs / fastMs).toFixed(2)}x`,
  );
}

// mnist_conv: Conv 5x5 1→8 (28×28 out), MaxPool, Conv 5x5 8→16 (14×14 out), MaxPool, Gemm 256→10
const MNIST_CONV_MACS = 28 * 28 * 8 * 25 + 14 * 14 * 16 * 200 + 256 * 10;
const onnx = existsSync("models/onnx/mnist_conv.onnx") ? "models/onnx/mnist_conv.onnx" : "/work/shared/models/mnist_conv.onnx";
const ort = (await import("onnxruntime-node")).default;
const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
// the model's batch axis is fixed (1 for mnist_conv): feed what it declares
const declared = describeOnnx(new Uint8Array(readFileSync(onnx)), onnx).input.dims[0];
const batch = typeof declared === "number" && declared > 0 ? declared : 256;
const feed = new Float32Array(batch * 784).map((_, k) => ((k * 7919) % 256) / 255);
const tensor = new ort.Tensor("float32", feed, [batch, 1, 28, 28]);
const inputName = session.inputNames[0];
await session.run({ [inputName]: tensor });
let batches = 0;
const ortStart = performance.now();
while (performance.now() - ortStart < 2000) {
  await session.run({ [inputName]: tensor });
  batches++;
}
const ortImages = (batches * batch) / ((performance.now() - ortStart) / 1000);
const ortOps = ortImages * MNIST_CONV_MACS;
await session.release();
console.log(
  `onnxruntime-node, 1 thread, float ${onnx}: ${(MNIST_CONV_MACS / 1e6).toFixed(2)} M MACs/image, ${ortImages.toFixed(0)} images/s = ${fmt(ortOps)}ops/s`,
);
const lenetMin = Math.min(...lenetOpsPerCore);
console.log(
  `targets: LeNets per core ${fmt(lenetMin)}ops/s (slowest) = ${(lenetMin / ortOps).toFixed(2)}x onnxruntime's per core (goal >= 0.5x); ` +
    `conv kernels per core ${fmt(Math.min(...convOps))}-${fmt(Math.max(...convOps))}ops/s (goal >= 1 G)`,
);
