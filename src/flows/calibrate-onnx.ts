/**
 * `quantrtl import model.onnx --calibrate <dataset>`: post-training quantization of a
 * float ONNX model. onnxruntime runs the float model on the calibration images and
 * gives max|x| of every activation tensor; the lowering (frontend/onnx/lower.ts with
 * the plan of frontend/onnx/calibrated.ts) folds bias / batch-norm / ReLU into
 * per-channel dyadic requants on those scales; the per-layer SQNR of the integer
 * model (golden) against onnxruntime's float tensors, on held-out images of the same
 * set, goes into metadata.ptq.
 */
import { dirname, resolve } from "node:path";
import { QuantrtlError } from "../util/errors.js";
import { readOnnx, OnnxGraph } from "../frontend/onnx/reader.js";
import { Lowering } from "../frontend/onnx/lower.js";
import { importDocument, ImportResult, readOnnxFile } from "../frontend/onnx/import.js";
import { CalibratedLayer, PtqDatapath, PtqPlan } from "../frontend/onnx/calibrated.js";
import { DatasetSpec, loadFloatSamples } from "../frontend/dataset.js";
import { runOnnxTensors, BatchTensor } from "../frontend/onnx-runtime.js";
import { inputQuantizerOf, quantizeSample } from "../frontend/data/quantize-input.js";
import { parseModel } from "../ir/load.js";
import type { Model, TensorSpec } from "../ir/model.js";
import { runGolden } from "../hw/golden/network.js";

/** Calibration images by default [ours]: a few thousand are enough for max|x| of MNIST-sized models and take seconds. */
export const DEFAULT_CALIBRATION_IMAGES = 2000;
/** Held-out images for the per-layer SQNR by default. */
export const DEFAULT_SQNR_IMAGES = 200;

export interface CalibrateOptions {
  readonly dataset: string | DatasetSpec;
  /** Calibration images: the first `limit` of the set. */
  readonly limit?: number;
  /** Images for the SQNR: the next ones after the calibration images (the calibration images when the set has no more). */
  readonly sqnrImages?: number;
  readonly bits?: 8 | 16;
  readonly datapath?: PtqDatapath;
  readonly outFile?: string;
  /** Progress lines (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export interface LayerSqnrEntry extends CalibratedLayer {
  /** 10·log10(Σ x² / Σ (x − s·q)²) over the SQNR images, x the float tensor, q the golden integers. */
  readonly sqnrDb: number;
}

export interface CalibrateResult extends ImportResult {
  readonly model: Model;
  readonly sqnr: readonly LayerSqnrEntry[];
  readonly calibrationImages: number;
  readonly sqnrImages: number;
}

/** Ops that mean the model is already quantized: --calibrate would quantize it a second time. */
const QUANTIZED_OPS = new Set([
  "Quant",
  "IntQuant",
  "BipolarQuant",
  "Trunc",
  "MultiThreshold",
  "QuantizeLinear",
  "DequantizeLinear",
  "QLinearConv",
  "QLinearMatMul",
]);

function refuseQuantized(graph: OnnxGraph, file: string): void {
  const q = graph.nodes.find((n) => QUANTIZED_OPS.has(n.opType));
  if (q)
    throw new QuantrtlError(
      file,
      "--calibrate",
      `applies to float models; node ${q.index} "${q.name}" (${q.opType}) shows this one is already quantized`,
      "import it without --calibrate: its own quantizers are lowered exactly",
    );
}

/** The IR input of the graph input [1, C, H, W] or [1, N], at `bits`. */
function inputSpecOf(graph: OnnxGraph, file: string, bits: number): TensorSpec {
  const dims = graph.inputs[0]?.shape;
  if (graph.inputs.length === 1 && dims && dims.every((d) => typeof d === "number") && dims[0] === 1) {
    const d = dims as number[];
    if (d.length === 4) return { height: d[2], width: d[3], channels: d[1], bits };
    if (d.length === 2) return { height: 1, width: 1, channels: d[1], bits };
  }
  throw new QuantrtlError(file, "graph.input", `has shape [${dims ?? "?"}]`, "one static input of shape [1, C, H, W] or [1, N]");
}

/** Tensors computed from the graph input (the ones calibration observes; constants fold away). */
function activationTensors(graph: OnnxGraph): string[] {
  const live = new Set(graph.inputs.map((i) => i.name));
  const out: string[] = [];
  for (const n of graph.nodes)
    if (n.inputs.some((i) => live.has(i)))
      for (const o of n.outputs) {
        live.add(o);
        out.push(o);
      }
  return out;
}

/** Elements of one sample of a batch tensor. */
function perSample(t: BatchTensor): number {
  return t.data.length / Number(t.dims[0]);
}

