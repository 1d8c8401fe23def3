/**
 * How many DSP blocks Yosys 0.55 builds for one multiplier of a template, by its rules:
 *
 * 1. the operands as the coarse passes leave them (passes/opt/opt_expr.cc, mul_low_zeros and
 *    mul_shift; passes/opt/wreduce.cc): a template multiplies two operands extended to the
 *    product's width W, unsigned. A constant that is a power of two becomes a shift; a
 *    constant's low zero bits are cut off (and the product's as many), after which the
 *    widths differ and the product stays unsigned, so a sign-extended signal keeps all W
 *    bits. Otherwise (A, B and Y all W wide) wreduce makes the product signed where that is
 *    cheaper (a × b < W × W) and drops the sign-extension bits.
 * 2. techlibs/common/mul2dsp.v with the family's limits (hw/families/<family>.ts `dsp`): an
 *    operand under the minimum width or a product under the minimum Y width stays in soft
 *    logic; on a signed-only DSP an unsigned product gains a bit on each side; a wider
 *    operand is cut into slices (one bit of headroom each on signed-only DSPs) and every
 *    slice is mapped again; a slice whose product lies wholly above the used bits of Y is
 *    removed with its DSP.
 */

/** One operand of a template's product: a signal extended to the product's width, or a constant. */
export type MulOperand = { readonly kind: "signal"; readonly bits: number; readonly signed: boolean } | { readonly kind: "const"; readonly value: bigint };

/** A product `Y[W] = A_ext * B_ext` as a template writes it: both operands extended to `width` bits, unsigned. */
export interface TemplateMultiplier {
  readonly a: MulOperand;
  readonly b: MulOperand;
  readonly width: number;
}

/** A `$mul` cell as mul2dsp receives it. */
export interface MulCell {
  readonly aWidth: number;
  readonly aSigned: boolean;
  readonly bWidth: number;
  readonly bSigned: boolean;
  readonly yWidth: number;
}

/** mul2dsp's macros for one family and part (synth_xilinx / synth_ice40 / synth_ecp5). */
export interface DspMapRules {
  readonly aMaxWidth: number;
  readonly bMaxWidth: number;
  /** DSP_A_MAXWIDTH_PARTIAL: the slice width of a wide A (xc7 and UltraScale: 18, for the cascade). */
  readonly aMaxWidthPartial?: number;
  readonly aMinWidth: number;
  readonly bMinWidth: number;
  readonly yMinWidth?: number;
  /** DSP_SIGNEDONLY: the DSP multiplies signed operands only. */
  readonly signedOnly: boolean;
}

export const signal = (bits: number, signed = true): MulOperand => ({ kind: "signal", bits, signed });
export const constant = (value: number | bigint): MulOperand => ({ kind: "const", value: BigInt(value) });

