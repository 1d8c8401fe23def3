/**
 * Sliding-window unit parameters (templates/verilog/swu.v.hbs).
 *
 * The line buffer holds BR = KH + SY rows (row slot = absolute row mod BR, so the
 * writer fills the next SY rows while the reader works on the current window) and
 * is split into SIMD banks with one write and one synchronous read port each, so
 * synthesis maps every bank to one block RAM (or LUT RAM) instead of copying one
 * memory per read port. Element p of row r (a running row count that never resets)
 * lives in bank (p + ρ(r)) mod SIMD at word (p + ρ(r)) div SIMD of its slot, with
 * ρ(r) = r·M mod SIMD and M = KW·CIN the length of a window row segment. Window
 * element k of the pixel then sits in bank (β + k) mod SIMD for one β per pixel: a
 * SIMD slice (consecutive k, even across window rows) touches every bank once, and
 * the reader only rotates the banks' outputs by β. Row/column coordinates are biased
 * by the padding so that every counter is unsigned.
 */
import { Conv2dLayer, convPadValue, reductionLength } from "../../../ir/model.js";
import { counterBits, unsignedBitsFor } from "../../../arith/widths.js";
import { hexWord, literal, zext } from "../../verilog.js";
import { foldCounts } from "../../../ir/folding.js";

const mod = (a: number, m: number) => ((a % m) + m) % m;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** One window row touched by a SIMD slice: its ky, and the constants of its word address. */
export interface SliceRow {
  readonly ky: number;
  /** floor(ky·M / SIMD): whole words the row's bank rotation adds over window row 0. */
  readonly wordOffset: number;
  /** The row wraps into the next word when ρ(top row) ≥ this (SIMD − (ky·M mod SIMD); SIMD = never). */
  readonly wrapAt: number;
}

/** One synapse fold: which (ky, kx) each lane reads, and the window rows the slice spans. */
export interface SliceLanes {
  readonly lanes: readonly { readonly ky: number; readonly kx: number }[];
  readonly rows: readonly SliceRow[];
  /** First lane of rows[1], rows[2], … (SIMD where a slot of `rowsPerSlice` is unused). */
  readonly rowStarts: readonly number[];
}

export interface SwuBanking {
  /** Banks: one per SIMD lane. */
  readonly banks: number;
  /** M = KW·CIN, elements of one window row segment. */
  readonly windowRowElems: number;
  /** W·CIN, elements of one image row. */
  readonly rowElems: number;
  /** Words one row takes in a bank (elements shifted by at most max ρ). */
  readonly rowWords: number;
  /** Words per bank: BR · rowWords. */
  readonly bankDepth: number;
  /** Most window rows a slice spans (the slice-row table's length). */
  readonly rowsPerSlice: number;
  readonly slices: readonly SliceLanes[];
}

/** The bank layout and the per-fold lane table of the sliding-window unit. */
export function swuBanking(layer: Conv2dLayer): SwuBanking {
  const { width: W, channels: CIN } = layer.input;
  const [KH, KW] = layer.kernel;
  const { sf: SF, simd: SIMD } = foldCounts(layer);
  const M = KW * CIN;
  const K = reductionLength(layer);
  const rowElems = W * CIN;
  // ρ takes the multiples of gcd(M, SIMD) below SIMD
  const maxRho = SIMD - gcd(M, SIMD);
  const rowWords = Math.floor((rowElems - 1 + maxRho) / SIMD) + 1;
  const BR = KH + layer.stride[0];
  const slices: SliceLanes[] = [];
  for (let sf = 0; sf < SF; sf++) {
    const lanes: { ky: number; kx: number }[] = [];
    for (let l = 0; l < SIMD; l++) {
      const k = sf * SIMD + l;
      // lanes past K are masked in the MVU; they read (0, 0)
      lanes.push(k < K ? { ky: Math.floor(k / M), kx: Math.floor(k / CIN) % KW } : { ky: 0, kx: 0 });
    }
    const rows: SliceRow[] = [];
    const rowStarts: number[] = [];
    for (let l = 0; l < SIMD && sf * SIMD + l < K; l++) {
      const ky = Math.floor((sf * SIMD + l) / M);
      if (rows.length > 0 && rows[rows.length - 1].ky === ky) continue;
      if (rows.length > 0) rowStarts.push(l);
      rows.push({ ky, wordOffset: Math.floor((ky * M) / SIMD), wrapAt: SIMD - mod(ky * M, SIMD) });
    }
    slices.push({ lanes, rows, rowStarts });
  }
  const rowsPerSlice = Math.max(...slices.map((s) => s.rows.length));
  // pad every fold to rowsPerSlice rows: unused rows repeat the last and never start
  const padded = slices.map((s) => ({
    lanes: s.lanes,
    rows: Array.from({ length: rowsPerSlice }, (_, i) => s.rows[Math.min(i, s.rows.length - 1)]),
    rowStarts: Array.from({ length: rowsPerSlice - 1 }, (_, i) => s.rowStarts[i] ?? SIMD),
  }));
  return { banks: SIMD, windowRowElems: M, rowElems, rowWords, bankDepth: BR * rowWords, rowsPerSlice, slices: padded };
}

