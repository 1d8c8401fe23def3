/**
 * Loads a model file: JSON parse, schema (validate.ts), weight files beside the
 * model, then the checks that relate fields to each other. Produces the
 * normalized, trusted IR (model.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { validateModelDocument } from "./validate.js";
import { Folding, Layer, Model, MODEL_INPUT, TensorSpec } from "./model.js";
import { QuantrtlError } from "../util/errors.js";
import { checkModelFile } from "./load-files.js";
import { checkModelMemory, defaultMemoryBudget, MemoryBudget, Workload } from "./budget.js";
import { Ctx, RawLayer, stripBom } from "./load-common.js";
import { parseLayer } from "./load-layers.js";

export interface LoadOptions {
  /** Folder that weight-file paths are relative to (default: the model file's folder). */
  readonly baseDir?: string;
  /** Accept layers whose output no later layer reads (model-building scripts calibrating a graph layer by layer). */
  readonly allowUnused?: boolean;
  /** Folding applied to every layer, overriding the model's `arch` (CLI --pe / --simd). */
  readonly arch?: Partial<Folding>;
  /** Memory the model may take (budget.ts; default: half the free memory, at most 4 GiB). */
  readonly memoryBudget?: MemoryBudget;
  /** What the caller will run (default: one vector through the golden model). */
  readonly workload?: Workload;
  /** Where a deprecation warning goes (default: one line on stderr). */
  readonly onWarning?: (message: string) => void;
  /** Told of every weight file the model reads: its name as the model writes it, and its resolved path (flows/model-bundle.ts). */
  readonly onWeightFile?: (name: string, real: string) => void;
}

/** A JSON file's text without a leading UTF-8 byte-order mark (editors on Windows write one; JSON.parse rejects it with an invisible character in the message). */
function readJsonText(file: string): string {
  return stripBom(readFileSync(file, "utf8"));
}

/**
 * Reads, validates and parses a model file (JSON; weights inline or in files beside it).
 * @param file - path of the model JSON; weight files are resolved relative to its folder
 * @param options - folding override (`arch`), memory budget, deprecation-warning sink
 * @returns the integer model with its content hash
 * @throws QuantrtlError naming the file, the JSON path and a hint, for any invalid input
 */
export function loadModel(file: string, options: LoadOptions = {}): Model {
  const memoryBudget = options.memoryBudget ?? defaultMemoryBudget();
  checkModelFile(file, memoryBudget);
  options = { ...options, memoryBudget };
  let doc: unknown;
  try {
    doc = JSON.parse(readJsonText(file));
  } catch (err) {
    throw new QuantrtlError(file, "", `is not valid JSON (${(err as Error).message})`, "fix the JSON syntax");
  }
  return parseModel(doc, { ...options, file, baseDir: options.baseDir ?? dirname(resolve(file)) });
}

interface RawModel {
  quantrtl: 1;
  name: string;
  description?: string;
  metadata?: Record<string, unknown>;
  input: TensorSpec;
  layers: RawLayer[];
}

/**
 * An engine's "datapath" as the parsers read it (`kernel`): "datapath" is copied there; the
 * old name "kernel" still reads, with one warning per model; both must agree.
 */
function normaliseDatapath(
  raw: RawModel,
  file: string | undefined,
  onWarning: (m: string) => void = (m) => void process.stderr.write(`warning: ${m}\n`),
): RawModel {
  let old: string | undefined;
  const layers = raw.layers.map((l, i) => {
    if (l.datapath !== undefined && l.kernel !== undefined && l.datapath !== l.kernel) {
      throw new QuantrtlError(
        file,
        `/layers/${i}/kernel`,
        `"${l.kernel}" differs from "datapath": "${l.datapath}" ("kernel" is its old name)`,
        'remove "kernel"',
      );
    }
    if (l.kernel !== undefined && l.datapath === undefined) old ??= `/layers/${i}`;
    return l.datapath !== undefined && l.kernel === undefined ? { ...l, kernel: l.datapath } : l;
  });
  if (old) onWarning(`${file ?? "model"} ${old}: "kernel" is the old name of "datapath"; write "datapath" (the model reads the same)`);
  return { ...raw, layers };
}

