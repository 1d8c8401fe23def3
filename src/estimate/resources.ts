/**
 * Resource model of one conv engine, fitted to Yosys (docs/design.md "Estimation"):
 * every unit names its features (src/hw/units/<unit>/cost.ts: counts of bits, lanes,
 * ROM words that its template's logic scales with), and each resource is a
 * non-negative linear combination of them whose coefficients scripts/fit-resources.ts
 * fits per Yosys family to synthesis of reference designs and commits in
 * hw/resource-model.json, with the fit's error on the designs it saw and on held-out
 * ones. Every estimate carries that error bar. Used by the folding choice too.
 */
import { join } from "node:path";
import { Conv2dLayer } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { compileSchema, validateDocument } from "../ir/validate.js";
import { committedFile } from "../util/committed.js";
import { QuantrtlError } from "../util/errors.js";
import { foldCounts } from "../ir/folding.js";
import { swuBanking } from "../hw/units/swu/params.js";
import { weightField } from "../hw/units/pe/params.js";
import { ErrorStats } from "./fit.js";
import { Features, synthTarget, SynthTarget, YosysFamily } from "../hw/target.js";
import { swuFeatures } from "../hw/units/swu/cost.js";
import { mvuFeatures } from "../hw/units/mvu/cost.js";
import { requantFeatures } from "../hw/units/requant/cost.js";
import { thresholdFeatures } from "../hw/units/threshold/cost.js";
import { serializerFeatures } from "../hw/units/serializer/cost.js";

export interface Resources {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  /** Bits of the block RAM primitives used (whole RAMB18 / EBR / DP16KD blocks). */
  readonly bramBits: number;
  /**
   * iCE40 UltraPlus SPRAM bits (whole SB_SPRAM256KA blocks) of loadable weight RAMs; absent when none.
   * Counted, not fitted: a weight RAM marked ram_style "huge" always maps there.
   */
  readonly spramBits?: number;
}

