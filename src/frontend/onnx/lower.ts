/**
 * Lowering of an ONNX / QONNX graph to the quantrtl model document ("quantrtl": 1),
 * FINN-streamlining style: the graph is walked in order with a symbolic value per
 * tensor (values.ts); weights and biases fold to integers, and every chain
 * MatMul/Conv → (Add, Mul, Div, Sub, BatchNormalization, Relu)* → Quant becomes
 * one engine layer whose requant reproduces the quantizer exactly (staircase.ts).
 */
import { QuantrtlError } from "../../util/errors.js";
import { signedBitsFor } from "../../arith/widths.js";
import { LAYER_NAME_PATTERN } from "../../ir/schema.js";
import type { TensorSpec } from "../../ir/model.js";
import type { OnnxGraph, OnnxNode } from "./reader.js";
import { broadcast, ConstTensor, nodeWhere, perChannel, size, transpose } from "./tensor.js";
import type { AccValue, ConstValue, InputQuantizer, IntValue, PostOp, Value } from "./values.js";
import { withAffine } from "./values.js";
import { parseRounding, quantBounds, QonnxRounding, quantInt, truncInt, truncScale } from "./qonnx.js";
import { QONNX_DOMAINS } from "./float-graph.js";
import { supportedOpsText } from "./ops.js";
import { emitEngine, emitOutput, emitThreshold } from "./emit.js";
import { averagePool, requantize, residualAdd, settle } from "./pool-add.js";
import { qlinearConv, qlinearMatMul } from "./qlinear.js";
import { calibratedEngine, calibratedInputQuantizer, PtqPlan, quantizeWeights } from "./calibrated.js";

export interface Lowered {
  readonly layers: Record<string, unknown>[];
  readonly input: TensorSpec;
  readonly inputQuantizer: InputQuantizer;
  readonly warnings: string[];
  readonly notes: Record<string, unknown>;
}

/** Synthetic quantizer for a model whose input is float (no Quant in front) [ours]: 16-bit signed on 2^-8. */
export const FLOAT_INPUT_QUANTIZER: InputQuantizer = { scale: 2 ** -8, zeroPoint: 0, bits: 16, signed: true, narrow: false, rounding: "ROUND" };

export class Lowering {
  readonly values = new Map<string, Value>();
  readonly layers: Record<string, unknown>[] = [];
  readonly warnings: string[] = [];
  readonly notes: Record<string, unknown> = {};
  readonly usedNames = new Set<string>(["input"]);
  inputQuantizer?: InputQuantizer;
  /** QuantizeLinear nodes by output, for the DequantizeLinear that completes the pair. */
  readonly qdqProducers = new Map<string, OnnxNode>();
  inputSpec?: TensorSpec;
  /** The tensor name an accumulator was last given (post-training quantization calibrates by name). */
  readonly accTensor = new WeakMap<AccValue, string>();

  /** `ptq`: post-training quantization of a float model (calibrated.ts) instead of Quant nodes. */
  constructor(
    readonly graph: OnnxGraph,
    readonly ptq?: PtqPlan,
  ) {}

  get file(): string | undefined {
    return this.graph.file;
  }

  fail(node: OnnxNode, problem: string, hint: string): never {
    throw new QuantrtlError(this.file, nodeWhere(node), problem, hint);
  }

