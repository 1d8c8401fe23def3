/**
 * Float reference: rewrites the QONNX custom ops of a model into standard ONNX
 * ops so that onnxruntime runs it as given, independently of our lowering.
 *   Quant(x, s, z, b)   → Mul(Sub(R(Min(Max(Add(Div(x, s), z), lo), hi)), z), s)
 *                          with R the node's rounding mode in standard ops
 *   BipolarQuant(x, s)  → Mul(Sign(Add(Sign(Div(x, s)), 0.5)), s)      (x/s ≥ 0 → +1)
 *   MultiThreshold(x, T) → Add(Mul(ReduceSum(Cast(Not(Less(Unsqueeze(x, −1), T')))), out_scale), out_bias)
 *                          (multithreshold.py: the count of thresholds ≤ x; T' is T [C, B] reshaped to
 *                          [C, 1, …, 1, B] against the channel axis 1, or as is for NHWC)
 * (intquant_v1.md clamps before rounding; Min/Max instead of Clip work in every opset.)
 * Round needs opset 11, so the default domain is raised to at least 11; a Clip
 * with attributes (opset < 11) is rewritten to its input form on the way.
 */
import onnxProto from "onnx-proto";
import type { onnx as OnnxTypes } from "onnx-proto";
import { QuantrtlError } from "../../util/errors.js";
import { parseRounding, quantBounds, QonnxRounding, truncScale } from "./qonnx.js";
import { readOnnx } from "./reader.js";

const { onnx } = onnxProto;

/** Domains QONNX custom ops are exported under. */
export const QONNX_DOMAINS = ["onnx.brevitas", "finn.custom_op.general", "qonnx.custom_op.general"];

