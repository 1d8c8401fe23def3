/**
 * Import time of the vendored ONNX models (target ≤ 2 s each): read, lower and
 * load (schema + checks) of models/onnx/*.onnx, as `quantrtl import` does it,
 * and the TFC_2W2A top-1 of the integer model against onnxruntime on MNIST test.
 * Not a test: prints figures, asserts nothing.
 * Run: node dist/bench/import.js [images]   (after `npx tsc -p tsconfig.json`)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { importOnnxFile } from "../src/frontend/onnx/import.js";
import { toStandardOnnx } from "../src/frontend/onnx/float-graph.js";
import { quantizeInput, InputQuantizerSpec } from "../src/frontend/onnx/input-quantizer.js";
import { parseModel } from "../src/ir/load.js";
import { goldenOutput } from "../src/hw/golden/network.js";
import { loadMnist, mnistImages } from "../src/frontend/float/mnist.js";

const DIR = "models/onnx";

function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}

async function main(): Promise<void> {
  for (const name of ["TFC_2W2A.onnx", "qkeras_jettagging.onnx", "mnist_conv.onnx"]) {
    const t0 = performance.now();
    try {
      const { doc, warnings } = importOnnxFile(join(DIR, name));
      const model = parseModel(doc);
      console.log(`import ${name}: ${(performance.now() - t0).toFixed(0)} ms, ${model.layers.length} layers, ${warnings.length} warning(s)`);
    } catch (err) {
      console.log(`import ${name}: refused after ${(performance.now() - t0).toFixed(0)} ms: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  const limit = Number(process.argv[2] ?? 10000);
  const file = join(DIR, "TFC_2W2A.onnx");
  const { doc } = importOnnxFile(file);
  const model = parseModel(doc);
  const quantizer = (doc.metadata as { inputQuantizer: InputQuantizerSpec }).inputQuantizer;
  const session = await ort.InferenceSession.create(toStandardOnnx(readFileSync(file)), { logSeverityLevel: 3 });
  const set = loadMnist("test", limit);
  const images = mnistImages(set);
  let float = 0;
  let integer = 0;
  let agree = 0;
  for (let n = 0; n < images.length; n++) {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", images[n], [1, 1, 28, 28]) });
    const f = argmax(out[session.outputNames[0]].data as Float32Array);
    const g = argmax(goldenOutput(model, quantizeInput(images[n], quantizer, model.input)).data);
    float += f === set.labels[n] ? 1 : 0;
    integer += g === set.labels[n] ? 1 : 0;
    agree += f === g ? 1 : 0;
  }
  const pct = (x: number) => ((100 * x) / images.length).toFixed(2);
  console.log(`TFC_2W2A on ${images.length} MNIST test images: float (onnxruntime) ${pct(float)}%, integer ${pct(integer)}%, agreement ${pct(agree)}%`);
}

void main();