  layerName(base: string): string {
    let n = base.replace(/[^A-Za-z0-9_]/g, "_");
    if (!/^[A-Za-z]/.test(n)) n = `n${n}`;
    n = n.slice(0, 28);
    let name = n;
    for (let i = 2; this.usedNames.has(name) || !new RegExp(LAYER_NAME_PATTERN).test(name); i++) name = `${n}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  get(node: OnnxNode, i: number): Value {
    const name = node.inputs[i];
    const v = name === undefined || name === "" ? undefined : this.values.get(name);
    if (!v)
      this.fail(
        node,
        `input ${i} ("${name ?? ""}") is not produced by any earlier node, initializer or graph input`,
        "the graph is incomplete or not in topological order; export it again",
      );
    return v;
  }

  constOf(node: OnnxNode, i: number, what: string): ConstValue {
    const v = this.get(node, i);
    if (v.kind !== "const") this.fail(node, `its ${what} (input ${i}) is not a constant`, "only constant weights, scales and shapes are supported");
    return v;
  }

  set(node: OnnxNode, v: Value, i = 0): void {
    this.values.set(node.outputs[i], v);
    if (v.kind === "acc") this.accTensor.set(v, node.outputs[i]);
  }

  /**
   * Post-training quantization: a pending accumulator read by something that does not
   * fold into it (a pool, a reshape, the next engine, the output) becomes an engine
   * layer on its calibrated scale; other readers of the tensor then take that layer.
   */
  calibrated(acc: AccValue, where: string, logits = false): IntValue {
    const tensor = this.accTensor.get(acc)!;
    const { layer, value } = calibratedEngine(acc, tensor, this.ptq!, { logits, where, file: this.file });
    this.layers.push(layer);
    this.values.set(tensor, value);
    return value;
  }

  run(): Lowered {
    const g = this.graph;
    for (const [name, t] of g.initializers) this.values.set(name, { kind: "const", t });
    if (g.inputs.length !== 1) {
      throw new QuantrtlError(this.file, "graph.input", `has ${g.inputs.length} non-constant inputs`, "quantrtl takes models with exactly one input tensor");
    }
    const input = g.inputs[0];
    const dims = staticDims(input.shape, `graph input "${input.name}"`, this.file);
    if (dims[0] !== 1) throw new QuantrtlError(this.file, `graph input "${input.name}"`, `has batch size ${dims[0]}`, "export the model with batch size 1");
    this.values.set(input.name, { kind: "float", dims, inputDims: dims, a: 1, b: 0 });
    for (const node of g.nodes) this.lowerNode(node);
    if (g.outputs.length !== 1)
      throw new QuantrtlError(this.file, "graph.output", `has ${g.outputs.length} outputs`, "quantrtl takes models with one output tensor");
    const out = this.values.get(g.outputs[0].name);
    if (!out)
      throw new QuantrtlError(this.file, "graph.output", `"${g.outputs[0].name}" is not produced by any node`, "the graph is incomplete; export it again");
    emitOutput(this, settle(this, g.nodes[g.nodes.length - 1], out));
    if (!this.inputQuantizer || !this.inputSpec)
      throw new QuantrtlError(this.file, "graph", "the input never reaches an engine layer", "the model needs at least one MatMul, Gemm or Conv");
    return { layers: this.layers, input: this.inputSpec, inputQuantizer: this.inputQuantizer, warnings: this.warnings, notes: this.notes };
  }

  lowerNode(node: OnnxNode): void {
    const custom = node.domain !== "" && node.domain !== "ai.onnx";
    if (custom) {
      if (node.opType === "BipolarQuant" && QONNX_DOMAINS.includes(node.domain)) return this.bipolar(node);
      if (
        (node.opType === "Quant" || node.opType === "IntQuant") &&
        (QONNX_DOMAINS.includes(node.domain) || node.domain.includes("brevitas") || node.domain.includes("qonnx") || node.domain.includes("finn"))
      )
        return this.quant(node);
      if (node.opType === "Trunc" && QONNX_DOMAINS.includes(node.domain)) return this.trunc(node);
      if (node.opType === "MultiThreshold" && QONNX_DOMAINS.includes(node.domain)) return this.multiThreshold(node);
      this.unsupported(node);
    }
    switch (node.opType) {
      case "Identity":
      case "Dropout":
        return this.set(node, this.get(node, 0));
      case "Constant": {
        const t = node.attrs.get("value");
        if (!t || typeof t !== "object" || !("dims" in t)) this.fail(node, 'has no tensor attribute "value"', "use value=tensor");
        return this.set(node, { kind: "const", t: t as ConstTensor });
      }
      case "Shape": {
        const v = this.get(node, 0);
        const dims = v.kind === "const" ? v.t.dims : v.kind === "output" ? undefined : v.dims;
        if (!dims) this.fail(node, "the shape of its input is not known", "export the model with static shapes");
        return this.set(node, { kind: "const", t: { dims: [dims.length], data: Float64Array.from(dims) } });
      }
      case "Gather":
        return this.gather(node);
      case "Unsqueeze":
      case "Squeeze":
      case "Reshape":
      case "Flatten":
        return this.reshape(node);
      case "Concat":
        return this.concat(node);
      case "Transpose":
        return this.transposeNode(node);
      case "Add":
      case "Sub":
      case "Mul":
      case "Div":
      case "Pow":
        return this.arith(node);
      case "Sqrt": {
        const c = this.constOf(node, 0, "operand");
        return this.set(node, { kind: "const", t: { dims: c.t.dims, data: c.t.data.map(Math.sqrt) } });
      }
      case "Relu":
        return this.post(node, { kind: "relu" });
      case "Clip":
        return this.clip(node);
      case "BatchNormalization":
        return this.batchNorm(node);
      case "MatMul":
      case "Gemm":
        return this.matmul(node);
      case "QuantizeLinear": {
        this.qdqProducers.set(node.outputs[0], node);
        return this.set(node, this.get(node, 0));
      }
      case "DequantizeLinear":
        return this.dequantizeLinear(node);
      case "Conv":
        return this.conv(node);
      case "QLinearConv":
        return qlinearConv(this, node);
      case "QLinearMatMul":
        return qlinearMatMul(this, node);
      case "MaxPool":
        return this.maxPool(node);
      case "AveragePool":
      case "GlobalAveragePool":
        return averagePool(this, node);
      case "Softmax":
      case "LogSoftmax":
      case "ArgMax":
        return this.outputOp(node);
      default:
        this.unsupported(node);
    }
  }

  unsupported(node: OnnxNode): never {
    const op = node.domain && node.domain !== "ai.onnx" ? `${node.domain}:${node.opType}` : node.opType;
    // the other QOperator ops (QLinearAdd, QLinearMul, QLinearAveragePool, …, some in domain com.microsoft): their QDQ form is lowered
    const qdq = node.opType.startsWith("QLinear") ? "export in QDQ format instead (quantize_static(..., quant_format=QuantFormat.QDQ)); " : "";
    return this.fail(node, `op ${op} is not supported`, `${qdq}supported ops: ${supportedOpsText()}`);
  }

  gather(node: OnnxNode): void {
    const data = this.constOf(node, 0, "data");
    const idx = this.constOf(node, 1, "indices");
    const axis = (node.attrs.get("axis") as number | undefined) ?? 0;
    if (axis !== 0 || data.t.dims.length !== 1) this.fail(node, "gathers from a non-vector constant", "only Gather of a 1-D constant (a shape) is supported");
    const n = data.t.dims[0];
    const out = idx.t.data.map((i) => data.t.data[i < 0 ? i + n : i]);
    this.set(node, { kind: "const", t: { dims: idx.t.dims, data: out } });
  }

  concat(node: OnnxNode): void {
    const parts = node.inputs.map((_, i) => this.constOf(node, i, "operand"));
    if (parts.some((p) => p.t.dims.length > 1)) this.fail(node, "concatenates tensors", "only Concat of 1-D constants (shapes) is supported");
    const data = Float64Array.from(parts.flatMap((p) => Array.from(p.t.data)));
    this.set(node, { kind: "const", t: { dims: [data.length], data } });
  }

  transposeNode(node: OnnxNode): void {
    const v = this.get(node, 0);
    const rank = v.kind === "const" ? v.t.dims.length : 0;
    const perm = (node.attrs.get("perm") as number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (v.kind !== "const") {
      if (perm.every((p, i) => p === i)) return this.set(node, v);
      this.fail(node, "transposes an activation", "only Transpose of constants (weights) is supported");
    }
    const tr = (data: Float64Array) => transpose({ dims: v.t.dims, data }, perm).data;
    this.set(node, {
      kind: "const",
      t: transpose(v.t, perm),
      quant: v.quant && { ...v.quant, q: tr(v.quant.q), scale: tr(v.quant.scale), zeroPoint: tr(v.quant.zeroPoint) },
    });
  }

  reshape(node: OnnxNode): void {
    const got = settle(this, node, this.get(node, 0));
    const v = got.kind === "acc" && this.ptq ? this.calibrated(got, nodeWhere(node)) : got;
    const dimsOf = (x: Value) => (x.kind === "const" ? x.t.dims : x.kind === "output" ? [] : x.dims);
    const inDims = dimsOf(v);
    let target: number[];
    if (node.opType === "Flatten") {
      const axis = (node.attrs.get("axis") as number | undefined) ?? 1;
      target = [size(inDims.slice(0, axis)), size(inDims.slice(axis))];
    } else if (node.opType === "Reshape") {
      const shape = Array.from(this.constOf(node, 1, "shape").t.data);
      target = shape.map((d, i) => (d === 0 ? inDims[i] : d));
      const known = size(target.filter((d) => d !== -1));
      target = target.map((d) => (d === -1 ? size(inDims) / known : d));
    } else {
      const axesAttr = node.attrs.get("axes") as number[] | undefined;
      const axes = axesAttr ?? (node.inputs[1] ? Array.from(this.constOf(node, 1, "axes").t.data) : undefined);
      if (node.opType === "Squeeze") {
        const rank = inDims.length;
        const drop = new Set((axes ?? inDims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + rank : a)));
        target = inDims.filter((_, i) => !drop.has(i));
      } else {
        target = [...inDims];
        const rank = inDims.length + (axes ?? []).length;
        for (const a of [...(axes ?? [])].map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y)) target.splice(a, 0, 1);
      }
    }
    if (size(target) !== size(inDims) || target.some((d) => !Number.isInteger(d) || d < 0)) {
      this.fail(node, `cannot reshape [${inDims}] to [${target}]`, "check the model's shapes");
    }
    if (v.kind === "const") return this.set(node, { ...v, t: { dims: target, data: v.t.data } });
    if (v.kind === "float") {
      // the IR input keeps its own HWC shape; a flatten of it is read by the dense layer in stream order
      return this.set(node, { ...v, dims: target });
    }
    if (v.kind === "int") {
      const nonUnit = (d: readonly number[]) => d.filter((x) => x !== 1);
      const flat = target.length === 2 && target[0] === 1;
      if (!flat && nonUnit(target).join() !== nonUnit(inDims).join())
        this.fail(node, `reshapes an activation [${inDims}] to [${target}]`, "only flattening to [1, N] is supported");
      const perm = flat ? (this.flattenPerm(inDims, target) ?? v.perm) : v.perm;
      return this.set(node, { ...v, dims: target, perm });
    }
    this.fail(node, "reshapes a value that is not quantized yet", "put the Quant before the Reshape/Flatten");
  }

  /** perm for flattening an NCHW tensor to [1, C·H·W]: ONNX order c·H·W + h·W + w → HWC stream (h·W + w)·C + c. */
  flattenPerm(inDims: readonly number[], target: readonly number[]): Int32Array | undefined {
    if (inDims.length !== 4 || target.length !== 2) return undefined;
    const [, c, h, w] = inDims;
    if (c === 1) return undefined;
    const perm = new Int32Array(c * h * w);
    for (let ci = 0; ci < c; ci++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) perm[ci * h * w + y * w + x] = (y * w + x) * c + ci;
    return perm;
  }

  arith(node: OnnxNode): void {
    const a = this.get(node, 0);
    const b = this.get(node, 1);
    const op = node.opType;
    const fn: Record<string, (x: number, y: number) => number> = {
      Add: (x, y) => x + y,
      Sub: (x, y) => x - y,
      Mul: (x, y) => x * y,
      Div: (x, y) => x / y,
      Pow: (x, y) => x ** y,
    };
    if (a.kind === "const" && b.kind === "const") return this.set(node, { kind: "const", t: broadcast(a.t, b.t, fn[op], () => nodeWhere(node)) });
    if (op === "Pow") this.fail(node, "raises an activation to a power", "only Pow of constants is supported");
    const [v, c, constFirst] = a.kind === "const" ? [b, a as ConstValue, true] : [a, b, false];
    if (c.kind !== "const" && op === "Add") return residualAdd(this, node, a, b);
    if (c.kind !== "const") this.fail(node, "combines two activations", "of two activations only Add (a residual add of two quantized tensors) is supported");
    if (constFirst && (op === "Sub" || op === "Div"))
      this.fail(node, `computes constant ${op === "Sub" ? "−" : "/"} activation`, "only activation − constant and activation / constant fold");
    if (v.kind === "float") {
      if (size(c.t.dims) !== 1)
        this.fail(node, "applies a non-scalar constant to the float input", "only scalar Mul/Add/Sub/Div fold into the input quantizer");
      const k = c.t.data[0];
      const next =
        op === "Add" ? { a: v.a, b: v.b + k } : op === "Sub" ? { a: v.a, b: v.b - k } : op === "Mul" ? { a: v.a * k, b: v.b * k } : { a: v.a / k, b: v.b / k };
      return this.set(node, { ...v, ...next });
    }
    if (v.kind === "pool" && (op === "Mul" || op === "Div") && size(c.t.dims) === 1 && c.t.data[0] > 0) {
      // a positive gain on an average pool (Brevitas' avgpool: AveragePool · k² → Trunc) folds into its requant
      return this.set(node, { ...v, gain: op === "Mul" ? v.gain * c.t.data[0] : v.gain / c.t.data[0] });
    }
    if (v.kind === "int" && size(c.t.dims) === 1 && (op === "Add" || op === "Sub" || c.t.data[0] > 0)) {
      // a scalar on a quantized tensor (a MultiThreshold's output scaling left as nodes) changes only what
      // its integers stand for: real = scale·(q − zp) → (k·scale)·(q − zp), or scale·(q − (zp − k/scale))
      const k = c.t.data[0];
      if (op === "Mul" || op === "Div") return this.set(node, { ...v, scale: op === "Mul" ? v.scale * k : v.scale / k });
      return this.set(node, { ...v, zeroPoint: v.zeroPoint - (op === "Add" ? k : -k) / v.scale });
    }
    if (v.kind !== "acc") this.fail(node, `applies ${op} to a quantized tensor`, "Add/Sub/Mul/Div fold only between a MatMul/Conv and the next Quant");
    const per = perChannel(c.t, v.dims.length, 1, v.outChannels, node, this.file);
    const affine =
      op === "Add"
        ? { a: per.map(() => 1), b: per }
        : op === "Sub"
          ? { a: per.map(() => 1), b: per.map((x) => -x) }
          : op === "Mul"
            ? { a: per, b: per.map(() => 0) }
            : { a: per.map((x) => 1 / x), b: per.map(() => 0) };
    this.set(node, withAffine(v, affine.a, affine.b));
  }

  post(node: OnnxNode, op: PostOp): void {
    const v = this.get(node, 0);
    if (v.kind === "acc") return this.set(node, { ...v, post: [...v.post, op] });
    if (v.kind === "sum" && op.kind === "relu") return this.set(node, { ...v, relu: true });
    if (v.kind === "int" && op.kind === "relu" && v.qmin >= v.zeroPoint) return this.set(node, v); // already ≥ 0
    this.fail(node, `applies ${node.opType} to a value that is not an accumulator`, `${node.opType} folds only between a MatMul/Conv and the next Quant`);
  }

  clip(node: OnnxNode): void {
    const bound = (i: number, attr: string, dflt: number) => {
      if (node.inputs[i]) return this.constOf(node, i, attr).t.data[0];
      return (node.attrs.get(attr) as number | undefined) ?? dflt;
    };
    this.post(node, { kind: "clip", lo: bound(1, "min", -Infinity), hi: bound(2, "max", Infinity) });
  }

  batchNorm(node: OnnxNode): void {
    const v = this.get(node, 0);
    if (v.kind !== "acc")
      this.fail(node, "normalizes a value that is not an accumulator", "BatchNormalization folds only between a MatMul/Conv and the next Quant");
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(this.constOf(node, i, "parameter").t, 1, 0, v.outChannels, node, this.file));
    const eps = (node.attrs.get("epsilon") as number | undefined) ?? 1e-5;
    // y = γ (x − μ) / sqrt(σ² + ε) + β, in float32 steps as onnxruntime evaluates it
    const f = Math.fround;
    const a = scale.map((g, c) => f(g / f(Math.sqrt(f(variance[c] + f(eps))))));
    const b = bias.map((beta, c) => beta - a[c] * mean[c]);
    this.set(node, withAffine(v, a, b));
  }

  /** BipolarQuant (bipolarquant_v1.md): ±scale by the sign of x/scale (0 → +1). */
  bipolar(node: OnnxNode): void {
    const x = this.get(node, 0);
    const scaleC = this.constOf(node, 1, "scale");
    if (x.kind === "const") {
      const s = broadcast(
        x.t,
        scaleC.t,
        (_v, s) => s,
        () => nodeWhere(node),
      );
      const q = x.t.data.map((v, i) => (v / s.data[i] >= 0 ? 1 : -1));
      return this.set(node, {
        kind: "const",
        t: { dims: s.dims, data: q.map((qi, i) => qi * s.data[i]) },
        quant: { q, scale: s.data, zeroPoint: new Float64Array(q.length), bits: 1 },
      });
    }
    if (size(scaleC.t.dims) !== 1) this.fail(node, "binarizes an activation with a per-channel scale", "a per-tensor BipolarQuant scale on activations");
    const scale = scaleC.t.data[0];
    if (!(scale > 0)) this.fail(node, `its scale ${scale} is not positive`, "use a positive scale");
    if (x.kind === "acc") return this.set(node, emitThreshold(this, x, node, scale));
    this.fail(
      node,
      x.kind === "float" ? "binarizes the model input" : "binarizes a value that is not an accumulator",
      "BipolarQuant is lowered after a MatMul/Gemm/Conv (an 8-bit first layer, FINN-style); a bipolar model input is not supported",
    );
  }

  quant(node: OnnxNode): void {
    const x = this.get(node, 0);
    const scaleC = this.constOf(node, 1, "scale");
    const zpC = this.constOf(node, 2, "zero point");
    const bitsC = this.constOf(node, 3, "bit width");
    if (size(bitsC.t.dims) !== 1 || !Number.isInteger(bitsC.t.data[0]) || bitsC.t.data[0] < 2)
      this.fail(node, "its bit width is not one integer ≥ 2", "use BipolarQuant for 1-bit");
    const bits = bitsC.t.data[0];
    const signed = (node.attrs.get("signed") ?? 1) === 1;
    const narrow = (node.attrs.get("narrow") ?? 0) === 1;
    const rounding = parseRounding(node.attrs.get("rounding_mode") as string | undefined, this.file, node.name);
    this.set(node, this.quantValue(node, x, scaleC.t, zpC.t, { bits, signed, narrow, rounding }));
  }

  /**
   * MultiThreshold (QONNX multithreshold.py): y = out_scale · #{j : x ≥ T[c, j]} + out_bias, thresholds
   * [C, B] per channel or [1, B] for the tensor, channel axis 1 (NCHW; NHWC only for 2-D tensors,
   * where the two agree). After a MatMul/Gemm/Conv (and its folded chain) it is the staircase of the
   * accumulator: 2 levels whose outputs are ±s become a threshold layer (±1 bits on scale s, the xnor
   * path's); more levels an engine whose requant reproduces every step exactly, or it is refused.
   */
  multiThreshold(node: OnnxNode): void {
    const x = this.get(node, 0);
    const t = this.constOf(node, 1, "thresholds").t;
    const outDtype = node.attrs.get("out_dtype");
    if (typeof outDtype !== "string" || outDtype === "")
      this.fail(node, 'has no attribute "out_dtype"', "MultiThreshold needs out_dtype (e.g. UINT2, BIPOLAR)");
    const outScale = (node.attrs.get("out_scale") as number | undefined) ?? 1;
    const outBias = (node.attrs.get("out_bias") as number | undefined) ?? 0;
    const layout = (node.attrs.get("data_layout") as string | undefined) ?? "NCHW";
    if (layout !== "NCHW" && layout !== "NHWC") this.fail(node, `has data_layout "${layout}"`, "NCHW or NHWC");
    if (t.dims.length !== 2) this.fail(node, `its thresholds have shape [${t.dims}]`, "thresholds of shape [C, B] (per channel) or [1, B] (per tensor)");
    if (!(outScale > 0)) this.fail(node, `has out_scale ${outScale}`, "a positive out_scale");
    if (x.kind !== "acc")
      this.fail(
        node,
        x.kind === "float" ? "thresholds the model input" : "thresholds a value that is not an accumulator",
        "MultiThreshold is lowered after a MatMul/Gemm/Conv (with its Add/Mul/BatchNormalization chain); quantize the model input with a Quant",
      );
    if (layout === "NHWC" && x.dims.length !== 2) this.fail(node, "has data_layout NHWC on a [1, C, H, W] tensor", "NCHW (the layout of the Conv before it)");
    const [rows, count] = t.dims;
    if (rows !== 1 && rows !== x.outChannels)
      this.fail(node, `has thresholds for ${rows} channels; its input has ${x.outChannels}`, `thresholds of shape [${x.outChannels}, B] or [1, B]`);
    if (count < 1 || count > 65535) this.fail(node, `has ${count} thresholds per channel`, "1 to 65535 thresholds (at most 16-bit levels)");
    // the count is the same for any order of the thresholds: sorted, it is a binary search
    const sorted = Array.from({ length: x.outChannels }, (_, c) =>
      Array.from(t.data.subarray((rows === 1 ? 0 : c) * count, ((rows === 1 ? 0 : c) + 1) * count)).sort((a, b) => a - b),
    );
    const levelOf = (c: number, real: number) => {
      const row = sorted[c];
      let lo = 0;
      let hi = row.length; // row[0..lo) ≤ real < row[hi..)
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (row[mid] <= real) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    if (count === 1 && Math.abs(2 * outBias + outScale) <= 1e-12 * outScale) {
      // outputs {−s/2, +s/2}: a bipolar tensor on scale s/2 (FINN's BIPOLAR: out_scale 2, out_bias −1)
      return this.set(node, emitThreshold(this, x, node, outScale / 2, levelOf));
    }
    // real = out_scale·(count − zeroPoint) with zeroPoint = −out_bias/out_scale
    const q = {
      scale: outScale,
      zeroPoint: -outBias / outScale,
      bits: 16,
      signed: false,
      narrow: false,
      rounding: "FLOOR" as const,
      qmin: 0,
      qmax: count,
      levelOf,
    };
    this.set(node, emitEngine(this, x, node, q, this.onlyEnginesRead(node.outputs[0])));
  }

  /** Trunc (trunc_v2.md) of a pool, sum or quantized tensor: a requant layer where exact (pool-add.ts). */
  trunc(node: OnnxNode): void {
    if (node.inputs.length !== 6)
      this.fail(node, `has ${node.inputs.length} inputs`, "Trunc as in trunc_v2.md: X, scale, zeropt, in_bitwidth, out_scale, out_bitwidth");
    const x = this.get(node, 0);
    const [scale, zeroPoint, , outScale, bits] = [1, 2, 3, 4, 5].map((i) => {
      const c = this.constOf(node, i, ["scale", "zero point", "input bit width", "output scale", "output bit width"][i - 1]);
      if (size(c.t.dims) !== 1) this.fail(node, `its input ${i} is not a scalar`, "per-tensor Trunc parameters only");
      return c.t.data[0];
    });
    const rounding = parseRounding((node.attrs.get("rounding_mode") as string | undefined) ?? "FLOOR", this.file, node.name);
    if (!["ROUND", "CEIL", "FLOOR"].includes(rounding)) this.fail(node, `has rounding_mode ${rounding}`, "Trunc rounds with ROUND, CEIL or FLOOR");
    if (!(scale > 0 && outScale > 0)) this.fail(node, "has a scale that is not positive", "positive scales");
    const p = { scale, zeroPoint, outScale, bits, signed: (node.attrs.get("signed") ?? 1) === 1, narrow: (node.attrs.get("narrow") ?? 0) === 1, rounding };
    if (x.kind !== "int" && x.kind !== "pool" && x.kind !== "sum")
      this.fail(node, "truncates a value that is not a quantized tensor, pool or residual add", "Trunc after a Quant, an AveragePool or an Add");
    // real output (y − zeropt/trunc_scale)·out_scale: the IR tensor's scale and zero point
    this.set(node, requantize(this, node, x, { scale: outScale, zeroPoint: zeroPoint / truncScale(p), level: (real) => truncInt(real, p) }));
  }

  /**
   * A Quant of x; with `quantizeLinear`, ONNX QuantizeLinear's order: the zero point is added
   * after rounding (qonnx.ts QuantParams.zeroPointAfterRounding), everywhere it is lowered.
   */
  quantValue(
    node: OnnxNode,
    x: Value,
    scaleT: ConstTensor,
    zpT: ConstTensor,
    spec: { bits: number; signed: boolean; narrow: boolean; rounding: QonnxRounding; quantizeLinear?: boolean },
  ): Value {
    const { bits, signed, narrow, rounding } = spec;
    // k = 0 is QONNX's order as well: leave the field out there
    const after = (zeroPoint: number) => (spec.quantizeLinear && zeroPoint !== 0 ? { zeroPointAfterRounding: zeroPoint } : {});
    const [qmin, qmax] = quantBounds({ bits, signed, narrow });
    if (x.kind === "const") {
      const s = broadcast(
        x.t,
        scaleT,
        (_v, s) => s,
        () => nodeWhere(node),
      );
      const z = broadcast(
        x.t,
        zpT,
        (_v, z) => z,
        () => nodeWhere(node),
      );
      const q = x.t.data.map((v, i) => quantInt(v, { scale: s.data[i], zeroPoint: z.data[i], bits, signed, narrow, rounding, ...after(z.data[i]) }));
      const t = { dims: s.dims, data: q.map((qi, i) => (qi - z.data[i]) * s.data[i]) };
      return { kind: "const", t, quant: { q, scale: s.data, zeroPoint: z.data, bits } };
    }
    if (size(scaleT.dims) !== 1 || size(zpT.dims) !== 1)
      this.fail(node, "quantizes an activation with a per-channel scale or zero point", "per-tensor activation quantizers only (per-channel weights are fine)");
    const scale = scaleT.data[0];
    const zeroPoint = zpT.data[0];
    if (!(scale > 0)) this.fail(node, `its scale ${scale} is not positive`, "use a positive scale");
    if (x.kind === "float") {
      // the dataset side applies the folded quantizer to x; the tensor's real value is the Quant's output (q − zp)·scale
      // with QuantizeLinear: round(a·x/s + b/s) + zp, so k = zp stays out of the rounding and b/s inside it
      const folded = { scale: scale / x.a, zeroPoint: zeroPoint + x.b / scale, bits, signed, narrow, rounding, ...after(zeroPoint) };
      const q = this.quantizeInput(node, x.inputDims, x.dims, folded, x.a);
      return { ...q, scale, zeroPoint };
    }
    if (x.kind === "acc")
      return emitEngine(
        this,
        x,
        node,
        { scale, zeroPoint, bits, signed, narrow, rounding, qmin, qmax, ...after(zeroPoint) },
        this.onlyEnginesRead(node.outputs[0]),
      );
    if (x.kind === "int" && x.scale === scale && x.zeroPoint === zeroPoint && qmin <= x.qmin && qmax >= x.qmax) return x; // a requantization that changes nothing
    if (x.kind === "int" || x.kind === "pool" || x.kind === "sum") {
      const params = { scale, zeroPoint, bits, signed, narrow, rounding, ...after(zeroPoint) };
      return requantize(this, node, x, { scale, zeroPoint, level: (real) => quantInt(real, params) });
    }
    return this.fail(
      node,
      "quantizes a value that is neither an accumulator nor a quantized tensor",
      "put the Quant after a MatMul/Conv, pool or residual Add",
    );
  }

  /**
   * QDQ (ONNX QuantizeLinear → DequantizeLinear): q = saturate(round_half_even(x / s) + zp) on
   * int8/uint8, then (q − zp)·s — the Quant of qonnx.ts with ROUND, 8 bits, signed by
   * the zero point's type, and the zero point added after rounding (round(x/s) + zp differs
   * from QONNX's round(x/s + zp) at ties when zp is odd).
   * A DequantizeLinear of an integer initializer is a quantized constant (weights).
   */
  dequantizeLinear(node: OnnxNode): void {
    const producer = this.qdqProducers.get(node.inputs[0]);
    const scaleT = this.constOf(node, 1, "scale").t;
    const zpV = node.inputs[2] ? this.constOf(node, 2, "zero point").t : { dims: [], data: Float64Array.of(0) };
    const axis = (node.attrs.get("axis") as number | undefined) ?? 1;
    if (producer) {
      const x = this.get(producer, 0);
      const qScale = this.constOf(producer, 1, "scale").t;
      const qZpT = producer.inputs[2] ? this.constOf(producer, 2, "zero point") : undefined;
      const signed = qZpT?.t ? (this.graph.initializers.get(producer.inputs[2])?.dataType ?? 2) === 3 : false;
      if (qScale.data.some((v, i) => v !== scaleT.data[i]) || (qZpT?.t.data[0] ?? 0) !== zpV.data[0])
        this.fail(node, "dequantizes with other parameters than its QuantizeLinear", "QDQ pairs with the same scale and zero point");
      return this.set(node, this.quantValue(node, x, qScale, qZpT?.t ?? zpV, { bits: 8, signed, narrow: false, rounding: "ROUND", quantizeLinear: true }));
    }
    const x = this.get(node, 0);
    if (x.kind === "int" && size(scaleT.dims) === 1 && size(zpV.dims) === 1) {
      // the output of a QLinear op (QOperator format): the integers stay, the value says what they stand for
      return this.set(node, { ...x, scale: scaleT.data[0], zeroPoint: zpV.data[0] });
    }
    if (x.kind !== "const")
      this.fail(node, "dequantizes a tensor that no QuantizeLinear or QLinear op produced", "QDQ pairs, or DequantizeLinear of an integer initializer");
    const rank = x.t.dims.length;
    const ax = axis < 0 ? axis + rank : axis;
    const shaped = (t: ConstTensor) => (size(t.dims) === 1 ? t : { dims: x.t.dims.map((d, i) => (i === ax ? d : 1)), data: t.data });
    const s = broadcast(
      x.t,
      shaped(scaleT),
      (_v, v) => v,
      () => nodeWhere(node),
    );
    const z = broadcast(
      x.t,
      shaped(zpV),
      (_v, v) => v,
      () => nodeWhere(node),
    );
    const bits = 8;
    this.set(node, {
      kind: "const",
      t: { dims: s.dims, data: x.t.data.map((q, i) => (q - z.data[i]) * s.data[i]) },
      quant: { q: x.t.data.map((q, i) => q - z.data[i]), scale: s.data, zeroPoint: new Float64Array(s.data.length), bits },
    });
  }

  /** The IR input keeps the graph input's shape (HWC of its NCHW); a reshape before the Quant becomes the flatten order of the tensor. */
  quantizeInput(node: OnnxNode | undefined, inputDims: readonly number[], dims: readonly number[], q: InputQuantizer, slope: number): IntValue {
    if (this.inputQuantizer)
      throw new QuantrtlError(this.file, node ? nodeWhere(node) : "graph", "quantizes the model input a second time", "one Quant on the input is supported");
    if (!(slope > 0))
      throw new QuantrtlError(
        this.file,
        node ? nodeWhere(node) : "graph",
        "the input is scaled by a negative factor before its Quant",
        "only positive input scalings fold into the input quantizer",
      );
    const [qmin, qmax] = quantBounds(q);
    const fits16 = qmin >= -32768 && qmax <= 32767;
    // read by engines only: the narrowest signed width that holds the integers (2 bits at least: 1 bit is the bipolar type)
    const narrow = fits16 && node !== undefined && /Quant$/.test(node.opType) && this.onlyEnginesRead(node.outputs[0]);
    const bits = narrow ? Math.max(2, signedBitsFor({ lo: BigInt(qmin), hi: BigInt(qmax) })) : qmin >= -128 && qmax <= 127 ? 8 : fits16 ? 16 : 0;
    if (!bits)
      throw new QuantrtlError(
        this.file,
        node ? nodeWhere(node) : "graph",
        `the input quantizer's range [${qmin}, ${qmax}] does not fit 16 signed bits`,
        "quantize the input to at most 16 bits (15 unsigned)",
      );
    this.inputQuantizer = q;
    const [h, w, c] = inputDims.length === 4 ? [inputDims[2], inputDims[3], inputDims[1]] : inputDims.length === 2 ? [1, 1, inputDims[1]] : [0, 0, 0];
    if (!h) throw new QuantrtlError(this.file, "graph.input", `has shape [${dims}]`, "inputs of shape [1, C, H, W] or [1, N] are supported");
    this.inputSpec = { height: h, width: w, channels: c, bits };
    if (size(dims) !== size(inputDims) || (dims.length !== inputDims.length && !(dims.length === 2 && dims[0] === 1))) {
      throw new QuantrtlError(
        this.file,
        node ? nodeWhere(node) : "graph",
        `the input [${inputDims}] is reshaped to [${dims}] before its Quant`,
        "only a flatten to [1, N] is supported before the input Quant",
      );
    }
    const perm = dims.length === inputDims.length ? undefined : this.flattenPerm(inputDims, dims);
    return { kind: "int", layer: "input", dims, spec: this.inputSpec, scale: q.scale, zeroPoint: q.zeroPoint, qmin, qmax, offset: 0, perm };
  }

  /**
   * Whether a tensor reaches only MatMul/Gemm/Conv (through shape ops and MaxPool) or the graph
   * output: its engine then stores it in as few bits as its levels need. A tensor read by
   * anything else (pools, residual adds, requants) keeps 8 or 16 bits, which those layers take.
   */
  onlyEnginesRead(tensor: string, depth = 0): boolean {
    if (depth > 16) return false;
    // a Relu of a quantized tensor passes it on unchanged (or is refused): see post()
    const passThrough = ["Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "MaxPool", "Transpose", "Relu"];
    const readers = this.graph.nodes.filter((n) => n.inputs.includes(tensor));
    if (readers.length === 0) return this.graph.outputs.some((o) => o.name === tensor);
    // a scalar Mul/Div/Add/Sub only relabels the integers (arith())
    const scalar = (name: string | undefined) => name !== undefined && size(this.graph.initializers.get(name)?.dims ?? [0]) === 1;
    const relabels = (n: OnnxNode) =>
      ["Mul", "Div", "Add", "Sub"].includes(n.opType) && n.inputs.length === 2 && (n.inputs[0] === tensor ? scalar(n.inputs[1]) : scalar(n.inputs[0]));
    return readers.every((n) =>
      (n.domain === "" || n.domain === "ai.onnx") && ["MatMul", "Gemm", "Conv"].includes(n.opType)
        ? n.inputs[0] === tensor
        : (n.domain === "" || n.domain === "ai.onnx") &&
          ((passThrough.includes(n.opType) && n.inputs[0] === tensor) || relabels(n)) &&
          this.onlyEnginesRead(n.outputs[0], depth + 1),
    );
  }

  /** The activation an engine layer reads: the quantized tensor, or the float input through the synthetic quantizer. */
  activation(node: OnnxNode, got: Value): IntValue {
    const v = settle(this, node, got);
    if (v.kind === "int") return v;
    if (this.ptq && v.kind === "acc") return this.calibrated(v, nodeWhere(node));
    if (this.ptq && v.kind === "float") {
      // the calibrated range of the tensor the engine reads (after any scalar Mul/Add of the input)
      const s = calibratedInputQuantizer(this.ptq.maxAbs(node.inputs[0]) ?? 0, this.ptq.bits);
      const q = this.quantizeInput(node, v.inputDims, v.dims, { ...s, scale: s.scale / v.a, zeroPoint: v.b / s.scale }, v.a);
      this.notes.calibratedInputQuantizer = true;
      return { ...q, scale: s.scale, zeroPoint: 0 };
    }
    if (v.kind === "float") {
      this.warnings.push(
        `the model input is float (no Quant in front of ${node.name}): quantrtl quantizes it to ${FLOAT_INPUT_QUANTIZER.bits}-bit signed integers on scale 2^-8 (range ±128); the integer model is exact for those integers, not for arbitrary float inputs`,
      );
      if (v.a !== 1 || v.b !== 0) this.fail(node, "reads the float input after a Mul/Add without a Quant", "put a Quant on the input");
      const q = this.quantizeInput(undefined, v.inputDims, v.dims, FLOAT_INPUT_QUANTIZER, 1);
      this.notes.syntheticInputQuantizer = true;
      return q;
    }
    return this.fail(node, "reads a value that is not a quantized activation", "quantize the activation (Quant) before a MatMul/Gemm/Conv");
  }

  /** `channelAxis`: the weight's output-channel axis, for per-channel post-training quantization. */
  weightsOf(node: OnnxNode, i: number, channelAxis: number): ConstValue & { quant: NonNullable<ConstValue["quant"]> } {
    const raw = this.constOf(node, i, "weight");
    const annotated = raw.quant ? undefined : this.annotatedInts(node, i, raw);
    const w = annotated ?? (!raw.quant && this.ptq ? quantizeWeights(raw.t, channelAxis, this.ptq) : raw);
    if (!w.quant) {
      return this.fail(
        node,
        "its weights are float (no Quant on them)",
        "quantize the weights in the model (QONNX Quant), or quantize it after training: quantrtl import <model.onnx> --calibrate <dataset> --out model.json",
      );
    }
    if (w.quant.zeroPoint.some((z) => z !== 0)) this.fail(node, "its weights have a non-zero zero point", "use symmetric weight quantization");
    return w as ConstValue & { quant: NonNullable<ConstValue["quant"]> };
  }

  /**
   * A FINN-streamlined weight: a float initializer of integers whose finn_datatype annotation
   * (INTk, UINTk, BIPOLAR, BINARY, TERNARY) says so — the integers on scale 1, checked in range.
   */
  annotatedInts(node: OnnxNode, i: number, raw: ConstValue): ConstValue | undefined {
    const type = this.graph.datatypes.get(node.inputs[i]);
    if (!type) return undefined;
    const m = /^(U?)INT(\d+)$/.exec(type);
    const range: [number, number] | undefined = m
      ? m[1] === "U"
        ? [0, 2 ** Number(m[2]) - 1]
        : [-(2 ** (Number(m[2]) - 1)), 2 ** (Number(m[2]) - 1) - 1]
      : type === "BIPOLAR"
        ? [-1, 1]
        : type === "BINARY"
          ? [0, 1]
          : type === "TERNARY"
            ? [-1, 1]
            : undefined;
    if (!range || range[1] - range[0] > 65535) return undefined;
    const bad = raw.t.data.findIndex((v) => !Number.isInteger(v) || v < range[0] || v > range[1] || (type === "BIPOLAR" && v === 0));
    if (bad >= 0) this.fail(node, `its weight ${node.inputs[i]} is annotated ${type} but holds ${raw.t.data[bad]}`, `integer weights within ${type}`);
    const n = raw.t.data.length;
    const bits = type === "BIPOLAR" ? 1 : Math.max(2, signedBitsFor({ lo: BigInt(range[0]), hi: BigInt(range[1]) }));
    return { ...raw, quant: { q: raw.t.data, scale: new Float64Array(n).fill(1), zeroPoint: new Float64Array(n), bits } };
  }

  matmul(node: OnnxNode): void {
    const x = this.activation(node, this.get(node, 0));
    const transB = node.opType === "Gemm" && (node.attrs.get("transB") ?? 0) === 1;
    const w = this.weightsOf(node, 1, transB ? 0 : 1);
    if (w.t.dims.length !== 2) this.fail(node, `its weight has shape [${w.t.dims}]`, "a 2-D weight matrix");
    let kn = { q: w.quant.q, s: w.quant.scale, dims: w.t.dims };
    if (node.opType === "Gemm") {
      if ((node.attrs.get("transA") ?? 0) !== 0) this.fail(node, "has transA = 1", "transA = 0");
      if ((node.attrs.get("transB") ?? 0) === 1) {
        kn = {
          q: transpose({ dims: w.t.dims, data: w.quant.q }, [1, 0]).data,
          s: transpose({ dims: w.t.dims, data: w.quant.scale }, [1, 0]).data,
          dims: [w.t.dims[1], w.t.dims[0]],
        };
      }
    }
    let acc = this.denseAccumulator(node, x, kn, w.quant.bits);
    const N = kn.dims[1];
    if (node.opType === "Gemm") {
      const ga = (node.attrs.get("alpha") as number | undefined) ?? 1;
      const gb = (node.attrs.get("beta") as number | undefined) ?? 1;
      acc = withAffine(acc, new Float64Array(N).fill(ga), new Float64Array(N));
      if (node.inputs[2])
        acc = withAffine(
          acc,
          new Float64Array(N).fill(1),
          perChannel(this.constOf(node, 2, "bias").t, 2, 1, N, node, this.file).map((b) => b * gb),
        );
    }
    this.set(node, acc);
  }

  /** The accumulator of x [1, K] times integer weights q [K, N] on scales s [K, N] (per column). */
  denseAccumulator(node: OnnxNode, x: IntValue, kn: { q: Float64Array; s: Float64Array; dims: readonly number[] }, bits: number): AccValue {
    const [K, N] = kn.dims;
    const inSize = size(x.dims);
    if (x.dims.length !== 2 || K !== inSize)
      this.fail(node, `multiplies an activation of shape [${x.dims}] by a [${K}, ${N}] matrix`, "the activation must be [1, K] (flatten it first)");
    const weights = new Float64Array(N * K);
    const alpha = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      const s = kn.s[n];
      for (let k = 0; k < K; k++) {
        if (kn.s[k * N + n] !== s) this.fail(node, "its weight scale varies along the reduction axis", "per-output-channel or per-tensor weight scales only");
        weights[n * K + (x.perm ? x.perm[k] : k)] = kn.q[k * N + n];
      }
      alpha[n] = x.scale * s;
    }
    return accumulator(this.layerName(node.name), "dense", x, weights, bits, N, K, [1, N], alpha);
  }

  conv(node: OnnxNode): void {
    const x = this.activation(node, this.get(node, 0));
    const w = this.weightsOf(node, 1, 0);
    let acc = this.convAccumulator(node, x, { dims: w.t.dims, ...w.quant });
    const O = acc.outChannels;
    if (node.inputs[2]) acc = withAffine(acc, new Float64Array(O).fill(1), perChannel(this.constOf(node, 2, "bias").t, 1, 0, O, node, this.file));
    this.set(node, acc);
  }

  /** The accumulator of a Conv (or QLinearConv) node's attributes on x with integer weights q [O, I, kh, kw] on scales `scale`. */
  convAccumulator(node: OnnxNode, x: IntValue, w: { dims: readonly number[]; q: Float64Array; scale: Float64Array; bits: number }): AccValue {
    const autoPad = (node.attrs.get("auto_pad") as string | undefined) ?? "NOTSET";
    if (!["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].includes(autoPad))
      this.fail(node, `has auto_pad = ${autoPad}`, "export with explicit pads (auto_pad NOTSET)");
    if (((node.attrs.get("group") as number | undefined) ?? 1) !== 1)
      this.fail(node, `has group = ${node.attrs.get("group")}`, "grouped and depthwise convolutions are not supported (group = 1)");
    const dil = (node.attrs.get("dilations") as number[] | undefined) ?? [1, 1];
    if (dil.some((d) => d !== 1)) this.fail(node, `has dilations [${dil}]`, "dilated convolutions are not supported");
    if (w.dims.length !== 4 || x.dims.length !== 4) this.fail(node, "is not a 2-D convolution", "Conv with a [O, I, kh, kw] weight on a [1, C, H, W] input");
    const [O, I, kh, kw] = w.dims;
    const [, C, H, W] = x.dims;
    if (I !== C) this.fail(node, `its weight expects ${I} input channels; the input has ${C}`, "check the model");
    const strides = (node.attrs.get("strides") as number[] | undefined) ?? [1, 1];
    const pads =
      autoPad === "VALID"
        ? [0, 0, 0, 0]
        : autoPad.startsWith("SAME")
          ? samePads([H, W], [kh, kw], strides, autoPad === "SAME_LOWER")
          : ((node.attrs.get("pads") as number[] | undefined) ?? [0, 0, 0, 0]);
    if (pads[0] !== pads[2] || pads[1] !== pads[3])
      this.fail(node, `has asymmetric pads [${pads}]${autoPad.startsWith("SAME") ? ` (auto_pad = ${autoPad})` : ""}`, "symmetric padding only");
    if ((pads[0] > 0 || pads[1] > 0) && x.spec.bits === 1)
      this.fail(node, "pads bipolar (±1) activations", "the xnor datapath pads with +1 where ONNX pads with 0: pad explicitly or use pads 0");
    // ONNX pads with the real 0 (QLinearConv: with x_zero_point): the IR pads with its stored integer zp + offset,
    // a level of the tensor when zp is an integer in [qmin, qmax]
    const padded = pads[0] > 0 || pads[1] > 0;
    if (padded && (!Number.isInteger(x.zeroPoint) || x.zeroPoint < x.qmin || x.zeroPoint > x.qmax))
      this.fail(
        node,
        `pads an input whose real zero is not one of its levels (zero point ${x.zeroPoint}, levels [${x.qmin}, ${x.qmax}])`,
        "quantize the conv's input with a range that includes 0 (an integer zero point), or pad explicitly",
      );
    const padValue = padded ? x.zeroPoint + x.offset : 0;
    const K = kh * kw * I;
    const weights = new Float64Array(O * K);
    const alpha = new Float64Array(O);
    for (let o = 0; o < O; o++) {
      const s = w.scale[o * K];
      for (let i = 0; i < I; i++)
        for (let y = 0; y < kh; y++)
          for (let xx = 0; xx < kw; xx++) {
            const src = ((o * I + i) * kh + y) * kw + xx;
            if (w.scale[src] !== s) this.fail(node, "its weight scale varies within an output channel", "per-output-channel or per-tensor weight scales only");
            weights[o * K + (y * kw + xx) * I + i] = w.q[src];
          }
      alpha[o] = x.scale * s;
    }
    const outH = Math.floor((H + 2 * pads[0] - kh) / strides[0]) + 1;
    const outW = Math.floor((W + 2 * pads[1] - kw) / strides[1]) + 1;
    const acc = accumulator(this.layerName(node.name), "conv2d", x, weights, w.bits, O, K, [1, O, outH, outW], alpha);
    return { ...acc, conv: { kernel: [kh, kw], stride: [strides[0], strides[1]], padding: [pads[0], pads[1]], ...(padValue ? { padValue } : {}) } };
  }

  maxPool(node: OnnxNode): void {
    const got = settle(this, node, this.get(node, 0));
    const v = got.kind === "acc" && this.ptq ? this.calibrated(got, nodeWhere(node)) : got;
    if (v.kind !== "int" || v.dims.length !== 4)
      this.fail(node, "pools a value that is not a quantized [1, C, H, W] activation", "put the Quant before the MaxPool");
    const autoPad = (node.attrs.get("auto_pad") as string | undefined) ?? "NOTSET";
    const pads = (node.attrs.get("pads") as number[] | undefined) ?? [0, 0, 0, 0];
    if ((autoPad !== "NOTSET" && autoPad !== "VALID") || pads.some((p) => p !== 0)) this.fail(node, "pads its input", "MaxPool without padding only");
    if (((node.attrs.get("ceil_mode") as number | undefined) ?? 0) !== 0) this.fail(node, "has ceil_mode = 1", "ceil_mode 0 only");
    const dil = (node.attrs.get("dilations") as number[] | undefined) ?? [1, 1];
    if (dil.some((d) => d !== 1)) this.fail(node, `has dilations [${dil}]`, "dilated pooling is not supported");
    const kernel = node.attrs.get("kernel_shape") as number[];
    const stride = (node.attrs.get("strides") as number[] | undefined) ?? [1, 1];
    const [, C, H, W] = v.dims;
    const oh = Math.floor((H - kernel[0]) / stride[0]) + 1;
    const ow = Math.floor((W - kernel[1]) / stride[1]) + 1;
    const name = this.layerName(node.name);
    this.layers.push({ type: "maxpool", name, inputs: [v.layer], kernelSize: [kernel[0], kernel[1]], stride: [stride[0], stride[1]] });
    this.ptq?.layers.push({ layer: name, tensor: node.outputs[0], scale: v.scale });
    this.set(node, { ...v, layer: name, dims: [1, C, oh, ow], spec: { ...v.spec, height: oh, width: ow } });
  }

  outputOp(node: OnnxNode): void {
    const v = settle(this, node, this.get(node, 0));
    if (v.kind !== "acc" && v.kind !== "int" && v.kind !== "output")
      this.fail(node, "is applied to an unquantized value", `${node.opType} is supported at the output only`);
    const axis = (node.attrs.get("axis") as number | undefined) ?? (node.opType === "ArgMax" ? 0 : -1);
    const dims = v.kind === "output" ? [1, 0] : v.dims;
    if (dims.length !== 2 || (axis !== 1 && axis !== -1))
      this.fail(node, `works on axis ${axis} of a [${dims}] tensor`, "only over the class axis of [1, N] logits");
    const prev = v.kind === "output" ? v : { kind: "output" as const, from: v, argmax: false, dropped: [] };
    if (prev.argmax) this.fail(node, "follows an ArgMax", "ArgMax must be the last op");
    this.set(node, node.opType === "ArgMax" ? { ...prev, argmax: true } : { ...prev, dropped: [...prev.dropped, node.opType] });
  }
}

function accumulator(
  name: string,
  layerKind: "dense" | "conv2d",
  input: IntValue,
  weights: Float64Array,
  weightBits: number,
  outChannels: number,
  reduction: number,
  dims: number[],
  alpha: Float64Array,
): AccValue {
  // the input zero point: Σ w (q − zp) = acc − zp·Σw
  const beta = alpha.map((a, c) => {
    let sum = 0;
    for (let k = 0; k < reduction; k++) sum += weights[c * reduction + k];
    return -a * input.zeroPoint * sum;
  });
  if (input.spec.bits === 1 && weights.some((w) => w !== 1 && w !== -1)) {
    throw new QuantrtlError(
      undefined,
      `layer ${name}`,
      "reads bipolar (±1) activations with weights that are not ±1",
      "binary activations need BipolarQuant weights (the xnor datapath)",
    );
  }
  return { kind: "acc", name, layerKind, input, weights, weightBits, outChannels, reduction, dims, alpha, beta, post: [] };
}

/**
 * auto_pad SAME_UPPER / SAME_LOWER (ONNX Conv): output ceil(in / stride), total padding
 * (out − 1)·stride + k − in split in two, the odd one at the end (UPPER) or start (LOWER);
 * returned as ONNX pads [top, left, bottom, right] (asymmetric ones are refused by the caller).
 */
function samePads(input: readonly number[], kernel: readonly number[], strides: readonly number[], lower: boolean): number[] {
  const total = input.map((n, i) => Math.max(0, (Math.ceil(n / strides[i]) - 1) * strides[i] + kernel[i] - n));
  const lo = total.map((t) => (lower ? Math.ceil(t / 2) : Math.floor(t / 2)));
  return [lo[0], lo[1], total[0] - lo[0], total[1] - lo[1]];
}

function staticDims(shape: readonly (number | string)[] | undefined, where: string, file?: string): number[] {
  if (!shape) throw new QuantrtlError(file, where, "has no shape", "export the model with a static input shape");
  const bad = shape.findIndex((d) => typeof d !== "number");
  if (bad >= 0)
    throw new QuantrtlError(file, where, `has a dynamic dimension ${bad} ("${shape[bad]}")`, "export the model with a static input shape (batch size 1)");
  return shape as number[];
}

export type { QonnxRounding };