export const RESOURCE_KINDS = ["lut", "ff", "dsp", "bramBits"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The error bar of one resource's estimate: the fit's error over its reference designs. */
export interface ErrorBar {
  /** Relative RMS error on the held-out designs (out of sample). */
  readonly relRms: number;
  /** Worst relative error, over fitted and held-out designs. */
  readonly relWorst: number;
  /** Largest estimate where synthesis found none (the bar where a relative error does not exist). */
  readonly absAtZero: number;
}

export interface EngineEstimate extends Resources {
  readonly layer: string;
  readonly lineBufferBits: number;
  readonly weightRomBits: number;
  readonly source: "yosys-fit";
  readonly family: YosysFamily;
  readonly errorBar: Readonly<Record<ResourceKind, ErrorBar>>;
}

export interface EstimateOptions {
  /** false: multipliers in LUTs, as synthesis with DSP inference off (-nodsp). */
  readonly useDsp?: boolean;
}

/**
 * The features each resource is a combination of (the model's formula, committed with
 * the fit). Unit features with the same cost per unit are summed into one (memories
 * in LUTs, per-PE register and adder bits) so that about a dozen coefficients are
 * fitted per resource and family.
 */
export const RESOURCE_FORMULA: Readonly<Record<ResourceKind, readonly string[]>> = {
  lut: [
    "engine.control",
    "swu.counterBits",
    "swu.rotate",
    "swu.bankAddress",
    "memory.ramLogicBits",
    "memory.lutramLuts",
    "memory.romLuts",
    "mvu.macDspLanes",
    "mvu.macLutBits",
    "mvu.adderLaneBits",
    "mvu.shiftLaneBits",
    "mvu.xnorLanes",
    "mvu.treeBits",
    "pe.datapathBits",
    "requant.splitAddBits",
    "requant.mulLutBits",
    "requant.varMulLutBits",
  ],
  ff: ["engine.control", "swu.counterBits", "swu.slice", "memory.ramLogicBits", "mvu.stageBits", "pe.registerBits", "requant.dsps"],
  dsp: ["mvu.dsps", "requant.dsps", "requant.varDsps"],
  bramBits: ["swu.blockBits", "mvu.blockBits", "requant.blockBits"],
};

/** Stream-unit features (src/hw/layers/features.ts) per kind — a count and what it grows with — that logic and registers share. */
const UNIT_KIND_FEATURES = [
  "fifo.units",
  "fifo.pointerBits",
  "fork.bits",
  "relu.bits",
  "argmax.units",
  "argmax.bits",
  "pool.units",
  "pool.laneBits",
  "pool.srBits",
  "gap.units",
  "gap.srBits",
  "add.units",
  "add.bits",
  "ln.units",
  "gelu.units",
  "softmax.units",
  "attn.units",
  "attn.laneBits",
  "tokembed.units",
  "tokembed.bits",
  "toksel.units",
  "toksel.bits",
] as const;

/** The stream-unit formula: the per-kind features, the requant units' shared widths, the memories as Yosys maps them. */
export const UNIT_FORMULA: Readonly<Record<ResourceKind, readonly string[]>> = {
  lut: [...UNIT_KIND_FEATURES, "rq.sumBits", "rq.mulLutBits", "unit.lutramLuts", "unit.romLuts", "unit.ramLogicBits"],
  // a FIFO's data register (its memory's output) is a flip-flop per bit, not logic
  ff: [...UNIT_KIND_FEATURES, "fifo.bits", "rq.outBits", "unit.ramLogicBits"],
  dsp: ["rq.dsps", "attn.dsps", "add.dsps", "ln.units", "gelu.units", "softmax.units", "attn.units"],
  bramBits: ["unit.blockBits"],
};

const sumOf = (f: Features, names: readonly string[]) => names.reduce((s, n) => s + (f[n] ?? 0), 0);

/** Features per layer (keyed by its weights, which a refolded copy shares) and folding/target: the folding search asks often. */
const featureCache = new WeakMap<object, Map<string, Features>>();

/** Every feature of one engine (the units of src/hw/layers/conv.ts), and the sums the formula uses. */
export function engineFeatures(layer: Conv2dLayer, target: SynthTarget): Features {
  const key = JSON.stringify([
    layer.name,
    layer.datapath,
    layer.weightBits,
    layer.arch,
    layer.input,
    layer.output,
    layer.kernel,
    layer.stride,
    layer.padding,
    layer.out,
    layer.bias,
    target,
  ]);
  let byKey = featureCache.get(layer.weights);
  if (!byKey) featureCache.set(layer.weights, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const features = computeFeatures(layer, target);
  byKey.set(key, features);
  return features;
}

function computeFeatures(layer: Conv2dLayer, target: SynthTarget): Features {
  const f: Features = {
    ...swuFeatures(layer, target),
    ...mvuFeatures(layer, target),
    ...requantFeatures(layer, target),
    ...thresholdFeatures(layer, target),
    ...serializerFeatures(layer),
  };
  return {
    ...f,
    // counters, handshakes and address arithmetic: the same for every folding
    "engine.control": 1,
    "memory.ramLogicBits": sumOf(f, ["swu.ramLogicBits"]),
    "memory.lutramLuts": sumOf(f, ["swu.lutramLuts", "mvu.lutramLuts", "threshold.lutramLuts", "requant.lutramLuts"]),
    "memory.romLuts": sumOf(f, ["swu.romLuts", "mvu.romLuts", "threshold.romLuts", "requant.romLuts"]),
    // per PE: accumulator, requant rounding/saturation or threshold compare, serializer mux
    "pe.datapathBits": sumOf(f, ["mvu.accBits", "requant.sumBits", "threshold.compareBits", "serializer.holdBits"]),
    // per PE: accumulator, requant or threshold output register, serializer hold register
    "pe.registerBits": sumOf(f, ["mvu.accBits", "requant.outBits", "serializer.holdBits"]) + (layer.out.kind === "threshold" ? layer.arch.pe : 0),
  };
}

/**
 * Engine-formula features of a pool's sliding-window unit and serializer (the
 * engines' templates, so the engines' coefficients apply), without the engine's
 * control, MVU and output stage.
 */
export function windowFeatures(swu: Conv2dLayer, serializer: Conv2dLayer | undefined, target: SynthTarget): Features {
  const f: Features = { ...swuFeatures(swu, target), ...(serializer ? serializerFeatures(serializer) : {}) };
  const hold = f["serializer.holdBits"] ?? 0;
  return {
    ...f,
    "memory.ramLogicBits": f["swu.ramLogicBits"] ?? 0,
    "memory.lutramLuts": f["swu.lutramLuts"] ?? 0,
    "memory.romLuts": f["swu.romLuts"] ?? 0,
    "pe.datapathBits": hold,
    "pe.registerBits": hold,
  };
}

// ------------------------------------------------------------------ the committed fit

export interface FittedResource {
  /** feature → coefficient (resources per unit of the feature) and its standard error. */
  readonly coefficients: Readonly<Record<string, { readonly value: number; readonly stdError: number }>>;
  readonly inSample: ErrorStats;
  readonly heldOut: ErrorStats;
}

export interface ResourceModelFile {
  readonly quantrtlResourceModel: 1;
  readonly fittedAt: string;
  readonly generator: string;
  readonly yosys: string;
  readonly command: string;
  readonly formula: Readonly<Record<ResourceKind, readonly string[]>>;
  readonly unitFormula: Readonly<Record<ResourceKind, readonly string[]>>;
  readonly families: Readonly<
    Record<
      string,
      {
        readonly board: string;
        readonly resources: Readonly<Record<ResourceKind, FittedResource>>;
        readonly units: Readonly<Record<ResourceKind, FittedResource>>;
      }
    >
  >;
  readonly designs: readonly {
    readonly name: string;
    readonly datapath: string;
    readonly bits: number;
    readonly useDsp: boolean;
    readonly shape: Readonly<Record<string, unknown>>;
    readonly heldOut: boolean;
    readonly results: Readonly<Record<string, { readonly measured: Resources; readonly estimate: Resources }>>;
  }[];
  readonly unitDesigns: readonly {
    readonly name: string;
    readonly kind: string;
    readonly heldOut: boolean;
    readonly results: Readonly<Record<string, { readonly measured: Resources; readonly estimate: Resources }>>;
  }[];
}

const nonNeg = { type: "number", minimum: 0 };
const stats = {
  type: "object",
  required: ["designs", "relRms", "relWorst", "absAtZero"],
  additionalProperties: false,
  properties: { designs: { type: "integer", minimum: 0 }, relRms: nonNeg, relWorst: nonNeg, absAtZero: nonNeg },
};
const resources = {
  type: "object",
  required: [...RESOURCE_KINDS],
  additionalProperties: false,
  properties: Object.fromEntries(RESOURCE_KINDS.map((k) => [k, nonNeg])),
};
const fitted = {
  type: "object",
  required: ["coefficients", "inSample", "heldOut"],
  additionalProperties: false,
  properties: {
    coefficients: {
      type: "object",
      additionalProperties: { type: "object", required: ["value", "stdError"], additionalProperties: false, properties: { value: nonNeg, stdError: nonNeg } },
    },
    inSample: stats,
    heldOut: stats,
  },
};
const formulaSchema = {
  type: "object",
  required: [...RESOURCE_KINDS],
  additionalProperties: false,
  properties: Object.fromEntries(RESOURCE_KINDS.map((k) => [k, { type: "array", items: { type: "string" } }])),
};
const fittedResources = {
  type: "object",
  required: [...RESOURCE_KINDS],
  additionalProperties: false,
  properties: Object.fromEntries(RESOURCE_KINDS.map((k) => [k, fitted])),
};
const results = {
  type: "object",
  additionalProperties: {
    type: "object",
    required: ["measured", "estimate"],
    additionalProperties: false,
    properties: { measured: resources, estimate: resources },
  },
};
export const resourceModelSchema = {
  type: "object",
  required: ["quantrtlResourceModel", "fittedAt", "generator", "yosys", "command", "formula", "unitFormula", "families", "designs", "unitDesigns"],
  additionalProperties: false,
  properties: {
    quantrtlResourceModel: { const: 1 },
    fittedAt: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}" },
    generator: { type: "string" },
    yosys: { type: "string" },
    command: { type: "string" },
    formula: formulaSchema,
    unitFormula: formulaSchema,
    families: {
      type: "object",
      minProperties: 1,
      propertyNames: { enum: ["xilinx", "ice40", "ecp5"] },
      additionalProperties: {
        type: "object",
        required: ["board", "resources", "units"],
        additionalProperties: false,
        properties: { board: { type: "string" }, resources: fittedResources, units: fittedResources },
      },
    },
    designs: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "datapath", "bits", "useDsp", "shape", "heldOut", "results"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          datapath: { enum: ["mac", "adder", "xnor", "shift"] },
          bits: { enum: [1, 8, 16] },
          useDsp: { type: "boolean" },
          shape: { type: "object" },
          heldOut: { type: "boolean" },
          results,
        },
      },
    },
    unitDesigns: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "kind", "heldOut", "results"],
        additionalProperties: false,
        properties: { name: { type: "string" }, kind: { type: "string" }, heldOut: { type: "boolean" }, results },
      },
    },
  },
} as const;