/**
 * Validates and parses a model document already in memory (the JSON of a model file).
 * @param doc - the parsed JSON document
 * @param options - as {@link loadModel}, plus `file` for error messages; weight files resolve against `baseDir` (default: the working folder)
 * @throws QuantrtlError naming the JSON path and a hint
 */
export function parseModel(doc: unknown, options: LoadOptions & { file?: string } = {}): Model {
  const file = options.file;
  validateModelDocument(doc, file);
  const raw = normaliseDatapath(doc as RawModel, file, options.onWarning);
  const baseDir = options.baseDir ?? process.cwd();
  const memoryBudget = options.memoryBudget ?? defaultMemoryBudget();
  const tensors = new Map<string, TensorSpec>([[MODEL_INPUT, raw.input]]);
  const layers: Layer[] = [];
  const consumers = new Map<string, number>();
  raw.layers.forEach((rawLayer, i) => {
    const at = `/layers/${i}`;
    if (rawLayer.name === MODEL_INPUT) {
      throw new QuantrtlError(file, `${at}/name`, `"${MODEL_INPUT}" names the model input`, "give the layer another name");
    }
    if (tensors.has(rawLayer.name)) {
      throw new QuantrtlError(file, `${at}/name`, `layer name "${rawLayer.name}" is used twice`, "give every layer a unique name");
    }
    const previous = i === 0 ? MODEL_INPUT : raw.layers[i - 1].name;
    const inputs = rawLayer.inputs ?? [previous];
    const arity = rawLayer.type === "add" ? 2 : 1;
    if (inputs.length !== arity) {
      throw new QuantrtlError(
        file,
        `${at}/inputs`,
        `has ${inputs.length} name(s); a ${rawLayer.type} layer takes ${arity}`,
        arity === 2 ? 'name the two operands, e.g. ["conv2", "pool1"]' : "name one earlier layer",
      );
    }
    const specs = inputs.map((n, j) => {
      const spec = tensors.get(n);
      if (!spec) {
        throw new QuantrtlError(
          file,
          `${at}/inputs/${j}`,
          `"${n}" is not an earlier layer`,
          `use "${MODEL_INPUT}" or the name of a layer listed before this one`,
        );
      }
      consumers.set(n, (consumers.get(n) ?? 0) + 1);
      return spec;
    });
    const ctx: Ctx = { file, at, baseDir, arch: options.arch, memoryBudget, onWeightFile: options.onWeightFile };
    const layer = parseLayer(rawLayer, inputs, specs, ctx);
    layers.push(layer);
    tensors.set(layer.name, layer.output);
  });
  // every layer but the last must feed something: a dangling branch would stall the hardware stream
  layers.slice(0, -1).forEach((l, i) => {
    if (!options.allowUnused && !consumers.has(l.name)) {
      throw new QuantrtlError(
        file,
        `/layers/${i}`,
        `the output of layer "${l.name}" is not used by any later layer`,
        "remove the layer or name it in a later layer's inputs (the last layer is the model output)",
      );
    }
  });
  const model = { name: raw.name, description: raw.description, metadata: raw.metadata, file, input: raw.input, layers };
  // before the hash: its canonical text of every weight is itself bounded by V8's string length
  checkModelMemory(model, memoryBudget, options.workload ?? { vectors: 1 }, file);
  return { ...model, hash: hashModel(model) };
}

/** sha256 over a canonical rendering of the normalized model (typed arrays as lists). */
export function hashModel(model: Omit<Model, "hash" | "file">): string {
  const canonical = JSON.stringify({ name: model.name, input: model.input, layers: model.layers }, (_k, v) =>
    ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v,
  );
  return createHash("sha256").update(canonical).digest("hex");
}
