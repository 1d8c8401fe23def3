/**
 * First-order resource model of one conv engine, per unit, from its parameters.
 * NOT yet calibrated against synthesis (the Yosys-fitted model replaces these
 * coefficients); every coefficient below says what it stands for, so a reader can
 * judge it. Used by the folding choice to stay within a board.
 */
import { Conv2dLayer } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { foldCounts } from "../codegen/units/folding.js";
import { layerAccBits } from "../codegen/units/mvu.js";
import { contributionBits } from "../codegen/units/pe.js";

export interface Resources {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  /** Bits that go to block RAM (weight ROMs above the distributed-memory threshold). */
  readonly bramBits: number;
}

export interface EngineEstimate extends Resources {
  readonly layer: string;
  readonly lineBufferBits: number;
  readonly weightRomBits: number;
  readonly source: "first-order";
}

/** ROMs up to this size stay in LUTs (distributed ROM) — a typical synthesis threshold. */
const DISTRIBUTED_ROM_BITS = 4096;
/** LUT6 covers 64 ROM bits; LUT4 covers 16. */
const romBitsPerLut = (board: Board) => (board.resources.lutType === "LUT6" ? 64 : 16);
/** A 4:1 mux per LUT6, 2:1 per LUT4: a read port over D words of B bits costs ≈ B·D/muxPerLut LUTs. */
const muxPerLut = (board: Board) => (board.resources.lutType === "LUT6" ? 4 : 2);
/** Widest multiplier operands one DSP takes (signed). */
function dspOperandBits(board: Board): [number, number] {
  switch (board.resources.dspType) {
    case "DSP48E1":
      return [25, 18];
    case "DSP48E2":
      return [27, 18];
    case "SB_MAC16":
      return [16, 16];
    default:
      return [18, 18];
  }
}

function dspsFor(a: number, b: number, board: Board): number {
  const [p, q] = dspOperandBits(board);
  const [x, y] = a >= b ? [a, b] : [b, a];
  return Math.ceil(x / p) * Math.ceil(y / q);
}

export interface EstimateOptions {
  /** false: multipliers in LUTs (≈ bx·bw LUTs per lane, an array multiplier), as synthesis with -nodsp. */
  readonly useDsp?: boolean;
}

export function estimateEngine(layer: Conv2dLayer, board: Board, options: EstimateOptions = {}): EngineEstimate {
  const useDsp = options.useDsp ?? true;
  const { pe, simd, nf, sf } = foldCounts(layer);
  const bx = layer.input.bits;
  const bw = layer.weightBits;
  const accW = layerAccBits(layer);
  const cw = contributionBits(layer);
  const lineBufferBits = (layer.kernel[0] + layer.stride[0]) * layer.input.width * layer.input.channels * bx;
  const weightRomBits = nf * sf * pe * simd * bw;
  const lanes = pe * simd;

  let lut = 0;
  let ff = 0;
  let dsp = 0;
  // PE lanes
  if (layer.datapath === "mac" && useDsp) dsp += lanes * dspsFor(bx, bw, board);
  else if (layer.datapath === "mac") lut += lanes * bx * bw;
  else if (layer.datapath === "adder") lut += lanes * 2 * (bx + 1); // subtract + conditional negate, one LUT per bit each
  else if (layer.datapath === "shift") lut += lanes * (bx + bw) * 2; // barrel shift (≈ log2(P+1)/2 LUT6 levels) + conditional negate
  else lut += lanes; // xnor + ±1 select
  // adder tree per PE (SIMD−1 adders of ≈ CW bits, one LUT per bit on a carry chain) and accumulator
  lut += pe * ((simd - 1) * cw + accW);
  ff += pe * accW + simd * bx + lanes * bw; // accumulators, stage-1 slice and weight registers
  // requant (or threshold) per PE: the acc × m product and the rounding/saturation adders
  if (layer.out.kind === "requant") {
    const mBits = layer.out.params.multiplierBits + 1;
    if (useDsp) dsp += pe * dspsFor(accW, mBits, board);
    else lut += pe * accW * mBits;
    lut += pe * 3 * (accW + layer.out.params.multiplierBits);
  } else {
    lut += pe * accW;
  }
  ff += pe * layer.output.bits * 2; // requant register + serializer
  // sliding window: line buffer in registers, SIMD read ports over it
  ff += lineBufferBits;
  const depth = lineBufferBits / bx;
  lut += Math.ceil((simd * bx * depth) / muxPerLut(board));
  lut += 200; // counters, comparators and address arithmetic of the SWU, MVU and serializer
  // weight ROM: distributed below the threshold, block RAM above
  const bramBits = weightRomBits > DISTRIBUTED_ROM_BITS ? weightRomBits : 0;
  if (bramBits === 0) lut += Math.ceil(weightRomBits / romBitsPerLut(board));
  return { layer: layer.name, lut: Math.round(lut), ff: Math.round(ff), dsp, bramBits, lineBufferBits, weightRomBits, source: "first-order" };
}

export function sumResources(parts: readonly Resources[]): Resources {
  return parts.reduce((a, b) => ({ lut: a.lut + b.lut, ff: a.ff + b.ff, dsp: a.dsp + b.dsp, bramBits: a.bramBits + b.bramBits }), { lut: 0, ff: 0, dsp: 0, bramBits: 0 });
}

/** Fraction of the board each resource takes (block RAM against BRAM/EBR bits). */
export function boardFraction(r: Resources, board: Board): Resources {
  const f = (used: number, have: number) => (have > 0 ? used / have : used > 0 ? Infinity : 0);
  return { lut: f(r.lut, board.resources.lut), ff: f(r.ff, board.resources.ff), dsp: f(r.dsp, board.resources.dsp), bramBits: f(r.bramBits, board.resources.bramBits) };
}

export function fits(r: Resources, board: Board, maxFraction = 0.8): boolean {
  const fr = boardFraction(r, board);
  return fr.lut <= maxFraction && fr.ff <= maxFraction && fr.dsp <= 1 && fr.bramBits <= maxFraction;
}
