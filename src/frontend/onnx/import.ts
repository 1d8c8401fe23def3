/**
 * `quantrtl import`: an .onnx (QONNX or QDQ-free ONNX with Quant weights) to the
 * quantrtl model document, plus the warnings a user must see (scales that are
 * not reproduced exactly, a float input quantized by us, ops dropped at the output).
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { QuantrtlError } from "../../util/errors.js";
import { OnnxGraph, readOnnx } from "./reader.js";
import { Lowered, Lowering } from "./lower.js";
import { quantBounds } from "./qonnx.js";

export interface ImportResult {
  /** The model document ("quantrtl": 1) that parseModel accepts. */
  readonly doc: Record<string, unknown>;
  readonly warnings: readonly string[];
}

export interface ImportOptions {
  /** Where the JSON will be written: metadata.floatModel is the .onnx path relative to it (absolute when undefined). */
  readonly outFile?: string;
}

/** Largest .onnx the importer reads [ours]: the weights are held as float64 in memory. */
export const MAX_ONNX_BYTES = 256 * 2 ** 20;

export function readOnnxFile(file: string): Uint8Array {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new QuantrtlError(file, "", "does not exist or cannot be read", "give the path of an .onnx file");
  }
  if (size > MAX_ONNX_BYTES) throw new QuantrtlError(file, "", `is ${size} bytes, more than the importer's ${MAX_ONNX_BYTES}`, "a smaller model");
  return readFileSync(file);
}

export function importOnnxFile(file: string, options: ImportOptions = {}): ImportResult {
  return importOnnx(readOnnxFile(file), file, options);
}

export function importOnnx(bytes: Uint8Array, file: string | undefined, options: ImportOptions = {}): ImportResult {
  const graph = readOnnx(bytes, file);
  return importDocument(graph, new Lowering(graph).run(), file, options);
}

/** The model document of a lowered graph (the lowering of Quant nodes, or of a calibrated float model). */
export function importDocument(graph: OnnxGraph, low: Lowered, file: string | undefined, options: ImportOptions = {}): ImportResult {
  const q = low.inputQuantizer;
  const [qmin, qmax] = quantBounds(q);
  const metadata: Record<string, unknown> = {
    source: "onnx",
    inputQuantizer: {
      scale: q.scale,
      zeroPoint: q.zeroPoint,
      bits: q.bits,
      signed: q.signed,
      narrow: q.narrow,
      rounding: q.rounding,
      // written only where it changes the quantizer (QDQ with a zero point ≠ 0): older documents read the same
      ...(q.zeroPointAfterRounding ? { zeroPointAfterRounding: q.zeroPointAfterRounding } : {}),
      min: qmin,
      max: qmax,
    },
    onnx: { opset: graph.opset, ...low.notes },
  };
  if (q.zeroPoint === 0 && q.signed) metadata.inputScale = q.scale;
  if (file) metadata.floatModel = options.outFile ? relative(dirname(resolve(options.outFile)), resolve(file)) : resolve(file);
  if (low.warnings.length > 0) metadata.importWarnings = low.warnings;
  const name = (file ? basename(file).replace(/\.onnx$/i, "") : "onnx-model").slice(0, 64) || "onnx-model";
  const doc = {
    quantrtl: 1,
    name,
    description: `imported from ${file ? basename(file) : "an ONNX model"} by quantrtl import: every integer tensor is the QONNX integer q (real = scale·(q − zeroPoint)) plus a per-tensor offset`,
    metadata,
    input: low.input,
    layers: low.layers,
  };
  return { doc, warnings: low.warnings };
}