export function swuParams(layer: Conv2dLayer, module: string, laneFile: string) {
  const { height: H, width: W, channels: CIN, bits: BX } = layer.input;
  const { height: HOUT, width: WOUT } = layer.output;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const [PY, PX] = layer.padding;
  const { nf: NF, sf: SF, simd: SIMD } = foldCounts(layer);
  const bank = swuBanking(layer);
  const M = bank.windowRowElems;
  const R = bank.rowsPerSlice;
  const BR = KH + SY;
  const ROW_ELEMS = W * CIN;
  const BDEPTH = bank.bankDepth;
  const ABW = counterBits(BDEPTH);
  const BNKW = counterBits(SIMD); // bank index, β and ρ
  const TW = unsignedBitsFor(SIMD); // lane bounds and wrap thresholds, 1 … SIMD
  const RSW = BNKW + 1; // sum of two residues mod SIMD
  const POSW = unsignedBitsFor(ROW_ELEMS);
  const SLOTW = counterBits(BR);
  const SLOTSUMW = unsignedBitsFor(2 * BR - 2);
  // biased row coordinate iy + PY: oy*SY, + ky, + SY for the next row, and H + PY for the bound
  const RBW = unsignedBitsFor(Math.max(HOUT * SY, (HOUT - 1) * SY + KH - 1, H + PY, KH));
  const CBW = unsignedBitsFor(Math.max(WOUT * SX, (WOUT - 1) * SX + KW - 1, W + PX, KW));
  const AOFF = H + SY; // ahead ≥ −(H + SY) − see the unit's doc comment
  const AW = unsignedBitsFor(BR + AOFF);
  const KYW = counterBits(KH);
  const KXW = counterBits(KW);
  const LANEW = KYW + KXW;
  const ROWW = KYW + ABW + TW;
  const XW = counterBits(W);
  const sfW = counterBits(SF);

  // lane table word per synapse fold, LSB first: SIMD × {ky, kx}, R × {wrapAt, wordOffset, ky}, (R−1) × rowStart
  const rowsAt = SIMD * LANEW;
  const startsAt = rowsAt + R * ROWW;
  const tabW = startsAt + (R - 1) * TW;
  const laneWords = bank.slices.map((s) => {
    let word = 0n;
    const put = (value: number, at: number) => (word |= BigInt(value) << BigInt(at));
    s.lanes.forEach((lane, l) => {
      put(lane.kx, l * LANEW);
      put(lane.ky, l * LANEW + KXW);
    });
    s.rows.forEach((row, i) => {
      put(row.wrapAt, rowsAt + i * ROWW);
      put(mod(row.wordOffset, 2 ** ABW), rowsAt + i * ROWW + TW);
      put(row.ky, rowsAt + i * ROWW + TW + ABW);
    });
    s.rowStarts.forEach((start, i) => put(start, startsAt + i * TW));
    return hexWord(word, tabW);
  });

  // E = (ox·SX − PX)·CIN + ρ(top row); β = E mod SIMD, ediv = E div SIMD (mod 2^ABW)
  const SXC = SX * CIN;
  const PXC = PX * CIN;
  const pxcDiv = Math.floor(PXC / SIMD);
  const pxcMod = mod(PXC, SIMD);
  const rhoInit = mod(-PY * M, SIMD);
  const betaInit = mod(rhoInit - PXC, SIMD);
  const edivInit = Math.floor((rhoInit - PXC) / SIMD);

  // shifts of the output rotation (lane l takes bank (l + β) mod SIMD), one stage per bit of β
  const rotations: { stage: number; bit: number; amount: number }[] = [];
  for (let bit = 0; bit < BNKW; bit++) {
    const amount = mod(2 ** bit, SIMD);
    if (amount !== 0) rotations.push({ stage: rotations.length + 1, bit, amount });
  }

  const lastRowLast = Math.max(0, (HOUT - 1) * SY - PY);
  // with zero padding a lower-bound compare is constant (and Verilator -Wall says so): leave it out
  const rowLow = (v: string) => (PY === 0 ? v : `(${v} < ${literal(PY, RBW)}) ? ${literal(0, RBW)} : ${v} - ${literal(PY, RBW)}`);
  const rowInImage = (ky: number) => {
    const v = `row_b${ky}`;
    return [PY > 0 ? `(${v} >= ${literal(PY, RBW)})` : "", `(${v} < ${literal(H + PY, RBW)})`].filter((t) => t !== "").join(" && ");
  };
  const colInImage = (kx: number) => {
    const v = `col_b${kx}`;
    return [PX > 0 ? `(${v} >= ${literal(PX, CBW)})` : "", `(${v} < ${literal(W + PX, CBW)})`].filter((t) => t !== "").join(" && ");
  };
  const sfA = ABW >= sfW ? zext("sf", sfW, ABW) : `sf[${ABW - 1}:0]`;
  return {
    module,
    laneFile,
    laneRom: laneWords.join("\n") + "\n",
    XW,
    icW: counterBits(CIN),
    rowBases: Array.from({ length: BR }, (_, slot) => ({ slot: literal(slot, SLOTW), base: literal(slot * bank.rowWords, ABW) })),
    lowRowExpr: rowLow("iy0"),
    nextLowExpr: rowLow("next_iy0"),
    rotations,
    lastRotation: rotations.length,
    rotate: rotations.length > 0,
    multiRow: R > 1,
    // E at ox = 0 is rho − PX·CIN: it borrows from the word count when rho < PX·CIN mod SIMD
    rowBorrowExpr: pxcMod === 0 ? "1'b0" : `(rho_next < ${literal(pxcMod, RSW)})`,
    rowStarts: Array.from({ length: R - 1 }, (_, i) => ({ index: i + 1, offset: i * TW })),
    // the bank's row: the last one whose first lane is at or below the bank's lane
    pickExpr: Array.from({ length: R }, (_, i) => i).reduce(
      (expr, i) => (i === 0 ? `row_addr[0 +: ABW]` : `((lane_t >= row_start${i}) ? row_addr[${i}*ABW +: ABW] : ${expr})`),
      "",
    ),
    kyRows: Array.from({ length: KH }, (_, ky) => ({ ky, lit: literal(ky, RBW), expr: rowInImage(ky) })),
    kxCols: Array.from({ length: KW }, (_, kx) => ({ kx, lit: literal(kx, CBW), expr: colInImage(kx) })),
    unusedBeta: rotations.length === 0 ? "s1_beta," : "",
    laneRowOk: KH > 1 ? "row_ok[lane_ky]" : "row_ok[0]",
    laneColOk: KW > 1 ? "col_ok[lane_kx]" : "col_ok[0]",
    laneKyUnused: KH > 1 ? "" : "lane_ky,",
    laneKxUnused: KW > 1 ? "" : "lane_kx,",
    BX,
    SIMD,
    SF,
    NF,
    BR,
    R,
    BDEPTH,
    ABW,
    BNKW,
    TW,
    RSW,
    POSW,
    SLOTW,
    SLOTSUMW,
    RBW,
    CBW,
    AW,
    KYW,
    KXW,
    LANEW,
    ROWW,
    rowsAt,
    startsAt,
    H,
    W,
    CIN,
    KH,
    KW,
    SY,
    SX,
    PY,
    PX,
    HOUT,
    WOUT,
    sliceW: SIMD * BX,
    tabW,
    nfW: counterBits(NF),
    sfW,
    oyW: counterBits(HOUT),
    oxW: counterBits(WOUT),
    lit: {
      posLast: literal(ROW_ELEMS - 1, POSW),
      pos1: literal(1, POSW),
      pos0: literal(0, POSW),
      slot0: literal(0, SLOTW),
      slot1: literal(1, SLOTW),
      slotLast: literal(BR - 1, SLOTW),
      slotInit: literal(mod(-PY, BR), SLOTW),
      slotRowStep: literal(mod(SY, BR), SLOTSUMW),
      slotWrapStep: literal(mod(H - (HOUT - 1) * SY, BR), SLOTSUMW),
      br: literal(BR, SLOTSUMW),
      aheadInit: literal(AOFF, AW),
      aheadFull: literal(BR + AOFF, AW),
      aOff: literal(AOFF, AW),
      a1: literal(1, AW),
      a0: literal(0, AW),
      word0: literal(0, ABW),
      word1: literal(1, ABW),
      bank0: literal(0, BNKW),
      bank1: literal(1, BNKW),
      bankLast: literal(SIMD - 1, BNKW),
      simd: literal(SIMD, RSW),
      rhoStepW: literal(mod(M, SIMD), RSW),
      rhoStepRow: literal(mod(SY * M, SIMD), RSW),
      rhoStepWrap: literal(mod((H - (HOUT - 1) * SY) * M, SIMD), RSW),
      rhoInit: literal(rhoInit, BNKW),
      betaInit: literal(betaInit, BNKW),
      edivInit: literal(mod(edivInit, 2 ** ABW), ABW),
      betaStep: literal(mod(SXC, SIMD), RSW),
      edivStep: literal(mod(Math.floor(SXC / SIMD), 2 ** ABW), ABW),
      edivStepCarry: literal(mod(Math.floor(SXC / SIMD) + 1, 2 ** ABW), ABW),
      pxcMod: literal(pxcMod, RSW),
      simdMinusPxcMod: literal(SIMD - pxcMod, RSW),
      edivRow: literal(mod(-pxcDiv, 2 ** ABW), ABW),
      edivRowBorrow: literal(mod(-pxcDiv - 1, 2 ** ABW), ABW),
      col0: literal(0, XW),
      col1: literal(1, XW),
      ic0: literal(0, counterBits(CIN)),
      ic1: literal(1, counterBits(CIN)),
      icLast: literal(CIN - 1, counterBits(CIN)),
      sf0: literal(0, sfW),
      nf0: literal(0, counterBits(NF)),
      ox0: literal(0, counterBits(WOUT)),
      oy0: literal(0, counterBits(HOUT)),
      wrapRelease: literal(H - lastRowLast, AW),
      r0: literal(0, RBW),
      sy: literal(SY, RBW),
      hMinus1: literal(H - 1, RBW),
      lastRowOff: literal(KH - 1 - PY, RBW),
      c0: literal(0, CBW),
      sx: literal(SX, CBW),
      wMinus1: literal(W - 1, CBW),
      lastColOff: literal(KW - 1 - PX, CBW),
      // last_col and need_ahead at ox = 0 and oy = 0
      lastCol0: literal(Math.min(W - 1, KW - 1 - PX), CBW),
      need0: literal(Math.min(H - 1, KH - 1 - PY) + AOFF, AW),
      // the layer's pad value (ir/model.ts convPadValue) in BX-bit two's complement; xnor's +1 is the bit 1
      // xnor pads +1: the bit 1, or the value 1 on a wider input, whose sign the PE takes as x > 0
      pad: literal(convPadValue(layer), BX),
      nfLast: literal(NF - 1, counterBits(NF)),
      sfLast: literal(SF - 1, sfW),
      oyLast: literal(HOUT - 1, counterBits(HOUT)),
      oxLast: literal(WOUT - 1, counterBits(WOUT)),
      nf1: literal(1, counterBits(NF)),
      sf1: literal(1, sfW),
      oy1: literal(1, counterBits(HOUT)),
      ox1: literal(1, counterBits(WOUT)),
    },
    ext: {
      baseSlot: zext("base_slot", SLOTW, SLOTSUMW),
      rowKy: zext("row_ky", KYW, SLOTSUMW),
      nextRelAhead: zext("next_rel", RBW, AW),
      releaseAhead: zext("row_release", RBW, AW),
      wrColC: zext("wr_col", XW, CBW),
      wrBank: zext("wr_bank", BNKW, RSW),
      wrRho: zext("wr_rho", BNKW, RSW),
      rhoTop: zext("rho_top", BNKW, RSW),
      beta: zext("beta", BNKW, RSW),
      rhoTopT: zext("rho_top", BNKW, TW),
      laneT: zext("lane", BNKW, TW),
      sfA,
    },
  };
}