const validateResourceModel = compileSchema(resourceModelSchema);

export const RESOURCE_MODEL_FILE = join("hw", "resource-model.json");

/** Parses and validates a resource-model document (the committed fit, or one under test). */
export function parseResourceModel(doc: unknown, file?: string): ResourceModelFile {
  validateDocument(validateResourceModel(), doc, file);
  const m = doc as ResourceModelFile;
  for (const [family, f] of Object.entries(m.families)) {
    for (const [part, formula] of [
      ["resources", m.formula],
      ["units", m.unitFormula],
    ] as const) {
      for (const kind of RESOURCE_KINDS) {
        for (const name of Object.keys(f[part][kind].coefficients)) {
          if (!formula[kind].includes(name)) {
            throw new QuantrtlError(
              file,
              `/families/${family}/${part}/${kind}/coefficients/${name}`,
              "is not a feature of the formula",
              `use one of ${formula[kind].join(", ")}`,
            );
          }
        }
      }
    }
  }
  return m;
}

/** The committed fit (hw/resource-model.json), read and validated once. */
export const resourceModel: () => ResourceModelFile = committedFile(RESOURCE_MODEL_FILE, parseResourceModel);

/** The error bar of each resource for a family: held-out RMS, worst relative and absolute error. */
export function errorBars(
  family: string,
  model: ResourceModelFile = resourceModel(),
  part: "resources" | "units" = "resources",
): Record<ResourceKind, ErrorBar> {
  const f = { resources: fittedFamily(family, model)[part] };
  const bar = (r: FittedResource): ErrorBar => ({
    relRms: r.heldOut.relRms,
    relWorst: Math.max(r.inSample.relWorst, r.heldOut.relWorst),
    absAtZero: Math.max(r.inSample.absAtZero, r.heldOut.absAtZero),
  });
  return { lut: bar(f.resources.lut), ff: bar(f.resources.ff), dsp: bar(f.resources.dsp), bramBits: bar(f.resources.bramBits) };
}

