/** An .onnx given where a model is expected: imported in memory, then loaded like the JSON it would write. */
import { dirname, resolve } from "node:path";
import { parseModel, LoadOptions } from "../../ir/load.js";
import type { Model } from "../../ir/model.js";
import { importOnnxFile } from "./import.js";

export function isOnnxPath(file: string): boolean {
  return /\.onnx$/i.test(file);
}

export function loadOnnxModel(file: string, options: LoadOptions = {}): { model: Model; warnings: readonly string[] } {
  const { doc, warnings } = importOnnxFile(file);
  const model = parseModel(doc, { ...options, file, baseDir: options.baseDir ?? dirname(resolve(file)) });
  return { model, warnings };
}
