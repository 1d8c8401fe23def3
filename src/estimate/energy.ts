/**
 * ASIC-style energy per inference from published 45 nm per-operation figures
 * (Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm, 0.9 V; table in
 * docs/figures.md). A technology-neutral view for comparing datapaths
 * (the AdderNet claim: adds instead of multiplies) — not an FPGA power figure
 * (that is power.ts). Counts are per inference of one input frame.
 */
import { Conv2dLayer, Model, outputPixels, reductionLength, engineLayers, isEngineLayer, Layer, MODEL_INPUT } from "../ir/model.js";
import { foldCounts } from "../ir/folding.js";
import { layerAccBits } from "../hw/units/mvu/params.js";
import { isWidthBoundLayer } from "../hw/layers/index.js";
import { nearestShiftWeight, type Datapath } from "../arith/datapath.js";
import { DEFAULT_MULTIPLIER_BITS } from "../arith/requant.js";

export interface OpEnergy {
  readonly pJ: number;
  readonly source: string;
  /** True when the figure is computed by us from the table, not read from it. */
  readonly derived: boolean;
}

const HOROWITZ = "Horowitz ISSCC 2014, 45 nm, 0.9 V";
const table = (pJ: number, what: string): OpEnergy => ({ pJ, source: `${HOROWITZ}: ${what}`, derived: false });

/**
 * Quadratic fit E(w) = a + b·w² through the 8- and 32-bit int multiply points:
 * an array multiplier has w² partial-product cells, so energy grows with w².
 *   b = (3.1 − 0.2) / (32² − 8²) = 2.9 / 960 ≈ 0.0030208 pJ/bit²
 *   a = 0.2 − 64·b ≈ 0.0066667 pJ
 *   E(16) = a + 256·b = 0.2 + 192·2.9/960 = 0.2 + 0.58 = 0.78 pJ
 */
const MUL_B = (3.1 - 0.2) / (32 * 32 - 8 * 8);
const MUL_A = 0.2 - 8 * 8 * MUL_B;

/** The published table (figures.md), plus the derived 16-bit int multiply. All pJ. */
export const HOROWITZ_45NM = {
  intAdd: { 8: table(0.03, "8-bit int add"), 16: table(0.05, "16-bit int add"), 32: table(0.1, "32-bit int add") },
  intMultiply: {
    8: table(0.2, "8-bit int multiply"),
    16: {
      pJ: MUL_A + MUL_B * 16 * 16,
      source: `[ours] derived from ${HOROWITZ}: quadratic in width through the 8-bit (0.2 pJ) and 32-bit (3.1 pJ) points, E = a + b·w², E(16) = 0.2 + 192·2.9/960 = 0.78 pJ`,
      derived: true,
    } as OpEnergy,
    32: table(3.1, "32-bit int multiply"),
  },
  floatAdd: { 16: table(0.4, "16-bit float add"), 32: table(0.9, "32-bit float add") },
  floatMultiply: { 16: table(1.1, "16-bit float multiply"), 32: table(3.7, "32-bit float multiply") },
  sramRead64: { "8KB": table(10, "64-bit SRAM read, 8 KB"), "32KB": table(20, "64-bit SRAM read, 32 KB"), "1MB": table(100, "64-bit SRAM read, 1 MB") },
  dramRead64: { low: table(1300, "64-bit DRAM read, low end of 1,300–2,600"), high: table(2600, "64-bit DRAM read, high end of 1,300–2,600") },
} as const;

export type SramSize = keyof typeof HOROWITZ_45NM.sramRead64;
const SRAM_SIZES: readonly [SramSize, number][] = [
  ["8KB", 8 * 1024],
  ["32KB", 32 * 1024],
  ["1MB", 1024 * 1024],
];

const ADD_POINTS: readonly [number, number][] = [
  [8, 0.03],
  [16, 0.05],
  [32, 0.1],
];

/**
 * Integer add of `bits` bits: the table at 8/16/32; piecewise-linear in width
 * between them (a ripple/prefix adder's energy is ≈ linear in width); below
 * 8 bits and above 32 bits, proportional to width from the nearest point —
 * so a 1-bit add is 0.03/8 = 0.00375 pJ.
 */
export function intAddEnergy(bits: number): OpEnergy {
  const exact = ADD_POINTS.find(([w]) => w === bits);
  if (exact) return HOROWITZ_45NM.intAdd[exact[0] as 8 | 16 | 32];
  let pJ: number;
  if (bits < 8) pJ = (0.03 * bits) / 8;
  else if (bits > 32) pJ = (0.1 * bits) / 32;
  else {
    const i = ADD_POINTS.findIndex(([w]) => w > bits);
    const [w0, e0] = ADD_POINTS[i - 1];
    const [w1, e1] = ADD_POINTS[i];
    pJ = e0 + ((e1 - e0) * (bits - w0)) / (w1 - w0);
  }
  return { pJ, source: `[ours] derived from ${HOROWITZ} int adds (8/16/32-bit): linear in width`, derived: true };
}