export function fittedFamily(family: string, model: ResourceModelFile = resourceModel()) {
  const f = model.families[family];
  if (!f) {
    throw new QuantrtlError(
      undefined,
      "yosysFamily",
      `no fitted resource model for the Yosys family "${family}"`,
      `fitted families: ${Object.keys(model.families).join(", ")} (run \`npm run fit-resources\` to fit another)`,
    );
  }
  return f;
}

/** One resource from features and the family's coefficients (not rounded). */
export function applyCoefficients(features: Features, fit: FittedResource): number {
  let sum = 0;
  for (const [name, c] of Object.entries(fit.coefficients)) sum += c.value * (features[name] ?? 0);
  return sum;
}

/** The estimate of every resource from features, under one family's fitted coefficients. */
export function estimateWithFit(features: Features, fit: Readonly<Record<ResourceKind, FittedResource>>): Resources {
  const r = (kind: ResourceKind) => Math.max(0, Math.round(applyCoefficients(features, fit[kind])));
  return { lut: r("lut"), ff: r("ff"), dsp: r("dsp"), bramBits: r("bramBits") };
}

/** The estimate of every resource from features, under the committed fit of a family. */
export function estimateFromFeatures(features: Features, family: string, model: ResourceModelFile = resourceModel()): Resources {
  return estimateWithFit(features, fittedFamily(family, model).resources);
}

export function estimateEngine(layer: Conv2dLayer, board: Board, options: EstimateOptions = {}, model: ResourceModelFile = resourceModel()): EngineEstimate {
  // the family first: its fit decides whether there is anything to estimate with
  const fit = fittedFamily(board.yosysFamily, model);
  const features = engineFeatures(layer, synthTarget(board, options.useDsp ?? true));
  const est = estimateWithFit(features, fit.resources);
  const spramBits = features["mvu.spramBits"] ?? 0;
  const bank = swuBanking(layer);
  const { pe, simd, nf, sf } = foldCounts(layer);
  return {
    layer: layer.name,
    ...est,
    ...(spramBits > 0 ? { spramBits } : {}),
    lineBufferBits: bank.banks * bank.bankDepth * layer.input.bits,
    weightRomBits: nf * sf * pe * simd * weightField(layer).bits,
    source: "yosys-fit",
    family: board.yosysFamily,
    errorBar: errorBars(board.yosysFamily, model),
  };
}

export function sumResources(parts: readonly Resources[]): Resources {
  const sum = parts.reduce((a, b) => ({ lut: a.lut + b.lut, ff: a.ff + b.ff, dsp: a.dsp + b.dsp, bramBits: a.bramBits + b.bramBits }), {
    lut: 0,
    ff: 0,
    dsp: 0,
    bramBits: 0,
  });
  const spramBits = parts.reduce((n, p) => n + (p.spramBits ?? 0), 0);
  return spramBits > 0 ? { ...sum, spramBits } : sum;
}

/** Fraction of the board each resource takes (block RAM against BRAM/EBR bits). */
export function boardFraction(r: Resources, board: Board): Resources {
  const f = (used: number, have: number) => (have > 0 ? used / have : used > 0 ? Infinity : 0);
  return {
    lut: f(r.lut, board.resources.lut),
    ff: f(r.ff, board.resources.ff),
    dsp: f(r.dsp, board.resources.dsp),
    bramBits: f(r.bramBits, board.resources.bramBits),
  };
}

export function fits(r: Resources, board: Board, maxFraction = 0.8): boolean {
  const fr = boardFraction(r, board);
  // SPRAM, like DSP, is a handful of whole blocks outside the fabric: every one may be used
  const spram = r.spramBits ? r.spramBits <= board.resources.spramBits : true;
  return fr.lut <= maxFraction && fr.ff <= maxFraction && fr.dsp <= 1 && fr.bramBits <= maxFraction && spram;
}
