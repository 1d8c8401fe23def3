/**
 * ONNX reader: decodes a ModelProto with onnx-proto (protobufjs generated from
 * ONNX's own onnx.proto — no hand-written protobuf decoding) into a small typed
 * graph: nodes with decoded attributes, initializers as Float64Array, inputs and
 * outputs with their static shapes. Anything malformed is a QuantrtlError.
 */
import onnxProto from "onnx-proto";
import type { onnx as OnnxTypes } from "onnx-proto";
import { QuantrtlError } from "../../util/errors.js";

const { onnx } = onnxProto;

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** onnx.TensorProto.DataType of the stored values. */
  readonly dataType: number;
  /** Every numeric type as float64 (int64 beyond 2^53 is refused). */
  readonly data: Float64Array;
}

export type AttrValue = number | string | readonly number[] | readonly string[] | OnnxTensor;

export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
  /** Position in the graph's node list (0-based), for error messages. */
  readonly index: number;
}

export interface ValueInfo {
  readonly name: string;
  /** Static shape; a symbolic or missing dimension is a string (e.g. "N") or "?". */
  readonly shape: readonly (number | string)[] | undefined;
  readonly elemType: number;
}

export interface OnnxGraph {
  readonly file?: string;
  readonly opset: number;
  readonly opsets: ReadonlyMap<string, number>;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  /** Graph inputs that are not initializers. */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: ReadonlyMap<string, ValueInfo>;
  /** FINN / QONNX datatype annotations (graph.quantization_annotation, key "finn_datatype"): tensor → "INT2", "BIPOLAR", … */
  readonly datatypes: ReadonlyMap<string, string>;
}

export const DataType = onnx.TensorProto.DataType;

type Long = { toNumber(): number } | number;
function num(v: Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

/** Decodes the bytes of a .onnx file. */
export function readOnnx(bytes: Uint8Array, file?: string): OnnxGraph {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new QuantrtlError(
      file,
      "",
      `is not a readable ONNX model (${(err as Error).message})`,
      "the file is truncated or not an .onnx file; export it again",
    );
  }
  const g = model.graph;
  if (!g || (g.node ?? []).length === 0) {
    throw new QuantrtlError(file, "graph", "has no graph or no nodes", "the file is truncated or not an .onnx model; export it again");
  }
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) opsets.set(o.domain ?? "", num(o.version as Long));
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? "", tensorOf(t, file));
  const info = (v: OnnxTypes.IValueInfoProto): ValueInfo => {
    const tt = v.type?.tensorType;
    const dims = tt?.shape?.dim;
    const shape = dims
      ? dims.map((d: OnnxTypes.TensorShapeProto.IDimension) =>
          d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue as Long) > 0 ? num(d.dimValue as Long) : d.dimParam || "?",
        )
      : undefined;
    return { name: v.name ?? "", shape, elemType: tt?.elemType ?? 0 };
  };
  const nodes = (g.node ?? []).map((n, index): OnnxNode => {
    const attrs = new Map<string, AttrValue>();
    for (const a of n.attribute ?? []) attrs.set(a.name ?? "", attrOf(a, file, n.name ?? ""));
    return {
      opType: n.opType ?? "",
      name: n.name || `${n.opType}_${index}`,
      domain: n.domain ?? "",
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attrs,
      index,
    };
  });
  const valueInfo = new Map<string, ValueInfo>();
  for (const v of [...(g.valueInfo ?? []), ...(g.output ?? []), ...(g.input ?? [])]) valueInfo.set(v.name ?? "", info(v));
  const datatypes = new Map<string, string>();
  for (const a of g.quantizationAnnotation ?? [])
    for (const kv of a.quantParameterTensorNames ?? []) if (kv.key === "finn_datatype" && kv.value) datatypes.set(a.tensorName ?? "", kv.value);
  return {
    file,
    opset: opsets.get("") ?? opsets.get("ai.onnx") ?? 1,
    opsets,
    nodes,
    initializers,
    inputs: (g.input ?? []).filter((v) => !initializers.has(v.name ?? "")).map(info),
    outputs: (g.output ?? []).map(info),
    valueInfo,
    datatypes,
  };
}

const BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.DOUBLE]: 8,
  [DataType.INT8]: 1,
  [DataType.UINT8]: 1,
  [DataType.INT16]: 2,
  [DataType.UINT16]: 2,
  [DataType.INT32]: 4,
  [DataType.UINT32]: 4,
  [DataType.INT64]: 8,
  [DataType.UINT64]: 8,
  [DataType.BOOL]: 1,
};