/** Integer multiply of `bits`×`bits`: the table at 8 and 32, else the quadratic fit above. */
export function intMultiplyEnergy(bits: number): OpEnergy {
  if (bits === 8 || bits === 16 || bits === 32) return HOROWITZ_45NM.intMultiply[bits];
  return {
    pJ: MUL_A + MUL_B * bits * bits,
    source: `[ours] derived from ${HOROWITZ}: E = a + b·w² through the 8- and 32-bit int multiply points`,
    derived: true,
  };
}

/** [ours] one XNOR gate ≈ one 1-bit add (an upper bound: a full adder holds two XOR/XNOR gates). */
export const XNOR_GATE: OpEnergy = { pJ: 0.03 / 8, source: `[ours] assumption: one XNOR gate ≈ one 1-bit add = 8-bit add / 8 (${HOROWITZ})`, derived: true };
/** [ours] a popcount of K bits ≈ K one-bit adds (a counter tree has ≈ K full/half-adder cells). */
export const POPCOUNT_BIT_ADD: OpEnergy = {
  pJ: 0.03 / 8,
  source: `[ours] assumption: popcount of K bits ≈ K one-bit adds, each 8-bit add / 8 (${HOROWITZ})`,
  derived: true,
};

export interface OpCounts {
  /** All integer adds, subtracts, absolute values, compares (each counts as one add). */
  adds: number;
  multiplies: number;
  /** K-bit popcounts (one per output element of an xnor layer). */
  xnorPopcounts: number;
  xnorGates: number;
  popcountBitAdds: number;
  addsByWidth: Record<string, number>;
  multipliesByWidth: Record<string, number>;
  addsByKind: { accumulate: number; subtract: number; abs: number; bias: number; compare: number; shift: number };
}

export interface LayerEnergy {
  readonly layer: string;
  readonly datapath: Datapath;
  readonly ops: OpCounts;
  readonly computePicojoules: number;
  readonly sramWeightBytes: number;
  readonly sramActivationBytes: number;
  readonly weightBuffer: SramSize;
  readonly activationBuffer: SramSize;
  readonly sramPicojoules: number;
}

export interface EnergyReport {
  readonly model: string;
  readonly ops: OpCounts;
  readonly layers: readonly LayerEnergy[];
  readonly sramBytes: number;
  readonly dramBytes: number;
  readonly energyPicojoules: {
    readonly compute: number;
    readonly sram: number;
    /** At opts.dram (default "low"); dramRange gives both ends. */
    readonly dram: number;
    readonly total: number;
    readonly dramRange: { readonly low: number; readonly high: number };
    readonly totalRange: { readonly low: number; readonly high: number };
  };
  /** Every per-op figure used, by the name it is counted under. */
  readonly perOp: Record<string, OpEnergy>;
  readonly assumptions: string[];
}

export interface EnergyOptions {
  /** SRAM figure for every buffer; default: the smallest table size that holds the buffer. */
  readonly sram?: SramSize;
  /** End of the DRAM range used for `dram` and `total` (default "low"). */
  readonly dram?: "low" | "high";
}

export const ENERGY_ASSUMPTIONS: readonly string[] = [
  `Per-op energies: ${HOROWITZ} (docs/figures.md); the 16-bit int multiply is derived (quadratic in width between the 8- and 32-bit points: 0.78 pJ); adds of other widths are linear in width between the 8/16/32-bit points.`,
  "mac: per output element, K multiplies at the wider operand width and K accumulate adds at the accumulator width.",
  "adder: per output element, K subtracts and K absolute values at the operand width (an abs counts as an add), and K accumulate adds at the accumulator width.",
  "xnor: per output element, K XNOR gates (each ≈ one 1-bit add) and a popcount of K bits counted as K one-bit adds = K × (8-bit add / 8); the threshold compare is one add at the accumulator width.",
  "Per output element: one requant multiply (accumulator width × multiplierBits + 1, quadratic fit) for requant layers, one bias add at the accumulator width when the layer has a bias.",
  "SRAM: each weight is read once per output pixel (the whole folded weight ROM, NF·SF·PE·SIMD words, per pixel); each activation once per window position (P × K reads; the re-use across the NF neuron folds comes from registers and is not counted). Reads are packed into 64-bit words (energy per bit = 64-bit read / 64); each buffer is charged at the smallest table size (8 KB, 32 KB, 1 MB) that holds it (activation buffer = (kh + sh) rows of the input, as resources.ts), and at 1 MB above that.",
  "DRAM: the model input and the model output once per inference, nothing else: the streaming design keeps every weight in on-chip ROM (charged as SRAM reads above) and every intermediate activation in on-chip buffers; 64-bit DRAM read 1,300–2,600 pJ, writes charged as reads.",
  "Control, address arithmetic, clocking and leakage are not counted.",
];

