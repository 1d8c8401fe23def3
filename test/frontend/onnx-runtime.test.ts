/**
 * The onnxruntime float reference: a real published model (mnist_conv, the ONNX
 * model zoo's MNIST CNN, ≈ 98.9 % top-1) on real images, and tiny graphs built
 * here with onnx-proto whose outputs are worked out by hand.
 */
import { describe, expect, test } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { describeOnnx, onnxTop1, runOnnx } from "../../src/frontend/onnx-runtime.js";
import { loadMnist, mnistInput } from "../../src/frontend/float/mnist.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { mnistConvOnnx } from "../helpers/onnx-models.js";
import { testDir } from "../helpers/temp.js";

const { onnx } = onnxProto;

type Dim = number | string;
const valueInfo = (name: string, dims: Dim[]) => ({
  name,
  type: {
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } },
  },
});
const floats = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: values });

/** A one-input model (opset 13) from nodes and initializers, written to `dir/name.onnx`. */
function writeModel(
  dir: string,
  name: string,
  graph: { input: [string, Dim[]]; output: [string, Dim[]]; nodes: object[]; initializers?: object[]; extraDomain?: string },
): string {
  const opsets = [{ domain: "", version: 13 }, ...(graph.extraDomain ? [{ domain: graph.extraDomain, version: 1 }] : [])];
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: opsets,
    graph: { name, node: graph.nodes, initializer: graph.initializers ?? [], input: [valueInfo(...graph.input)], output: [valueInfo(...graph.output)] },
  });
  const file = join(dir, `${name}.onnx`);
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

describe("onnxruntime float reference", () => {
  test("mnist_conv: top-1 on the first 1000 MNIST test images (p/255, NCHW) is at least 98 %", async () => {
    const set = loadMnist("test", 1000);
    const images = mnistInput(set.images.subarray(0, 1000 * 784));
    const predicted = await onnxTop1(mnistConvOnnx(), images, { height: 28, width: 28, channels: 1, bits: 8 }, 1000);
    const correct = predicted.filter((p, i) => p === set.labels[i]).length;
    expect(correct / 1000).toBeGreaterThanOrEqual(0.98);
  });

  test("MatMul + Add with a free batch axis equals y = xW + b worked by hand, in one run", async () => {
    const dir = testDir("quantrtl-ort-");
    const file = writeModel(dir, "affine", {
      input: ["x", ["N", 3]],
      output: ["y", ["N", 2]],
      nodes: [
        { opType: "MatMul", input: ["x", "W"], output: ["xw"] },
        { opType: "Add", input: ["xw", "b"], output: ["y"] },
      ],
      // W = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1]
      initializers: [floats("W", [3, 2], [1, 2, 3, 4, 5, 6]), floats("b", [2], [0.5, -1])],
    });
    const batches: number[] = [];
    // x0 = [1, 0, -1] -> [1-5+0.5, 2-6-1] = [-3.5, -5]; x1 = [0.5, 1, 2] -> [0.5+3+10+0.5, 1+4+12-1] = [14, 16]
    const r = await runOnnx(file, Float32Array.from([1, 0, -1, 0.5, 1, 2]), { height: 1, width: 1, channels: 3, bits: 8 }, 2, {
      onBatch: (done) => batches.push(done),
    });
    expect(r.width).toBe(2);
    expect(Array.from(r.rows)).toEqual([-3.5, -5, 14, 16]);
    expect(batches).toEqual([2]);
    expect(Array.from(await onnxTop1(file, Float32Array.from([1, 0, -1, 0.5, 1, 2]), { height: 1, width: 1, channels: 3, bits: 8 }, 2))).toEqual([0, 1]);
  });

  test("HWC samples are fed to an NCHW input in CHW order; a fixed batch of 1 runs sample by sample", async () => {
    const dir = testDir("quantrtl-ort-");
    const file = writeModel(dir, "flatten", {
      input: ["x", [1, 2, 1, 2]],
      output: ["y", [1, 4]],
      nodes: [{ opType: "Flatten", input: ["x"], output: ["y"], attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }],
    });
    // HWC (h=0): (w0,c0)=1 (w0,c1)=2 (w1,c0)=3 (w1,c1)=4 -> CHW: c0: 1 3, c1: 2 4
    const batches: number[] = [];
    const r = await runOnnx(file, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), { height: 1, width: 2, channels: 2, bits: 8 }, 2, {
      onBatch: (d) => batches.push(d),
    });
    expect(Array.from(r.rows)).toEqual([1, 3, 2, 4, 5, 7, 6, 8]);
    expect(batches).toEqual([1, 2]);
  });

  test("ops in a custom domain need the injected QONNX rewrite; without it the error names the ops", async () => {
    const dir = testDir("quantrtl-ort-");
    const file = writeModel(dir, "custom", {
      input: ["x", ["N", 2]],
      output: ["y", ["N", 2]],
      extraDomain: "qonnx.custom_op.general",
      nodes: [{ opType: "Quant", domain: "qonnx.custom_op.general", input: ["x"], output: ["y"] }],
    });
    const spec = { height: 1, width: 1, channels: 2, bits: 8 };
    expect(describeOnnx(new Uint8Array(readFileSync(file)), file).customOps).toEqual(["Quant (qonnx.custom_op.general)"]);
    await expect(runOnnx(file, Float32Array.from([1, -2]), spec, 1)).rejects.toThrow(/ops onnxruntime cannot run: Quant \(qonnx.custom_op.general\)/);
    // a stand-in rewrite: the custom node becomes a standard Relu
    const toStandardOnnx = (bytes: Uint8Array) => {
      const m = onnx.ModelProto.decode(bytes);
      m.graph!.node![0].opType = "Relu";
      m.graph!.node![0].domain = "";
      return onnx.ModelProto.encode(m).finish();
    };
    expect(Array.from((await runOnnx(file, Float32Array.from([1, -2]), spec, 1, { toStandardOnnx })).rows)).toEqual([1, 0]);
  });

  test("a corrupt file and an input that does not hold the model's input are refused as user errors", async () => {
    const dir = testDir("quantrtl-ort-");
    writeFileSync(join(dir, "bad.onnx"), Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]));
    await expect(runOnnx(join(dir, "bad.onnx"), new Float32Array(2), { height: 1, width: 1, channels: 2, bits: 8 }, 1)).rejects.toThrow(QuantrtlError);
    await expect(onnxTop1(mnistConvOnnx(), new Float32Array(32 * 32), { height: 32, width: 32, channels: 1, bits: 8 }, 1)).rejects.toThrow(
      /\[1, 1, 28, 28\], which does not hold the model's 32×32×1 input/,
    );
  });
});
