/**
 * Sliding-window unit parameters: a line buffer of BR = KH + SY rows (row slot =
 * absolute row mod BR, so the writer fills the next SY rows while the reader works
 * on the current window), and a lane table telling each SIMD lane of each fold
 * which (ky, kx, ic) it reads. Row/column coordinates are biased by the padding so
 * that every counter is unsigned.
 */
import { Conv2dLayer, reductionLength } from "../../ir/model.js";
import { paddingValue } from "../../quant/datapath.js";
import { counterBits, unsignedBitsFor } from "../../quant/widths.js";
import { hexWord, literal, zext } from "../verilog.js";
import { foldCounts } from "./folding.js";

const mod = (a: number, m: number) => ((a % m) + m) % m;

export function swuParams(layer: Conv2dLayer, module: string, laneFile: string) {
  const { height: H, width: W, channels: CIN, bits: BX } = layer.input;
  const { height: HOUT, width: WOUT } = layer.output;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const [PY, PX] = layer.padding;
  const { nf: NF, sf: SF, simd: SIMD } = foldCounts(layer);
  const BR = KH + SY;
  const ROW_ELEMS = W * CIN;
  const DEPTH = BR * ROW_ELEMS;
  const ADDRW = counterBits(DEPTH);
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
  const COW = counterBits(KW * CIN);
  const LANEW = KYW + KXW + COW;
  const K = reductionLength(layer);
  const XW = counterBits(W);
  // (ox·SX + kx)·CIN + ic before the −PX·CIN bias; inside the image the result is < W·CIN
  const XCW = unsignedBitsFor(Math.max(((WOUT - 1) * SX + KW) * CIN, SX * CIN));

  // lane table: one word per SIMD fold, lane l in bits [l*LANEW +: LANEW] = {ky, kx, kx·CIN + ic}
  const laneWords: string[] = [];
  for (let sf = 0; sf < SF; sf++) {
    let word = 0n;
    for (let l = 0; l < SIMD; l++) {
      const k = sf * SIMD + l;
      if (k >= K) continue; // masked in the MVU; reads element 0 of the window
      const ky = Math.floor(k / (KW * CIN));
      const kx = Math.floor(k / CIN) % KW;
      const ic = k % CIN;
      const field = (BigInt(ky) << BigInt(KXW + COW)) | (BigInt(kx) << BigInt(COW)) | BigInt(kx * CIN + ic);
      word |= field << BigInt(l * LANEW);
    }
    laneWords.push(hexWord(word, SIMD * LANEW));
  }

  const lastRowLast = Math.max(0, (HOUT - 1) * SY - PY);
  // with zero padding a lower-bound compare is constant (and Verilator -Wall says so): leave it out
  const rowLow = (v: string) => (PY === 0 ? v : `(${v} < ${literal(PY, RBW)}) ? ${literal(0, RBW)} : ${v} - ${literal(PY, RBW)}`);
  const inImage = [
    PY > 0 ? `(lane_iyb >= ${literal(PY, RBW)})` : "",
    `(lane_iyb < ${literal(H + PY, RBW)})`,
    PX > 0 ? `(lane_ixb >= ${literal(PX, CBW)})` : "",
    `(lane_ixb < ${literal(W + PX, CBW)})`,
  ].filter((t) => t !== "");
  return {
    module,
    laneFile,
    laneRom: laneWords.join("\n") + "\n",
    XW, XCW, COW,
    icW: counterBits(CIN),
    rowBases: Array.from({ length: BR }, (_, slot) => ({ slot: literal(slot, SLOTW), base: literal(slot * ROW_ELEMS, ADDRW) })),
    lowRowExpr: rowLow("iy0"),
    nextLowExpr: rowLow("next_iy0"),
    inImageExpr: inImage.join(" && "),
    laneUnused: XCW > ADDRW ? `lane_col[XCW-1:ADDRW],` : "",
    BX, SIMD, SF, NF, BR, DEPTH, ADDRW, POSW, SLOTW, SLOTSUMW, RBW, CBW, AW, KYW, KXW, LANEW,
    H, W, CIN, KH, KW, SY, SX, PY, PX, HOUT, WOUT,
    sliceW: SIMD * BX,
    tabW: SIMD * LANEW,
    nfW: counterBits(NF),
    sfW: counterBits(SF),
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
      addr0: literal(0, ADDRW),
      col0: literal(0, XW),
      col1: literal(1, XW),
      ic0: literal(0, counterBits(CIN)),
      ic1: literal(1, counterBits(CIN)),
      icLast: literal(CIN - 1, counterBits(CIN)),
      xc0: literal(0, XCW),
      sxCin: literal(SX * CIN, XCW),
      pxCin: literal(PX * CIN, XCW),
      sf0: literal(0, counterBits(SF)),
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
      c1: literal(1, CBW),
      pad: literal(paddingValue(layer.datapath) === 1 && BX === 1 ? 1 : 0, BX),
      nfLast: literal(NF - 1, counterBits(NF)),
      sfLast: literal(SF - 1, counterBits(SF)),
      oyLast: literal(HOUT - 1, counterBits(HOUT)),
      oxLast: literal(WOUT - 1, counterBits(WOUT)),
      nf1: literal(1, counterBits(NF)),
      sf1: literal(1, counterBits(SF)),
      oy1: literal(1, counterBits(HOUT)),
      ox1: literal(1, counterBits(WOUT)),
    },
    ext: {
      wrPos: zext("wr_pos", POSW, ADDRW),
      baseSlot: zext("base_slot", SLOTW, SLOTSUMW),
      laneKy: zext("lane_ky", KYW, SLOTSUMW),
      laneKyRow: zext("lane_ky", KYW, RBW),
      laneKxCol: zext("lane_kx", KXW, CBW),
      relAhead: zext("rel", RBW, AW),
      releaseAhead: zext("row_release", RBW, AW),
      wrColC: zext("wr_col", XW, CBW),
      laneCo: zext("lane_co", COW, XCW),
      laneCol: XCW > ADDRW ? `lane_col[${ADDRW - 1}:0]` : zext("lane_col", XCW, ADDRW),
    },
  };
}
