/** Builds small ONNX models in tests with the protobuf library (onnx-proto), and runs them in onnxruntime. */
import onnxProto from "onnx-proto";
import ort from "onnxruntime-node";

const { onnx } = onnxProto;
const T = onnx.AttributeProto.AttributeType;

export type Attr = number | string | number[] | { float: number } | { floats: number[] } | { tensor: { dims: number[]; data: number[] } };
export const QONNX = "qonnx.custom_op.general";

export class GraphBuilder {
  readonly nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  readonly inits: ReturnType<typeof onnx.TensorProto.create>[] = [];
  readonly inputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  readonly outputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  /** FINN datatype annotations (graph.quantization_annotation, "finn_datatype"). */
  readonly annotations: ReturnType<typeof onnx.TensorAnnotation.create>[] = [];
  private count = 0;

  init(name: string, dims: number[], data: ArrayLike<number>, dataType = onnx.TensorProto.DataType.FLOAT, raw = false): string {
    const values = Array.from(data);
    if (raw && dataType === onnx.TensorProto.DataType.FLOAT) {
      const bytes = new Uint8Array(Float32Array.from(values).buffer);
      this.inits.push(onnx.TensorProto.create({ name, dims, dataType, rawData: bytes }));
    } else if (dataType === onnx.TensorProto.DataType.INT8 || dataType === onnx.TensorProto.DataType.UINT8 || dataType === onnx.TensorProto.DataType.INT32) {
      this.inits.push(onnx.TensorProto.create({ name, dims, dataType, int32Data: values }));
    } else if (dataType === onnx.TensorProto.DataType.INT64) {
      this.inits.push(onnx.TensorProto.create({ name, dims, dataType, int64Data: values }));
    } else {
      this.inits.push(onnx.TensorProto.create({ name, dims, dataType, floatData: values }));
    }
    return name;
  }

  scalar(value: number, name = `c${this.count++}`): string {
    return this.init(name, [], [value]);
  }

  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, domain = "", name?: string, outputName?: string): string {
    const output = outputName ?? `t${this.count++}`;
    const attribute = Object.entries(attrs).map(([k, v]) => {
      if (typeof v === "number") return onnx.AttributeProto.create({ name: k, type: T.INT, i: v });
      if (typeof v === "string") return onnx.AttributeProto.create({ name: k, type: T.STRING, s: Buffer.from(v) });
      if (Array.isArray(v)) return onnx.AttributeProto.create({ name: k, type: T.INTS, ints: v });
      if ("tensor" in v)
        return onnx.AttributeProto.create({
          name: k,
          type: T.TENSOR,
          t: onnx.TensorProto.create({ dims: v.tensor.dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: v.tensor.data }),
        });
      if ("float" in v) return onnx.AttributeProto.create({ name: k, type: T.FLOAT, f: v.float });
      return onnx.AttributeProto.create({ name: k, type: T.FLOATS, floats: v.floats });
    });
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], attribute, domain, name: name ?? `${opType}_${this.nodes.length}` }));
    return output;
  }

  /** A QONNX Quant node on x. */
  quant(
    x: string,
    scale: number | string,
    zeroPoint: number | string,
    bits: number,
    opts: { signed?: number; narrow?: number; rounding?: string } = {},
  ): string {
    const s = typeof scale === "number" ? this.scalar(scale) : scale;
    const z = typeof zeroPoint === "number" ? this.scalar(zeroPoint) : zeroPoint;
    return this.node(
      "Quant",
      [x, s, z, this.scalar(bits)],
      { signed: opts.signed ?? 1, narrow: opts.narrow ?? 0, rounding_mode: opts.rounding ?? "ROUND" },
      QONNX,
    );
  }

  /** Annotates a tensor with a FINN datatype (INT2, BIPOLAR, …), as FINN's streamlining leaves its weights. */
  annotate(tensor: string, datatype: string): string {
    this.annotations.push(
      onnx.TensorAnnotation.create({
        tensorName: tensor,
        quantParameterTensorNames: [onnx.StringStringEntryProto.create({ key: "finn_datatype", value: datatype })],
      }),
    );
    return tensor;
  }

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: (number | string)[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  bytes(opset = 11): Uint8Array {
    const domains = [onnx.OperatorSetIdProto.create({ domain: "", version: opset })];
    if (this.nodes.some((n) => n.domain === QONNX)) domains.push(onnx.OperatorSetIdProto.create({ domain: QONNX, version: 1 }));
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: domains,
      graph: onnx.GraphProto.create({
        name: "test",
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
        quantizationAnnotation: this.annotations,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } },
    },
  });
}

/** Runs a standard-ONNX model on one float32 input; returns every output by name. */
export async function runOrt(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", input, dims) });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** A session to run many inputs. */
export async function ortSession(bytes: Uint8Array) {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  return async (input: Float32Array, dims: number[]): Promise<Float32Array> => {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", input, dims) });
    return out[session.outputNames[0]].data as Float32Array;
  };
}