/** An initializer or Constant value: raw_data (little-endian) or the typed fields. */
export function tensorOf(t: OnnxTypes.ITensorProto, file?: string, where?: string): OnnxTensor {
  const name = t.name ?? "";
  const at = where ?? `initializer "${name}"`;
  const dims: number[] = (t.dims ?? []).map((d: number | Long) => num(d));
  const count = dims.reduce((a: number, b: number) => a * b, 1);
  const dataType = t.dataType ?? 0;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0) {
    throw new QuantrtlError(file, at, "stores its data in an external file", "export the model with its weights inside the .onnx (no external data)");
  }
  const width = BYTES[dataType];
  if (width === undefined)
    throw new QuantrtlError(
      file,
      at,
      `has data type ${DataType[dataType] ?? dataType}, which the importer does not read`,
      "use float32, float64 or an integer type",
    );
  let data: Float64Array;
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * width) {
      throw new QuantrtlError(
        file,
        at,
        `has ${raw.length} bytes of data; its shape [${dims.join(", ")}] of ${DataType[dataType]} needs ${count * width}`,
        "the initializer is corrupt; export the model again",
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = readScalar(view, i * width, dataType, file, at);
  } else {
    const typed: ArrayLike<number | Long> =
      dataType === DataType.FLOAT
        ? (t.floatData ?? [])
        : dataType === DataType.DOUBLE
          ? (t.doubleData ?? [])
          : dataType === DataType.INT64
            ? (t.int64Data ?? [])
            : dataType === DataType.UINT64 || dataType === DataType.UINT32
              ? (t.uint64Data ?? [])
              : (t.int32Data ?? []);
    if (typed.length !== count) {
      throw new QuantrtlError(
        file,
        at,
        `has ${typed.length} values; its shape [${dims.join(", ")}] needs ${count}`,
        "the initializer is corrupt; export the model again",
      );
    }
    data = Float64Array.from(Array.from(typed, (v) => checkedNumber(num(v as Long), file, at)));
  }
  return { name, dims, dataType, data };
}

function readScalar(view: DataView, at: number, dataType: number, file: string | undefined, where: string): number {
  switch (dataType) {
    case DataType.FLOAT:
      return view.getFloat32(at, true);
    case DataType.DOUBLE:
      return view.getFloat64(at, true);
    case DataType.INT8:
      return view.getInt8(at);
    case DataType.UINT8:
    case DataType.BOOL:
      return view.getUint8(at);
    case DataType.INT16:
      return view.getInt16(at, true);
    case DataType.UINT16:
      return view.getUint16(at, true);
    case DataType.INT32:
      return view.getInt32(at, true);
    case DataType.UINT32:
      return view.getUint32(at, true);
    case DataType.INT64:
      return checkedNumber(Number(view.getBigInt64(at, true)), file, where);
    default:
      return checkedNumber(Number(view.getBigUint64(at, true)), file, where);
  }
}

function checkedNumber(v: number, file: string | undefined, at: string): number {
  // ONNX uses int64 max/min as "to the end" markers (Slice); those stay representable as ±2^63 floats
  if (!Number.isFinite(v)) throw new QuantrtlError(file, at, `holds a non-finite value ${v}`, "export the model again");
  return v;
}

function attrOf(a: OnnxTypes.IAttributeProto, file: string | undefined, node: string): AttrValue {
  const T = onnx.AttributeProto.AttributeType;
  const where = `node "${node}" attribute "${a.name}"`;
  switch (a.type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return num(a.i as Long);
    case T.STRING:
      return Buffer.from(a.s ?? new Uint8Array()).toString("utf8");
    case T.FLOATS:
      return Array.from(a.floats ?? []);
    case T.INTS:
      return (a.ints ?? []).map((v) => num(v as Long));
    case T.STRINGS:
      return (a.strings ?? []).map((s) => Buffer.from(s).toString("utf8"));
    case T.TENSOR:
      return tensorOf(a.t ?? {}, file, where);
    default:
      // older exporters leave type unset: infer it from the field that is present
      if (a.t) return tensorOf(a.t, file, where);
      if (a.s && a.s.length > 0) return Buffer.from(a.s).toString("utf8");
      if ((a.ints ?? []).length > 0) return (a.ints ?? []).map((v) => num(v as Long));
      if ((a.floats ?? []).length > 0) return Array.from(a.floats ?? []);
      if (a.i !== undefined && a.i !== null && num(a.i as Long) !== 0) return num(a.i as Long);
      return a.f ?? 0;
  }
}