/** Bits of v as an unsigned number (0 for 0). */
function unsignedBits(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/** Bits of v in two's complement. */
function signedBits(v: bigint): number {
  return v >= 0n ? unsignedBits(v) + 1 : unsignedBits(-v - 1n) + 1;
}

function trailingZeros(v: bigint): number {
  let n = 0;
  while (v !== 0n && (v & 1n) === 0n) ((v >>= 1n), n++);
  return n;
}

/** An operand's size as wreduce reduces it: a signed port drops repeated sign bits, an unsigned one leading zeros. */
function reducedSize(o: MulOperand, width: number, signed: boolean): number {
  if (o.kind === "const") {
    const v = BigInt.asUintN(width, o.value);
    return signed ? Math.min(width, signedBits(BigInt.asIntN(width, v))) : Math.max(1, unsignedBits(v));
  }
  if (o.bits >= width) return width;
  // a signed signal sign-extended: its own bits when signed; zero-extended: its bits when unsigned
  if (signed) return o.signed ? o.bits : o.bits + 1;
  return o.signed ? width : o.bits;
}

/** The `$mul` cell the coarse passes leave of a template's product, or undefined when none is left (a constant 0 or power of two). */
export function yosysMulCell(m: TemplateMultiplier): MulCell | undefined {
  let { a, b } = m;
  const W = m.width;
  if (a.kind === "const") [a, b] = [b, a];
  if (b.kind === "const") {
    const v = BigInt.asUintN(W, b.value);
    if (v === 0n) return undefined;
    // opt_expr mul_shift: a one-hot constant (not the sign bit of a signed one) is a shift
    if ((v & (v - 1n)) === 0n) return undefined;
    if (a.kind === "const") return undefined;
    const tz = trailingZeros(v);
    if (tz > 0) {
      // opt_expr mul_low_zeros: B and Y lose the low zero bits; A keeps W, so wreduce leaves it unsigned
      const bRest = v >> BigInt(tz);
      const aw = reducedSize(a, W, false);
      const bw = Math.max(1, unsignedBits(bRest));
      return { aWidth: aw, aSigned: false, bWidth: bw, bSigned: false, yWidth: Math.min(W - tz, aw + bw) };
    }
  }
  // wreduce: A, B and Y all W wide; signed when that is cheaper
  const sa = reducedSize(a, W, true);
  const sb = reducedSize(b, W, true);
  const ua = reducedSize(a, W, false);
  const ub = reducedSize(b, W, false);
  const signed = sa * sb < ua * ub;
  const aw = signed ? sa : ua;
  const bw = signed ? sb : ub;
  return { aWidth: aw, aSigned: signed, bWidth: bw, bSigned: signed, yWidth: Math.min(W, aw + bw) };
}

/**
 * DSP blocks mul2dsp makes of one `$mul` cell (techlibs/common/mul2dsp.v, Yosys 0.55).
 * `top`: the cell as written (`$mul`), not a slice (`$__mul`); `yUsed`: its output bits that reach Y.
 */
export function mul2dspTiles(c: MulCell, rules: DspMapRules, top = true, yUsed = c.yWidth): number {
  if (yUsed <= 0) return 0;
  if (c.aWidth < rules.aMinWidth || c.bWidth < rules.bMinWidth || c.yWidth < (rules.yMinWidth ?? 0)) return 0;
  if (rules.signedOnly && top && !c.aSigned && !c.bSigned) {
    return mul2dspTiles({ aWidth: c.aWidth + 1, aSigned: true, bWidth: c.bWidth + 1, bSigned: true, yWidth: c.yWidth }, rules, true, yUsed);
  }
  if (top && c.aWidth < c.bWidth) {
    return mul2dspTiles({ aWidth: c.bWidth, aSigned: c.bSigned, bWidth: c.aWidth, bSigned: c.aSigned, yWidth: c.yWidth }, rules, true, yUsed);
  }
  const headroom = rules.signedOnly ? 1 : 0;
  if (c.aWidth > rules.aMaxWidth) {
    const partial = rules.aMaxWidthPartial ?? rules.aMaxWidth;
    const step = partial - headroom;
    const n = Math.floor((c.aWidth - rules.aMaxWidth + step - 1) / step);
    const partialY = Math.min(c.yWidth, c.bWidth + partial);
    let tiles = 0;
    for (let i = 0; i < n; i++) {
      const slice = { aWidth: partial, aSigned: headroom === 1, bWidth: c.bWidth, bSigned: c.bSigned, yWidth: partialY };
      tiles += mul2dspTiles(slice, rules, false, Math.min(partialY, yUsed - i * step));
    }
    const lastA = c.aWidth - n * step;
    const last = { aWidth: lastA, aSigned: c.aSigned, bWidth: c.bWidth, bSigned: c.bSigned, yWidth: c.bWidth + lastA };
    return tiles + mul2dspTiles(last, rules, false, Math.min(last.yWidth, yUsed - n * step));
  }
  if (c.bWidth > rules.bMaxWidth) {
    const partial = rules.bMaxWidth;
    const step = partial - headroom;
    const n = Math.floor((c.bWidth - rules.bMaxWidth + step - 1) / step);
    const partialY = Math.min(c.yWidth, c.aWidth + partial);
    let tiles = 0;
    for (let i = 0; i < n; i++) {
      const slice = { aWidth: c.aWidth, aSigned: c.aSigned, bWidth: partial, bSigned: headroom === 1, yWidth: partialY };
      tiles += mul2dspTiles(slice, rules, false, Math.min(partialY, yUsed - i * step));
    }
    const lastB = c.bWidth - n * step;
    const last = { aWidth: c.aWidth, aSigned: c.aSigned, bWidth: lastB, bSigned: c.bSigned, yWidth: c.aWidth + lastB };
    return tiles + mul2dspTiles(last, rules, false, Math.min(last.yWidth, yUsed - n * step));
  }
  return 1;
}

/** DSP blocks of one template product: the cell the coarse passes leave, tiled by mul2dsp. */
export function templateMulDsps(m: TemplateMultiplier, rules: DspMapRules): number {
  const cell = yosysMulCell(m);
  return cell ? mul2dspTiles(cell, rules) : 0;
}
