/**
 * The float reference of an ONNX model, by a real runtime: onnxruntime-node
 * runs the model as given. A QONNX model (ops in a non-standard domain such as
 * Quant, BipolarQuant, MultiThreshold) first goes through `toStandardOnnx`, the
 * importer's rewrite into standard ops, so that the reference stays independent
 * of our lowering. Samples arrive in the model's HWC order and are fed in the
 * ONNX input's own shape (NCHW, NHWC or flat), read from the ModelProto.
 */
import { readFileSync } from "node:fs";
import onnxProto from "onnx-proto";
import type { TensorSpec } from "../ir/model.js";
import { QuantrtlError } from "../util/errors.js";

const { onnx } = onnxProto;

/** Domains onnxruntime runs without help ("" and ai.onnx are the standard operator set). */
const RUNTIME_DOMAINS = new Set(["", "ai.onnx", "ai.onnx.ml", "com.microsoft"]);

export interface OnnxRunOptions {
  /** QONNX → standard ONNX (frontend/onnx/float-graph.ts); needed only when the model has non-standard ops. */
  readonly toStandardOnnx?: (bytes: Uint8Array) => Uint8Array;
  /** Samples per session.run when the ONNX input's batch axis is free (default 256). */
  readonly batch?: number;
  /** Called after each run with the samples done so far. */
  readonly onBatch?: (done: number, total: number) => void;
}

export interface OnnxInputInfo {
  readonly name: string;
  /** Dimensions; a string or -1 for a free (symbolic) axis. */
  readonly dims: readonly (number | string)[];
  /** ONNX TensorProto element type (1 = float, 11 = double). */
  readonly elemType: number;
}

export interface OnnxGraphInfo {
  readonly input: OnnxInputInfo;
  readonly output: string;
  /** Op types in domains onnxruntime does not know, e.g. "Quant (onnx.brevitas)". */
  readonly customOps: readonly string[];
}

/** The graph's data input (graph inputs that are not initializers; the first), its output and any custom ops. */
export function describeOnnx(bytes: Uint8Array, file: string): OnnxGraphInfo {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new QuantrtlError(file, "onnx", `is not a readable ONNX model (${(err as Error).message})`, "give an intact .onnx file (onnx.save)");
  }
  const graph = model.graph;
  if (!graph) throw new QuantrtlError(file, "onnx", "has no graph", "give an intact .onnx file");
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ""));
  if (inputs.length !== 1) throw new QuantrtlError(file, "graph.input", `has ${inputs.length} data inputs`, "the float reference runs models with one input");
  const input = inputs[0];
  const tensor = input.type?.tensorType;
  const dims = (tensor?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? Number(d.dimValue) : -1));
  const output = graph.output?.[0]?.name;
  if (!output) throw new QuantrtlError(file, "graph.output", "is empty", "the model must have an output");
  const customOps = [...new Set((graph.node ?? []).filter((n) => !RUNTIME_DOMAINS.has(n.domain ?? "")).map((n) => `${n.opType} (${n.domain})`))];
  return { input: { name: input.name ?? "", dims, elemType: tensor?.elemType ?? 1 }, output, customOps };
}

/** hwc -> position in one ONNX sample: NCHW when the sample axes are [C, H, W], NHWC for [H, W, C], C order for a flat input. */
export function onnxSampleOrder(info: OnnxInputInfo, t: TensorSpec, file: string): Int32Array | undefined {
  const sample = info.dims.slice(1).map(Number);
  const { height: H, width: W, channels: C } = t;
  const size = H * W * C;
  const count = sample.reduce((a, b) => a * b, 1);
  if (sample.some((d) => !(d > 0)) || count !== size) {
    throw new QuantrtlError(
      file,
      `input ${info.name}`,
      `has shape [${info.dims.join(", ")}], which does not hold the model's ${H}×${W}×${C} input`,
      "the float reference needs the ONNX input [N, C, H, W], [N, H, W, C] or [N, H·W·C]",
    );
  }
  const isChw = sample.length === 3 && sample[0] === C && sample[1] === H && sample[2] === W;
  // ONNX's convention is NCHW: a sample that reads both ways (H = W = C) is taken as CHW
  if (!isChw || C === 1 || H * W === 1) return undefined;
  const map = new Int32Array(size);
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) map[(h * W + w) * C + c] = c * H * W + h * W + w;
  return map;
}

/**
 * The output rows (one per sample) of an ONNX model on `count` HWC samples.
 * `width` of each row is the output's size per sample.
 */
