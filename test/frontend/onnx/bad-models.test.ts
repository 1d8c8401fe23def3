/**
 * Refusal: bad .onnx files each exit 1 through the CLI with one message naming
 * what is wrong (the node, its position and op where there is one), and
 * `import --out` writes nothing.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { runCli, ROOT } from "../../helpers/cli.js";
import { testDir } from "../../helpers/temp.js";
import { GraphBuilder } from "./graph-builder.js";

const { onnx } = onnxProto;

/** x [1, 8] → Quant → MatMul(Quant W) → output: a valid base the cases break. */
function base(
  edit: (g: GraphBuilder, qx: string) => string = (g, qx) => g.node("MatMul", [qx, g.quant(g.init("W", [8, 4], new Array(32).fill(0.25)), 0.25, 0, 4)]),
  dims: (number | string)[] = [1, 8],
): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", dims);
  const y = edit(g, g.quant(x, 1 / 16, 0, 8));
  g.output(y, [1, 4]);
  return g.bytes();
}

function convBase(attrs: Record<string, number | string | number[]>, weightDims = [2, 2, 3, 3]): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", [1, 2, 6, 6]);
  const qx = g.quant(x, 1 / 16, 0, 8);
  const w = g.quant(g.init("W", weightDims, new Array(weightDims.reduce((a, b) => a * b, 1)).fill(0.5)), 0.5, 0, 4);
  const y = g.node("Conv", [qx, w], { kernel_shape: [3, 3], ...attrs }, "", "MyConv");
  g.output(y, [1, 2, 4, 4]);
  return g.bytes();
}

const TFC = readFileSync(join(ROOT, "models/onnx/TFC_2W2A.onnx"));

/** x [1, 1, 6, 6] → Quant(1/8, signed 8) → `edit` → Flatten → MatMul: a base for pool and add refusals. */
function spatialBase(edit: (g: GraphBuilder, qx: string) => string, features = 4): Uint8Array {
  const g = new GraphBuilder();
  const qx = g.quant(g.input("x", [1, 1, 6, 6]), 1 / 8, 0, 8);
  const flat = g.node("Flatten", [edit(g, qx)], { axis: 1 });
  g.output(g.node("MatMul", [flat, g.quant(g.init("W", [features, 2], new Array(features * 2).fill(0.25)), 0.25, 0, 4)]), [1, 2]);
  return g.bytes();
}