function bump(rec: Record<string, number>, key: number, n: number): void {
  rec[String(key)] = (rec[String(key)] ?? 0) + n;
}

function emptyOps(): OpCounts {
  return {
    adds: 0,
    multiplies: 0,
    xnorPopcounts: 0,
    xnorGates: 0,
    popcountBitAdds: 0,
    addsByWidth: {},
    multipliesByWidth: {},
    addsByKind: { accumulate: 0, subtract: 0, abs: 0, bias: 0, compare: 0, shift: 0 },
  };
}

function sramSizeFor(bytes: number, fixed?: SramSize): SramSize {
  if (fixed) return fixed;
  return (SRAM_SIZES.find(([, cap]) => bytes <= cap) ?? SRAM_SIZES[SRAM_SIZES.length - 1])[0];
}

/** Ops of one conv layer per inference (see ENERGY_ASSUMPTIONS). */
export function countLayerOps(layer: Conv2dLayer): OpCounts {
  const ops = emptyOps();
  const K = reductionLength(layer);
  const outputs = outputPixels(layer) * layer.output.channels;
  const accW = layerAccBits(layer);
  const add = (kind: keyof OpCounts["addsByKind"], width: number, n: number) => {
    ops.adds += n;
    ops.addsByKind[kind] += n;
    bump(ops.addsByWidth, width, n);
  };
  const mul = (width: number, n: number) => {
    ops.multiplies += n;
    bump(ops.multipliesByWidth, width, n);
  };
  switch (layer.datapath) {
    case "mac":
      mul(Math.max(layer.input.bits, layer.weightBits), K * outputs);
      add("accumulate", accW, K * outputs);
      break;
    case "adder":
      // |x − w| of two b-bit values fits b bits unsigned: a b-bit subtract (with carry out) and a b-bit conditional negate
      add("subtract", layer.input.bits, K * outputs);
      add("abs", layer.input.bits, K * outputs);
      add("accumulate", accW, K * outputs);
      break;
    case "xnor":
      ops.xnorGates += K * outputs;
      ops.popcountBitAdds += K * outputs;
      ops.xnorPopcounts += outputs;
      break;
    case "shift": {
      // [ours] a barrel shift of x by q ≤ P costs about one add at the shifted width
      // (log2(P+1) levels of 2:1 muxes over bx+P bits); the sign is an add's carry-in
      const shifted = layer.input.bits + layer.weightBits - 2;
      add("shift", shifted, K * outputs);
      add("accumulate", accW, K * outputs);
      break;
    }
  }
  if (layer.bias) add("bias", accW, outputs);
  if (layer.out.kind === "requant") mul(Math.max(accW, layer.out.params.multiplierBits + 1), outputs);
  else add("compare", accW, outputs);
  return ops;
}

function mergeOps(into: OpCounts, from: OpCounts): void {
  into.adds += from.adds;
  into.multiplies += from.multiplies;
  into.xnorPopcounts += from.xnorPopcounts;
  into.xnorGates += from.xnorGates;
  into.popcountBitAdds += from.popcountBitAdds;
  for (const [w, n] of Object.entries(from.addsByWidth)) bump(into.addsByWidth, Number(w), n);
  for (const [w, n] of Object.entries(from.multipliesByWidth)) bump(into.multipliesByWidth, Number(w), n);
  for (const kind of Object.keys(into.addsByKind) as (keyof OpCounts["addsByKind"])[]) into.addsByKind[kind] += from.addsByKind[kind];
}

function computeEnergy(ops: OpCounts, perOp: Record<string, OpEnergy>): number {
  let pJ = 0;
  for (const [w, n] of Object.entries(ops.addsByWidth)) {
    const e = intAddEnergy(Number(w));
    perOp[`add${w}`] = e;
    pJ += n * e.pJ;
  }
  for (const [w, n] of Object.entries(ops.multipliesByWidth)) {
    const e = intMultiplyEnergy(Number(w));
    perOp[`multiply${w}`] = e;
    pJ += n * e.pJ;
  }
  if (ops.xnorGates > 0) {
    perOp.xnorGate = XNOR_GATE;
    perOp.popcountBitAdd = POPCOUNT_BIT_ADD;
    pJ += ops.xnorGates * XNOR_GATE.pJ + ops.popcountBitAdds * POPCOUNT_BIT_ADD.pJ;
  }
  return pJ;
}

