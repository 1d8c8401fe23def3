/**
 * Resource features of the units outside the matrix-vector engines: the stream
 * fork and FIFO of a residual graph (hw/units/stream/cost.ts), ReLU, argmax, the
 * pool reducers, the residual add, the ViT units and the token layers (each
 * layer kind's `features` in its hw/layers file), with their requants and their
 * memories mapped as Yosys would (target.ts mapMemory).
 *
 * Every kind has a count feature (`<kind>.units`: its control, counters and
 * handshakes) and, where its logic grows with the layer, a width feature named
 * for what grows; requant units share the `rq.*` features of all kinds, memories
 * the `unit.*` ones. A max/avg pool's sliding-window unit and serializer are the
 * engines' own templates: they are returned apart (`engineParts`) and estimated
 * with the engine formula's coefficients.
 */
import { Conv2dLayer } from "../../ir/model.js";
import { constant, dspsForProduct, Features, mapMemory, romLuts, signal, SynthTarget } from "../target.js";

/** The kinds of non-engine units, as the features name them. */
export const STREAM_UNIT_KINDS = ["fifo", "fork", "relu", "argmax", "pool", "gap", "add", "ln", "gelu", "softmax", "attn", "tokembed", "toksel"] as const;
export type StreamUnitKind = (typeof STREAM_UNIT_KINDS)[number];

export interface StreamUnitFeatures {
  readonly kind: StreamUnitKind;
  /** Features of the stream-unit formula. */
  readonly features: Features;
  /** Parts built from the engine templates (a pool's sliding window and serializer), for the engine formula. */
  readonly engineParts?: { readonly swu: Conv2dLayer; readonly serializer?: Conv2dLayer };
}

/** Accumulates features; memories go to the shared `unit.*` features. */
export class Acc {
  readonly f: Features = {};
  constructor(private readonly target: SynthTarget) {}
  add(name: string, v: number): this {
    if (v) this.f[name] = (this.f[name] ?? 0) + v;
    return this;
  }
  memory(depth: number, width: number, kind: "ram" | "rom", read: "sync" | "async"): this {
    const m = mapMemory(depth, width, kind, read, this.target);
    this.add("unit.blockBits", m.blockBits).add("unit.lutramLuts", m.lutramLuts);
    // a RAM in soft logic: a flip-flop per bit and its read multiplexer; a ROM: LUTs per bit column
    if (kind === "ram") this.add("unit.ramLogicBits", m.logicBits);
    else if (m.logicBits) this.add("unit.romLuts", romLuts(depth, width, this.target));
    return this;
  }
  /** A requant unit of `lanes` lanes: acc·m (DSP tiles, or an array multiplier in LUTs), rounding add, saturation. */
  requant(
    rq: { PE: number; ACCW: number; PRODW: number; SUMW: number; OB: number; NF: number; perChannel: boolean; multiplier: number | string },
    multiplierBits: number,
  ): this {
    // a per-tensor multiplier is a constant: a power of two (ResNet's global pool: 1) is a shift, no multiplier
    const m = typeof rq.multiplier === "number" ? rq.multiplier : undefined;
    const mBits = m === undefined ? multiplierBits + 1 : m > 0 && (m & (m - 1)) === 0 ? 0 : Math.ceil(Math.log2(m + 1)) + 1;
    // requant.v.hbs: acc sign-extended to PRODW times the constant or the ROM word (hw/families/dsp.ts)
    const factor = m === undefined ? signal(rq.PRODW) : constant(m);
    const tiles = dspsForProduct({ a: signal(rq.ACCW), b: factor, width: rq.PRODW }, this.target);
    this.add("rq.dsps", rq.PE * tiles)
      .add("rq.mulLutBits", this.target.useDsp ? 0 : rq.PE * rq.ACCW * mBits)
      .add("rq.sumBits", rq.PE * rq.SUMW)
      .add("rq.outBits", rq.PE * rq.OB);
    // read at a registered channel counter: Yosys folds the register into the read port (synchronous)
    if (rq.perChannel) this.memory(rq.NF, rq.PE * rq.PRODW, "rom", "sync");
    return this;
  }
}