export async function calibrateOnnx(file: string, options: CalibrateOptions): Promise<CalibrateResult> {
  const bits = options.bits ?? 8;
  const datapath = options.datapath ?? "mac";
  const limit = options.limit ?? DEFAULT_CALIBRATION_IMAGES;
  const wantSqnr = options.sqnrImages ?? DEFAULT_SQNR_IMAGES;
  const say = options.progress ?? (() => {});
  const bytes = readOnnxFile(file);
  const graph = readOnnx(bytes, file);
  refuseQuantized(graph, file);
  const spec = inputSpecOf(graph, file, bits);
  const size = spec.height * spec.width * spec.channels;
  const data = loadFloatSamples(spec, options.dataset, limit + wantSqnr, "--calibrate");
  if (data.count === 0) throw new QuantrtlError(undefined, "--calibrate", "holds no images", "give a dataset with at least one image");
  const calibCount = Math.min(limit, data.count);
  const heldOut = data.count - calibCount;
  const sqnrStart = heldOut > 0 ? calibCount : 0;
  const sqnrCount = heldOut > 0 ? heldOut : Math.min(wantSqnr, calibCount);
  const source = typeof options.dataset === "string" ? options.dataset : options.dataset.source;

  // max |x| of every activation tensor over the calibration images
  const tensors = activationTensors(graph);
  const maxAbs = new Map<string, number>();
  const t0 = performance.now();
  let reported = 0;
  say(`calibrating on the first ${calibCount} images of ${source} (--limit ${limit}; ${data.reading})`);
  await runOnnxTensors(
    bytes,
    file,
    data.images,
    spec,
    calibCount,
    tensors,
    (result, _start, n) => {
      for (const [name, t] of result) {
        const used = n * perSample(t);
        let m = maxAbs.get(name) ?? 0;
        for (let i = 0; i < used; i++) m = Math.max(m, Math.abs(Number(t.data[i])));
        maxAbs.set(name, m);
      }
    },
    {
      onBatch: (done, total) => {
        // one line per tenth of the images (a fixed batch of 1 would give one per image)
        if (Math.floor((done * 10) / total) === Math.floor((reported * 10) / total) && done < total) return;
        reported = done;
        const elapsed = (performance.now() - t0) / 1000;
        say(`calibration: ${done}/${total} images, ETA ${((elapsed / done) * (total - done)).toFixed(1)} s`);
      },
    },
  );

  const plan: PtqPlan = { bits, datapath, maxAbs: (name) => maxAbs.get(name), layers: [] };
  const low = new Lowering(graph, plan).run();
  const imported = importDocument(graph, low, file, { outFile: options.outFile });
  const doc = imported.doc as Record<string, unknown> & { metadata: Record<string, unknown> };
  doc.description = `${doc.name}: float ONNX model quantized after training by quantrtl import --calibrate (${calibCount} images of ${source}; per-channel ${bits}-bit ${datapath} weights, calibrated symmetric activations, dyadic per-channel requant)`;
  const model = parseModel(doc, { file: options.outFile ?? file, baseDir: dirname(resolve(options.outFile ?? file)) });

  // per-layer SQNR on held-out images: onnxruntime's float tensors against the golden integers × scale
  say(`SQNR: ${sqnrCount} ${heldOut > 0 ? "held-out" : "calibration"} images of ${source}, golden against onnxruntime`);
  const sqnrImages = data.images.subarray(sqnrStart * size, (sqnrStart + sqnrCount) * size);
  const quantizer = inputQuantizerOf(model);
  const layerIndex = new Map(model.layers.map((l, i) => [l.name, i]));
  const signal = new Float64Array(plan.layers.length);
  const noise = new Float64Array(plan.layers.length);
  await runOnnxTensors(bytes, file, sqnrImages, spec, sqnrCount, [...new Set(plan.layers.map((l) => l.tensor))], (result, start, n) => {
    for (let s = 0; s < n; s++) {
      const image = sqnrImages.subarray((start + s) * size, (start + s + 1) * size);
      const trace = runGolden(model, { shape: [spec.height, spec.width, spec.channels], bits, data: quantizeSample(quantizer, image, spec.channels) });
      plan.layers.forEach((entry, li) => {
        const t = result.get(entry.tensor)!;
        const per = perSample(t);
        const q = trace.layers[layerIndex.get(entry.layer)!].data;
        const [H, W, C] = t.dims.length === 4 ? [Number(t.dims[2]), Number(t.dims[3]), Number(t.dims[1])] : [1, 1, per];
        for (let h = 0; h < H; h++)
          for (let w = 0; w < W; w++)
            for (let c = 0; c < C; c++) {
              const x = Number(t.data[s * per + (c * H + h) * W + w]);
              signal[li] += x * x;
              noise[li] += (x - q[(h * W + w) * C + c] * entry.scale) ** 2;
            }
      });
    }
  });
  const sqnr = plan.layers.map((l, li) => ({ ...l, sqnrDb: noise[li] === 0 ? Infinity : 10 * Math.log10(signal[li] / noise[li]) }));
  doc.metadata.ptq = {
    method: "post-training quantization (quantrtl import --calibrate)",
    calibration: { dataset: source, images: calibCount, statistic: "max |x| per tensor" },
    weights: `per output channel, symmetric, ${bits}-bit ${datapath}`,
    activations: `per tensor, symmetric ${bits}-bit signed, scale max|x| / ${2 ** (bits - 1) - 1}; logits 16-bit`,
    sqnr: {
      images: sqnrCount,
      heldOut: heldOut > 0,
      reference: "onnxruntime float tensors; the integer side starts from the quantized input",
      layers: sqnr.map((s) => ({ layer: s.layer, tensor: s.tensor, scale: s.scale, sqnrDb: Number.isFinite(s.sqnrDb) ? Number(s.sqnrDb.toFixed(2)) : null })),
    },
  };
  return { doc, warnings: imported.warnings, model, sqnr, calibrationImages: calibCount, sqnrImages: sqnrCount };
}