export async function runOnnx(
  file: string,
  images: Float32Array,
  t: TensorSpec,
  count: number,
  options: OnnxRunOptions = {},
): Promise<{ rows: Float64Array; width: number }> {
  const original = new Uint8Array(readFileSync(file));
  const info = describeOnnx(original, file);
  let bytes: Uint8Array = original;
  if (info.customOps.length) {
    if (!options.toStandardOnnx) {
      throw new QuantrtlError(
        file,
        "onnx",
        `has ops onnxruntime cannot run: ${info.customOps.join(", ")}`,
        "the QONNX → standard ONNX rewrite (quantrtl import) is needed for the float reference",
      );
    }
    bytes = options.toStandardOnnx(original);
  }
  let rows: Float64Array | undefined;
  let width = 0;
  await runBatches(bytes, info, file, images, t, count, [info.output], options, (result, start, n, runBatch) => {
    const data = result.get(info.output)!.data;
    if (!rows) {
      width = data.length / runBatch;
      rows = new Float64Array(count * width);
    }
    for (let i = 0; i < n * width; i++) rows[start * width + i] = Number(data[i]);
  });
  return { rows: rows ?? new Float64Array(0), width };
}

/** One tensor of a batch as onnxruntime returned it: `dims[0]` is the run's batch (only the first `n` samples are real). */
export interface BatchTensor {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint>;
}

/**
 * Intermediate tensors of a float ONNX model (for calibration): the named tensors are
 * added as graph outputs (without a type; onnxruntime infers it) and handed to `visit`
 * batch by batch, with the samples' position `start` and count `n`.
 */
export async function runOnnxTensors(
  bytes: Uint8Array,
  file: string,
  images: Float32Array,
  t: TensorSpec,
  count: number,
  tensors: readonly string[],
  visit: (result: ReadonlyMap<string, BatchTensor>, start: number, n: number) => void,
  options: OnnxRunOptions = {},
): Promise<void> {
  const info = describeOnnx(bytes, file);
  if (info.customOps.length) throw new QuantrtlError(file, "onnx", `has ops onnxruntime cannot run: ${info.customOps.join(", ")}`, "a float ONNX model");
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const have = new Set((graph.output ?? []).map((o) => o.name));
  graph.output = [...(graph.output ?? []), ...tensors.filter((name) => !have.has(name)).map((name) => onnx.ValueInfoProto.create({ name }))];
  const extended = onnx.ModelProto.encode(model).finish();
  await runBatches(extended, info, file, images, t, count, tensors, options, (result, start, n) => visit(result, start, n));
}

/** The float images fed to onnxruntime in batches; `each` gets the requested outputs of every run. */
async function runBatches(
  bytes: Uint8Array,
  info: OnnxGraphInfo,
  file: string,
  images: Float32Array,
  t: TensorSpec,
  count: number,
  outputs: readonly string[],
  options: OnnxRunOptions,
  each: (result: ReadonlyMap<string, BatchTensor>, start: number, n: number, runBatch: number) => void,
): Promise<void> {
  if (info.input.elemType !== 1 && info.input.elemType !== 11)
    throw new QuantrtlError(file, `input ${info.input.name}`, `has element type ${info.input.elemType}`, "the float reference feeds float or double inputs");
  const order = onnxSampleOrder(info.input, t, file);
  const size = t.height * t.width * t.channels;
  const fixed = info.input.dims[0];
  const batch = typeof fixed === "number" && fixed > 0 ? fixed : Math.max(1, options.batch ?? 256);
  // onnxruntime loads only here: the other commands start without its native binding
  const ort = (await import("onnxruntime-node")).default;
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (err) {
    throw new QuantrtlError(
      file,
      "onnx",
      `onnxruntime cannot load it (${(err as Error).message.split("\n")[0]})`,
      "check the model with onnx.checker.check_model",
    );
  }
  try {
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const feed = info.input.elemType === 11 ? new Float64Array(batch * size) : new Float32Array(batch * size);
      for (let i = 0; i < n; i++) {
        const src = images.subarray((start + i) * size, (start + i + 1) * size);
        const dst = feed.subarray(i * size, (i + 1) * size);
        if (order) for (let j = 0; j < size; j++) dst[order[j]] = src[j];
        else dst.set(src);
      }
      // a fixed batch axis (often 1) is filled up with zeros on the last run; a free one takes just n
      const runBatch = typeof fixed === "number" && fixed > 0 ? batch : n;
      const dims = [runBatch, ...info.input.dims.slice(1).map(Number)];
      const tensor = new ort.Tensor(info.input.elemType === 11 ? "float64" : "float32", feed.subarray(0, runBatch * size), dims);
      const result = await session.run({ [info.input.name]: tensor }, [...outputs]);
      const got = new Map<string, BatchTensor>();
      for (const name of outputs) got.set(name, { dims: result[name].dims, data: result[name].data as ArrayLike<number | bigint> });
      each(got, start, n, runBatch);
      options.onBatch?.(start + n, count);
    }
  } finally {
    await session.release();
  }
}

/** The predicted class per sample: the index itself for a one-value output (an ArgMax at the end), else the row's argmax. */
export async function onnxTop1(file: string, images: Float32Array, t: TensorSpec, count: number, options: OnnxRunOptions = {}): Promise<Int32Array> {
  const { rows, width } = await runOnnx(file, images, t, count, options);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (width === 1) {
      out[i] = rows[i];
      continue;
    }
    let best = 0;
    for (let k = 1; k < width; k++) if (rows[i * width + k] > rows[i * width + best]) best = k;
    out[i] = best;
  }
  return out;
}
