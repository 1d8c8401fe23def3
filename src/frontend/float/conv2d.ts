/**
 * Plain float conv2d (HWC, OHWI), for calibrating post-training quantization.
 * (The tfjs float reference arrives with the network work; this one has no dependencies.)
 */
export interface FloatConvSpec {
  readonly datapath: "mac" | "adder";
  readonly input: { readonly height: number; readonly width: number; readonly channels: number };
  readonly outChannels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  /** OHWI. */
  readonly weights: Float64Array;
  readonly bias?: Float64Array;
}

export function floatConv2d(spec: FloatConvSpec, x: Float64Array): { data: Float64Array; height: number; width: number } {
  const { height: H, width: W, channels: C } = spec.input;
  const [KH, KW] = spec.kernel;
  const [SY, SX] = spec.stride;
  const [PY, PX] = spec.padding;
  const OH = Math.floor((H + 2 * PY - KH) / SY) + 1;
  const OW = Math.floor((W + 2 * PX - KW) / SX) + 1;
  const OC = spec.outChannels;
  const K = KH * KW * C;
  const out = new Float64Array(OH * OW * OC);
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let oc = 0; oc < OC; oc++) {
        let s = spec.bias ? spec.bias[oc] : 0;
        for (let ky = 0; ky < KH; ky++)
          for (let kx = 0; kx < KW; kx++) {
            const iy = oy * SY - PY + ky;
            const ix = ox * SX - PX + kx;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            for (let ic = 0; ic < C; ic++) {
              const xv = inside ? x[(iy * W + ix) * C + ic] : 0;
              const wv = spec.weights[oc * K + (ky * KW + kx) * C + ic];
              s += spec.datapath === "mac" ? xv * wv : -Math.abs(xv - wv);
            }
          }
        out[(oy * OW + ox) * OC + oc] = s;
      }
  return { data: out, height: OH, width: OW };
}
