/**
 * Token-embedding unit parameters (templates/verilog/token-embed.v.hbs): the op of
 * src/arith/tokens.ts, y = sat_b(round_k(x·m) + E[i]), every width from the value
 * ranges of x, m and the table E (tokenEmbedRanges), the rescale of x computed as the
 * requant and add units compute theirs (requantWidths).
 */
import { TokenEmbedLayer } from "../../../ir/model.js";
import { signedMax, signedMin } from "../../../arith/rounding.js";
import { tokenEmbedRanges, tokenEmbedSumBits } from "../../../arith/tokens.js";
import { counterBits, signedBitsFor, signedRange } from "../../../arith/widths.js";
import { hexWord, literal, sext } from "../../verilog.js";
import { requantWidths, roundingAddendExpr } from "../requant/params.js";

export function tokenEmbedParams(layer: TokenEmbedLayer, module: string, romFile: string) {
  const BX = layer.input.bits;
  const OB = layer.output.bits;
  const C = layer.output.channels;
  const N = layer.embedding.length;
  const p = layer.requant;
  const k = p.shift;
  const w = requantWidths(signedRange(BX), p);
  // a multiplier of 0 or 1 can give a product range narrower than the token itself
  const PRODW = Math.max(w.PRODW, BX);
  const SUMW = Math.max(w.SUMW, PRODW);
  const QW = SUMW - k;
  const ranges = tokenEmbedRanges(BX, p, layer.embedding);
  const EW = signedBitsFor(ranges.embedding);
  const SW = Math.max(tokenEmbedSumBits(ranges, OB), QW, EW);
  const IW = counterBits(N);
  return {
    module,
    BX,
    OB,
    PRODW,
    SUMW,
    QW,
    EW,
    SW,
    IW,
    N,
    C,
    tokens: layer.input.height * layer.input.width,
    rows: layer.output.height,
    multiplier: p.multiplier,
    shift: k,
    hasShift: k > 0,
    rounding: p.rounding,
    romFile,
    rom: Array.from(layer.embedding, (e) => hexWord(e, EW)).join("\n") + "\n",
    addendExpr: roundingAddendExpr(p.rounding, k, SUMW, "prod_e"),
    totalWider: SW > OB,
    lit: {
      zeroIn: literal(0, BX),
      multiplier: literal(p.multiplier, PRODW),
      channels: literal(C, IW),
      idx0: literal(0, IW),
      idx1: literal(1, IW),
      idxLast: literal(N - 1, IW),
      hi: literal(signedMax(OB), SW),
      lo: literal(signedMin(OB), SW),
      hiOut: literal(signedMax(OB), OB),
      loOut: literal(signedMin(OB), OB),
    },
    ext: { x: sext("x", BX, PRODW), prod: sext("prod", PRODW, SUMW), q: sext("q", QW, SW), e: sext("e", EW, SW) },
  };
}