/** Bytes the streaming design moves off chip per inference: the model input in and the model output out (weights and activations stay on chip). */
export function streamingDramBytes(model: Model): { readonly input: number; readonly output: number } {
  const last = model.layers[model.layers.length - 1];
  const outBits = last ? last.output.height * last.output.width * last.output.channels * last.output.bits : 0;
  return { input: (model.input.height * model.input.width * model.input.channels * model.input.bits) / 8, output: outBits / 8 };
}

/** Energy of one inference (J) from the operation counts of every engine layer and the DRAM traffic. */
export function energyPerInference(model: Model, opts: EnergyOptions = {}): EnergyReport {
  const perOp: Record<string, OpEnergy> = {};
  const ops = emptyOps();
  const layers: LayerEnergy[] = [];
  for (const layer of engineLayers(model)) {
    const layerOps = countLayerOps(layer);
    mergeOps(ops, layerOps);
    const { pe, simd, nf, sf } = foldCounts(layer);
    const P = outputPixels(layer);
    const K = reductionLength(layer);
    const romBits = nf * sf * pe * simd * layer.weightBits;
    const lineBufferBits = (layer.kernel[0] + layer.stride[0]) * layer.input.width * layer.input.channels * layer.input.bits;
    const sramWeightBytes = (P * romBits) / 8;
    const sramActivationBytes = (P * K * layer.input.bits) / 8;
    const weightBuffer = sramSizeFor(romBits / 8, opts.sram);
    const activationBuffer = sramSizeFor(lineBufferBits / 8, opts.sram);
    const wRead = HOROWITZ_45NM.sramRead64[weightBuffer];
    const aRead = HOROWITZ_45NM.sramRead64[activationBuffer];
    perOp[`sramRead64_${weightBuffer}`] = wRead;
    perOp[`sramRead64_${activationBuffer}`] = aRead;
    // 8 bytes per 64-bit read
    const sramPicojoules = (sramWeightBytes / 8) * wRead.pJ + (sramActivationBytes / 8) * aRead.pJ;
    layers.push({
      layer: layer.name,
      datapath: layer.datapath,
      ops: layerOps,
      computePicojoules: computeEnergy(layerOps, {}),
      sramWeightBytes,
      sramActivationBytes,
      weightBuffer,
      activationBuffer,
      sramPicojoules,
    });
  }

  const compute = computeEnergy(ops, perOp);
  const sram = layers.reduce((s, l) => s + l.sramPicojoules, 0);
  const sramBytes = layers.reduce((s, l) => s + l.sramWeightBytes + l.sramActivationBytes, 0);
  const offChip = streamingDramBytes(model);
  const dramBytes = offChip.input + offChip.output;
  perOp.dramRead64_low = HOROWITZ_45NM.dramRead64.low;
  perOp.dramRead64_high = HOROWITZ_45NM.dramRead64.high;
  const dramRange = { low: (dramBytes / 8) * HOROWITZ_45NM.dramRead64.low.pJ, high: (dramBytes / 8) * HOROWITZ_45NM.dramRead64.high.pJ };
  const dram = dramRange[opts.dram ?? "low"];
  return {
    model: model.name,
    ops,
    layers,
    sramBytes,
    dramBytes,
    energyPicojoules: {
      compute,
      sram,
      dram,
      total: compute + sram + dram,
      dramRange,
      totalRange: { low: compute + sram + dramRange.low, high: compute + sram + dramRange.high },
    },
    perOp,
    assumptions: [...ENERGY_ASSUMPTIONS],
  };
}

/** Operand width of a multi-bit rebuild (xnor is always 1 bit). */
export type RebuildBits = 8 | 16;

/** Tensor widths after a rebuild with another datapath: engines at its width, the others passing theirs on (by name: the graph may branch). */
function rebuiltWidths(model: Model, datapath: Datapath, width: number = 8): { bits: number; inBits: Map<string, number>; outBits: Map<string, number> } {
  const bits = datapath === "xnor" ? 1 : width;
  const outBits = new Map<string, number>([[MODEL_INPUT, bits]]);
  const inBits = new Map<string, number>();
  for (const layer of model.layers) {
    const inb = outBits.get(layer.inputs[0])!;
    inBits.set(layer.name, inb);
    if (isEngineLayer(layer)) outBits.set(layer.name, bits);
    else {
      const passes = layer.kind === "maxpool" || layer.kind === "relu" || layer.kind === "flatten";
      // a unit built for its width keeps it: the rebuild applies only where that width is unchanged
      outBits.set(layer.name, passes ? inb : layer.kind === "argmax" || isWidthBoundLayer(layer) ? layer.output.bits : width);
    }
  }
  return { bits, inBits, outBits };
}