export function toStandardOnnx(bytes: Uint8Array, file?: string): Uint8Array {
  const graph = readOnnx(bytes, file); // validates and decodes constants (bit widths)
  const model = onnx.ModelProto.decode(bytes);
  const g = model.graph!;
  const oldOpset = graph.opset;
  const nodes: OnnxTypes.INodeProto[] = [];
  const inits = g.initializer ?? [];
  let fresh = 0;
  const name = (base: string) => `${base}__qf${fresh++}`;
  const constant = (base: string, value: number): string => {
    const n = name(base);
    inits.push(onnx.TensorProto.create({ name: n, dims: [], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [value] }));
    return n;
  };
  const op = (opType: string, inputs: string[], base: string, output?: string): string => {
    const out = output ?? name(base);
    nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [out], name: name(base) }));
    return out;
  };
  // scale and zero point may be stored as integers (the jet tagger's int64 zero points): float copies
  const asFloat = (input: string, base: string): string => {
    const t = graph.initializers.get(input);
    if (t && t.dataType === onnx.TensorProto.DataType.FLOAT) return input;
    const n = name(`${base}_f32`);
    if (t) {
      inits.push(onnx.TensorProto.create({ name: n, dims: [...t.dims], dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(t.data) }));
      return n;
    }
    nodes.push(
      onnx.NodeProto.create({
        opType: "Cast",
        input: [input],
        output: [n],
        name: name(base),
        attribute: [onnx.AttributeProto.create({ name: "to", type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT })],
      }),
    );
    return n;
  };
  for (const [i, n] of (g.node ?? []).entries()) {
    const node = graph.nodes[i];
    const custom = QONNX_DOMAINS.includes(n.domain ?? "") || ((n.domain ?? "") !== "" && n.domain !== "ai.onnx");
    if (n.opType === "Clip" && oldOpset < 11 && !custom) {
      const lo = node.attrs.get("min");
      const hi = node.attrs.get("max");
      const ins = [n.input![0], lo === undefined ? "" : constant("clip_min", lo as number), hi === undefined ? "" : constant("clip_max", hi as number)];
      nodes.push(onnx.NodeProto.create({ ...n, input: ins, attribute: [] }));
      continue;
    }
    if (!custom) {
      nodes.push(n);
      continue;
    }
    const base = node.name;
    if (n.opType === "Quant" || n.opType === "IntQuant") {
      const [x, s0, z0, b] = n.input!;
      const s = asFloat(s0, base);
      const z = asFloat(z0, base);
      const bits = graph.initializers.get(b)?.data;
      if (!bits || bits.length !== 1) {
        throw new QuantrtlError(
          file,
          `node "${base}" (#${i}, Quant)`,
          "its bit width is not a constant scalar initializer",
          "export the model with a fixed bit width",
        );
      }
      const signed = (node.attrs.get("signed") ?? 1) === 1;
      const narrow = (node.attrs.get("narrow") ?? 0) === 1;
      const rounding = parseRounding(node.attrs.get("rounding_mode") as string | undefined, file, base);
      const [lo, hi] = quantBounds({ bits: bits[0], signed, narrow });
      const scaled = op("Add", [op("Div", [x, s], base), z], base);
      const clipped = op("Min", [op("Max", [scaled, constant("qmin", lo)], base), constant("qmax", hi)], base);
      const rounded = roundOps(clipped, rounding, op, constant, base);
      op("Mul", [op("Sub", [rounded, z], base), s], base, n.output![0]);
    } else if (n.opType === "BipolarQuant") {
      const x = n.input![0];
      const s = asFloat(n.input![1], base);
      const sign = op("Sign", [op("Div", [x, s], base)], base);
      op("Mul", [op("Sign", [op("Add", [sign, constant("half", 0.5)], base)], base), s], base, n.output![0]);
    } else if (n.opType === "Trunc" && (n.input ?? []).length === 6) {
      // trunc_v2.md: ROUND(x/s + z) / ts, clamp, rounding_mode, − z/ts, · out_scale (ts = 2^round(log2(out_scale/s)))
      const [x, s0, z0, , os0, b] = n.input!;
      const scaleOf = (input: string) => graph.initializers.get(input)?.data[0];
      const bits = scaleOf(b);
      const [sv, osv] = [scaleOf(s0), scaleOf(os0)];
      if (bits === undefined || sv === undefined || osv === undefined)
        throw new QuantrtlError(
          file,
          `node "${base}" (#${i}, Trunc)`,
          "its scales or bit width are not constant initializers",
          "export fixed Trunc parameters",
        );
      const ts = constant("trunc_scale", truncScale({ scale: sv, outScale: osv }));
      const z = asFloat(z0, base);
      const signed = (node.attrs.get("signed") ?? 1) === 1;
      const narrow = (node.attrs.get("narrow") ?? 0) === 1;
      const rounding = parseRounding((node.attrs.get("rounding_mode") as string | undefined) ?? "FLOOR", file, base);
      const [lo, hi] = quantBounds({ bits, signed, narrow });
      const y = op("Div", [op("Round", [op("Add", [op("Div", [x, asFloat(s0, base)], base), z], base)], base), ts], base);
      const clipped = op("Min", [op("Max", [y, constant("qmin", lo)], base), constant("qmax", hi)], base);
      const rounded = roundOps(clipped, rounding, op, constant, base);
      op("Mul", [op("Sub", [rounded, op("Div", [z, ts], base)], base), asFloat(os0, base)], base, n.output![0]);
    } else if (n.opType === "MultiThreshold" && QONNX_DOMAINS.includes(n.domain ?? "")) {
      const [x, thresholds] = n.input!;
      const t = graph.initializers.get(thresholds);
      if (!t || t.dims.length !== 2)
        throw new QuantrtlError(
          file,
          `node "${base}" (#${i}, MultiThreshold)`,
          "its thresholds are not a constant [C, B] initializer",
          "export constant thresholds",
        );
      const newAxes = Math.max(11, oldOpset) >= 13; // Unsqueeze / ReduceSum take axes as an input from opset 13
      const int64 = (values: number[]) => {
        const c = name("mt_const");
        inits.push(onnx.TensorProto.create({ name: c, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values }));
        return c;
      };
      const A = onnx.AttributeProto.AttributeType;
      const attrOp = (opType: string, inputs: string[], attribute: OnnxTypes.IAttributeProto[], output?: string): string => {
        const out = output ?? name(base);
        nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [out], name: name(base), attribute }));
        return out;
      };
      const axes = [onnx.AttributeProto.create({ name: "axes", type: A.INTS, ints: [-1] })];
      const xe = newAxes ? attrOp("Unsqueeze", [x, int64([-1])], []) : attrOp("Unsqueeze", [x], axes);
      let tb = asFloat(thresholds, base);
      if (((node.attrs.get("data_layout") as string | undefined) ?? "NCHW") === "NCHW") {
        // [C, 1 × (rank − 2), B]: the rank of x from Shape(x) / Shape(x) (ones), sliced past the first two
        const shape = op("Shape", [x], base);
        const ones = op("Slice", [op("Div", [shape, shape], base), int64([2]), int64([64])], base);
        const target = attrOp("Concat", [int64([t.dims[0]]), ones, int64([t.dims[1]])], [onnx.AttributeProto.create({ name: "axis", type: A.INT, i: 0 })]);
        tb = op("Reshape", [tb, target], base);
      }
      const ge = attrOp(
        "Cast",
        [op("Not", [op("Less", [xe, tb], base)], base)],
        [onnx.AttributeProto.create({ name: "to", type: A.INT, i: onnx.TensorProto.DataType.FLOAT })],
      );
      const keep = onnx.AttributeProto.create({ name: "keepdims", type: A.INT, i: 0 });
      const counted = newAxes ? attrOp("ReduceSum", [ge, int64([-1])], [keep]) : attrOp("ReduceSum", [ge], [...axes, keep]);
      const outScale = (node.attrs.get("out_scale") as number | undefined) ?? 1;
      const outBias = (node.attrs.get("out_bias") as number | undefined) ?? 0;
      op("Add", [op("Mul", [counted, constant("out_scale", outScale)], base), constant("out_bias", outBias)], base, n.output![0]);
    } else {
      throw new QuantrtlError(
        file,
        `node "${base}" (#${i})`,
        `the custom op ${n.domain}:${n.opType} has no standard-ONNX rewrite`,
        "the float reference supports Quant (IntQuant), BipolarQuant, Trunc (v2, six inputs) and MultiThreshold",
      );
    }
  }
  g.node = nodes;
  // initializers listed as graph inputs (old exporters) are constants here: onnxruntime then folds them
  const initNames = new Set(inits.map((t) => t.name));
  g.input = (g.input ?? []).filter((v) => !initNames.has(v.name ?? ""));
  g.initializer = inits;
  const opsets = (model.opsetImport ?? []).filter((o) => !QONNX_DOMAINS.includes(o.domain ?? ""));
  const main = opsets.find((o) => !o.domain || o.domain === "ai.onnx");
  if (main) main.version = Math.max(11, Number(main.version));
  else opsets.push(onnx.OperatorSetIdProto.create({ domain: "", version: 11 }));
  model.opsetImport = opsets;
  // onnxruntime needs ir_version ≥ 3 for opset imports; an older header is raised with the opset
  if (Number(model.irVersion ?? 0) < 6) model.irVersion = 6;
  return onnx.ModelProto.encode(model).finish();
}

type Op = (opType: string, inputs: string[], base: string) => string;
type Constant = (base: string, value: number) => string;

/** The rounding modes of qonnx.ts in standard ops (Round is ONNX's half-to-even). */
function roundOps(x: string, mode: QonnxRounding, op: Op, constant: Constant, base: string): string {
  const signed = (magnitude: (abs: string) => string) => op("Mul", [op("Sign", [x], base), magnitude(op("Abs", [x], base))], base);
  switch (mode) {
    case "ROUND":
      return op("Round", [x], base);
    case "FLOOR":
      return op("Floor", [x], base);
    case "CEIL":
      return op("Ceil", [x], base);
    case "DOWN":
    case "ROUND_TO_ZERO":
      return signed((a) => op("Floor", [a], base));
    case "UP":
      return signed((a) => op("Ceil", [a], base));
    case "HALF_UP":
      return signed((a) => op("Floor", [op("Add", [a, constant("half", 0.5)], base)], base));
    case "HALF_DOWN":
      return signed((a) => op("Ceil", [op("Sub", [a, constant("half", 0.5)], base)], base));
  }
}