const CASES: [string, () => Uint8Array, RegExp][] = [
  ["truncated file", () => TFC.subarray(0, 5000), /not a readable ONNX model|has no graph|initializer/],
  ["random bytes", () => Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) % 251), /not a readable ONNX model|has no graph/],
  ["empty file", () => new Uint8Array(0), /has no graph or no nodes/],
  [
    "unknown op",
    () => base((g, qx) => g.node("Tanh", [qx], {}, "", "MyTanh")),
    /node "MyTanh" \(#\d+, Tanh\): op Tanh is not supported.*\n.*supported ops: Quant/,
  ],
  [
    "unknown custom op",
    () => base((g, qx) => g.node("XnorPopcount", [qx, g.init("thr", [8, 2], new Array(16).fill(0))], {}, "qonnx.custom_op.general", "MT")),
    /node "MT" \(#\d+, XnorPopcount\): op qonnx.custom_op.general:XnorPopcount is not supported/,
  ],
  ["dynamic batch dimension", () => base(undefined, ["N", 8]), /dynamic dimension 0 \("N"\)/],
  ["grouped conv", () => convBase({ group: 2 }, [2, 1, 3, 3]), /node "MyConv" \(#\d+, Conv\): has group = 2/],
  ["dilated conv", () => convBase({ dilations: [2, 2] }), /node "MyConv" .*dilations \[2,2\]/],
  // an even kernel: SAME_UPPER pads 0 before and 1 after (a symmetric SAME, odd kernel at stride 1, is lowered)
  [
    "auto_pad SAME_UPPER, uneven",
    () => convBase({ auto_pad: "SAME_UPPER", kernel_shape: [2, 2] }, [2, 2, 2, 2]),
    /node "MyConv" .*asymmetric pads \[0,0,1,1\] \(auto_pad = SAME_UPPER\)/,
  ],
  ["asymmetric pads", () => convBase({ pads: [1, 0, 0, 1] }), /node "MyConv" .*asymmetric pads/],
  [
    "wrong initializer size",
    () => base((g, qx) => g.node("MatMul", [qx, g.quant(g.init("W", [8, 4], new Array(31).fill(0.25), onnx.TensorProto.DataType.FLOAT, true), 0.25, 0, 4)])),
    /initializer "W".*124 bytes.*needs 128/,
  ],
  [
    "missing input",
    () => base((g, qx) => g.node("MatMul", [qx, "nowhere"], {}, "", "MM")),
    /node "MM" \(#\d+, MatMul\): input 1 \("nowhere"\) is not produced/,
  ],
  [
    "float weights",
    () => base((g, qx) => g.node("MatMul", [qx, g.init("W", [8, 4], new Array(32).fill(0.25))], {}, "", "MM")),
    /node "MM" .*weights are float/,
  ],
  [
    "residual Add of two unquantized branches",
    () =>
      base((g, qx) =>
        g.node(
          "Add",
          [
            g.node("MatMul", [qx, g.quant(g.init("W", [8, 4], new Array(32).fill(0.25)), 0.25, 0, 4)]),
            g.node("MatMul", [qx, g.quant(g.init("W2", [8, 4], new Array(32).fill(0.5)), 0.25, 0, 4)]),
          ],
          {},
          "",
          "Res",
        ),
      ),
    /node "Res" \(#\d+, Add\): adds a branch that is not quantized yet.*\n.*put a Quant on each input/,
  ],
  [
    "per-channel activation scale",
    () =>
      base((g, qx) =>
        g.node("MatMul", [g.quant(qx, g.init("s", [1, 8], new Array(8).fill(0.5)), 0, 8), g.quant(g.init("W", [8, 4], new Array(32).fill(0.25)), 0.25, 0, 4)]),
      ),
    /per-channel scale or zero point/,
  ],
  [
    "weights with a zero point",
    () => base((g, qx) => g.node("MatMul", [qx, g.quant(g.init("W", [8, 4], new Array(32).fill(0.25)), 0.25, 1, 4)], {}, "", "MM")),
    /node "MM" .*non-zero zero point/,
  ],
  [
    "unknown rounding mode",
    () => base((g, qx) => g.node("MatMul", [qx, g.quant(g.init("W", [8, 4], new Array(32).fill(0.25)), 0.25, 0, 4, { rounding: "STOCHASTIC" })])),
    /"STOCHASTIC" is not a QONNX rounding mode/,
  ],
  [
    "AveragePool with padding",
    () => spatialBase((g, qx) => g.node("AveragePool", [qx], { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1] }, "", "AP"), 9),
    /node "AP" \(#\d+, AveragePool\): pads its input.*\n.*without padding/,
  ],
  [
    "FLOOR after a 3×3 average pool of signed values (no bias can place the steps)",
    () => spatialBase((g, qx) => g.quant(g.node("AveragePool", [qx], { kernel_shape: [3, 3], strides: [3, 3] }), 1 / 8, 0, 8, { rounding: "FLOOR" })),
    /\(#\d+, Quant\): its quantizer is not reproduced exactly by a dyadic requant of the sum of 9 values/,
  ],
  [
    "Sub of two activations",
    () => spatialBase((g, qx) => g.node("Sub", [qx, g.quant(qx, 1 / 4, 0, 8)], {}, "", "S"), 36),
    /node "S" \(#\d+, Sub\): combines two activations.*\n.*only Add/,
  ],
  [
    "two graph inputs",
    () => {
      const g = new GraphBuilder();
      g.input("a", [1, 8]);
      g.input("b", [1, 8]);
      g.output(g.node("Add", ["a", "b"]), [1, 8]);
      return g.bytes();
    },
    /has 2 non-constant inputs/,
  ],
];

describe("bad .onnx files are refused", () => {
  it.each(CASES)("%s: exit 1, named, nothing written", async (_name, make, message) => {
    const dir = testDir("quantrtl-bad-onnx-");
    const file = join(dir, "bad.onnx");
    writeFileSync(file, make());
    const check = await runCli(["check", file]);
    expect(check.status, check.stderr).toBe(1);
    expect(check.stderr).toMatch(message);
    expect(check.stderr).not.toMatch(/internal error|\n\s+at /);
    const imported = await runCli(["import", file, "--out", join(dir, "out.json")]);
    expect(imported.status).toBe(1);
    expect(imported.stderr).toMatch(message);
    expect(existsSync(join(dir, "out.json"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["bad.onnx"]);
  });

  it(`has at least 15 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });
});