/**
 * Why the model cannot be rebuilt with `datapath`, or undefined when it can: a unit whose
 * parameters follow from its input width (the integer ViT units) would get another width —
 * an xnor rebuild feeds 1-bit activations to an attention built for 8-bit ones.
 */
export function datapathRebuildBlocker(model: Model, datapath: Datapath, width: number = 8): string | undefined {
  const { inBits } = rebuiltWidths(model, datapath, width);
  for (const layer of model.layers) {
    if (isWidthBoundLayer(layer) && inBits.get(layer.name) !== layer.input.bits) {
      return `${layer.kind} layer "${layer.name}" is built for ${layer.input.bits}-bit inputs; ${datapath === "adder" || datapath === "xnor" ? "an" : "a"} ${datapath} rebuild would feed it ${inBits.get(layer.name)}-bit ones`;
    }
  }
  return undefined;
}

/**
 * The same layer shapes with another datapath: mac/adder/shift at `width` bits (8 unless asked), xnor at 1 bit.
 * For op counting only: weights, thresholds and the hash are not converted.
 * Throws when datapathRebuildBlocker names a reason (callers check it first).
 */
export function withDatapath(model: Model, datapath: Datapath, width: number = 8): Model {
  const blocker = datapathRebuildBlocker(model, datapath, width);
  if (blocker) throw new Error(`withDatapath: ${blocker}`);
  const { bits, inBits, outBits } = rebuiltWidths(model, datapath, width);
  const layers = model.layers.map((layer): Layer => {
    const inb = inBits.get(layer.name)!;
    if (!isEngineLayer(layer)) {
      return { ...layer, input: { ...layer.input, bits: inb }, output: { ...layer.output, bits: outBits.get(layer.name)! } } as Layer;
    }
    const out: Conv2dLayer["out"] =
      datapath === "xnor"
        ? { kind: "threshold", thresholds: new Int32Array(layer.output.channels), directions: new Array(layer.output.channels).fill("ge") }
        : layer.out.kind === "requant"
          ? // per-channel multipliers stay (the rebuilt engine keeps its multiplier ROM)
            { ...layer.out, params: { ...layer.out.params, outBits: bits } }
          : {
              kind: "requant",
              params: { multiplier: 1, multiplierBits: DEFAULT_MULTIPLIER_BITS, shift: 0, rounding: "floor", outBits: bits, zeroPoint: 0, relu: false },
            };
    return {
      ...layer,
      datapath,
      input: { ...layer.input, bits: inb },
      output: { ...layer.output, bits },
      weightBits: bits,
      // shift weights are powers of two: the nearest one in log scale
      weights: datapath === "shift" ? layer.weights.map((w) => nearestShiftWeight(w, bits)) : layer.weights,
      // an xnor layer folds its bias into the thresholds; the others keep it
      bias: datapath === "xnor" ? undefined : layer.bias,
      out,
    };
  });
  return { ...model, name: `${model.name}-${datapath}${width === 8 || datapath === "xnor" ? "" : `-${width}bit`}`, input: { ...model.input, bits }, layers };
}

export interface DatapathEnergyComparison {
  readonly mac: EnergyReport;
  readonly adder: EnergyReport;
  readonly xnor: EnergyReport;
  /** Compute energy of the adder rebuild over the mac rebuild (< 1 in the AdderNet direction). */
  readonly adderOverMacCompute: number;
  readonly xnorOverMacCompute: number;
}

/** Rebuilds the model as mac / adder (8-bit) and xnor (1-bit) with the same shapes and compares their energy. */
export function compareDatapathEnergy(model: Model, opts: EnergyOptions = {}): DatapathEnergyComparison {
  const mac = energyPerInference(withDatapath(model, "mac"), opts);
  const adder = energyPerInference(withDatapath(model, "adder"), opts);
  const xnor = energyPerInference(withDatapath(model, "xnor"), opts);
  return {
    mac,
    adder,
    xnor,
    adderOverMacCompute: adder.energyPicojoules.compute / mac.energyPicojoules.compute,
    xnorOverMacCompute: xnor.energyPicojoules.compute / mac.energyPicojoules.compute,
  };
}
