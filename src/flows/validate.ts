/**
 * The resource model checked where users meet it: whole networks synthesized
 * beside their estimate (hw/network-validation.json, written by
 * scripts/validate-networks.ts). The fit's error bars come from one-layer
 * reference designs; a whole network adds what no reference design holds
 * (many engines in one netlist, Yosys sharing and packing across them), so its
 * error is stated on its own: the report shows both.
 */
import { join, resolve } from "node:path";
import { compileSchema, validateDocument } from "../ir/validate.js";
import { committedFile } from "../util/committed.js";
import { errorStats } from "../estimate/fit.js";
import { ErrorBar, ResourceKind } from "../estimate/resources.js";
import { Model } from "../ir/model.js";
import { loadModel } from "../ir/load.js";
import { Board } from "../ir/board.js";
import { synthesisInputKey } from "../synth/index.js";
import { CompareKernel, kernelUsesDsp, variantOf } from "./compare.js";
import { estimateModel } from "../estimate/model.js";

export const NETWORK_VALIDATION_FILE = join("hw", "network-validation.json");

/** Resource counts in `quantrtl compare --json`'s field names. */
export interface NetworkCounts {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram_bits: number;
}

/** One build of a network (a datapath of `quantrtl compare`) synthesized beside its estimate. */
export interface NetworkCheck {
  /** The model file, relative to the package root. */
  readonly model: string;
  /** The folding every engine layer was set to (`--pe n --simd n`); absent: the model's own. */
  readonly arch?: { readonly pe: number; readonly simd: number };
  readonly kernel: string;
  readonly board: string;
  /** The board's Yosys family (the fitted coefficients the estimate used). */
  readonly family: string;
  /** `synthesisInputKey` of the build: the RTL and Yosys script the synthesis was run on. */
  readonly rtlKey: string;
  readonly estimate: NetworkCounts;
  readonly synthesis: NetworkCounts;
  /** The Yosys that synthesized it and how long it took (first run, not a cache hit). */
  readonly yosys: string;
  readonly seconds: number;
}

export interface NetworkValidationFile {
  readonly generator: string;
  readonly networks: readonly NetworkCheck[];
}

const COUNTS = {
  type: "object",
  required: ["lut", "ff", "dsp", "bram_bits"],
  additionalProperties: false,
  properties: Object.fromEntries(["lut", "ff", "dsp", "bram_bits"].map((k) => [k, { type: "integer", minimum: 0 }])),
};

const schema = {
  type: "object",
  required: ["generator", "networks"],
  additionalProperties: false,
  properties: {
    generator: { type: "string" },
    networks: {
      type: "array",
      items: {
        type: "object",
        required: ["model", "kernel", "board", "family", "rtlKey", "estimate", "synthesis", "yosys", "seconds"],
        additionalProperties: false,
        properties: {
          model: { type: "string" },
          arch: {
            type: "object",
            required: ["pe", "simd"],
            additionalProperties: false,
            properties: { pe: { type: "integer", minimum: 1 }, simd: { type: "integer", minimum: 1 } },
          },
          kernel: { type: "string" },
          board: { type: "string" },
          family: { type: "string" },
          rtlKey: { type: "string", pattern: "^[0-9a-f]{24}$" },
          estimate: COUNTS,
          synthesis: COUNTS,
          yosys: { type: "string" },
          seconds: { type: "number", minimum: 0 },
        },
      },
    },
  },
} as const;

const validate = compileSchema(schema);

export function parseNetworkValidation(doc: unknown, file?: string): NetworkValidationFile {
  validateDocument(validate(), doc, file);
  return doc as NetworkValidationFile;
}

/** The committed whole-network checks, read and validated once. */
export const networkValidation: () => NetworkValidationFile = committedFile(NETWORK_VALIDATION_FILE, parseNetworkValidation);

/** The network a check was built from: its model file (relative to `root`) with the recorded folding applied. */
export function checkedModel(check: Pick<NetworkCheck, "model" | "arch">, root: string): Model {
  return loadModel(resolve(root, check.model), { arch: check.arch ?? {} });
}

/** Whether two checks are of the same build (network, folding, datapath, board). */
export function sameBuild(a: NetworkCheck, b: NetworkCheck): boolean {
  return a.model === b.model && a.kernel === b.kernel && a.board === b.board && a.arch?.pe === b.arch?.pe && a.arch?.simd === b.arch?.simd;
}

/** What a check records of one build from today's code: the build, the key of the RTL and script Yosys is given, and the estimate. */
export function todaysBuild(model: Model, kernel: CompareKernel, board: Board): { variant: Model; useDsp: boolean; rtlKey: string; estimate: NetworkCounts } {
  const variant = variantOf(model, kernel);
  const useDsp = kernelUsesDsp(kernel);
  const e = estimateModel(variant, board, { useDsp }).total;
  return { variant, useDsp, rtlKey: synthesisInputKey(variant, board, useDsp), estimate: { lut: e.lut, ff: e.ff, dsp: e.dsp, bram_bits: e.bramBits } };
}

const FIELD: Record<ResourceKind, keyof NetworkCounts> = { lut: "lut", ff: "ff", dsp: "dsp", bramBits: "bram_bits" };

/** The estimate's error on a family's synthesized whole networks (RMS and worst relative, largest estimate where synthesis found none), or undefined with none. */
export function networkErrorBar(
  family: string,
  file: NetworkValidationFile = networkValidation(),
): ({ networks: number } & Record<ResourceKind, ErrorBar>) | undefined {
  const checks = file.networks.filter((n) => n.family === family);
  if (checks.length === 0) return undefined;
  const bar = (kind: ResourceKind): ErrorBar => {
    const s = errorStats(checks.map((n) => ({ estimate: n.estimate[FIELD[kind]], measured: n.synthesis[FIELD[kind]] })));
    return { relRms: s.relRms, relWorst: s.relWorst, absAtZero: s.absAtZero };
  };
  return { networks: checks.length, lut: bar("lut"), ff: bar("ff"), dsp: bar("dsp"), bramBits: bar("bramBits") };
}
