/**
 * Resource features of the units outside the matrix-vector engines: the stream
 * fork and FIFO of a residual graph (templates/verilog/stream_fork.v.hbs,
 * stream_fifo.v.hbs), ReLU, argmax, the pool reducers (pool.v.hbs), the residual
 * add (add.v.hbs), the ViT units (ivit_*.v.hbs) and the token layers, each with
 * its requant and its memories mapped as Yosys would (target.ts mapMemory).
 *
 * Every kind has a count feature (`<kind>.units`: its control, counters and
 * handshakes) and, where its logic grows with the layer, a width feature named
 * for what grows; requant units share the `rq.*` features of all kinds, memories
 * the `unit.*` ones. A max/avg pool's sliding-window unit and serializer are the
 * engines' own templates: they are returned apart (`engineFeatures`) and estimated
 * with the engine formula's coefficients.
 */
import { Conv2dLayer, Layer } from "../../ir/model.js";
import { NetNode } from "../netlist.js";
import { poolAccRange, poolConvViews, poolReduceParams, poolRequantParams } from "../units/pool/params.js";
import { requantUnitParams } from "../units/requant/params.js";
import { addUnitParams } from "../units/add/params.js";
import { argmaxParams } from "../units/argmax/params.js";
import { tokenEmbedParams } from "../units/token-embed/params.js";
import { tokenSelectParams } from "../units/token-select/params.js";
import { ivitAttentionParams } from "../units/ivit-attention/params.js";
import { layerNormWidths } from "../../arith/ivit/layernorm.js";
import { shiftGeluWidths } from "../../arith/ivit/shiftgelu.js";
import { attentionAccRange } from "../../arith/ivit/attention.js";
import { counterBits } from "../../arith/widths.js";
import { dspsFor, Features, mapMemory, romLuts, SynthTarget } from "../target.js";

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
class Acc {
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
  requant(rq: { PE: number; ACCW: number; PRODW: number; SUMW: number; OB: number; NF: number; perChannel: boolean; multiplier: number | string }, multiplierBits: number): this {
    // a per-tensor multiplier is a constant: a power of two (ResNet's global pool: 1) is a shift, no multiplier
    const m = typeof rq.multiplier === "number" ? rq.multiplier : undefined;
    const mBits = m === undefined ? multiplierBits + 1 : m > 0 && (m & (m - 1)) === 0 ? 0 : Math.ceil(Math.log2(m + 1)) + 1;
    const tiles = this.target.useDsp && mBits > 0 ? dspsFor(rq.ACCW, mBits, this.target) : 0;
    this.add("rq.dsps", rq.PE * tiles)
      .add("rq.mulLutBits", this.target.useDsp ? 0 : rq.PE * rq.ACCW * mBits)
      .add("rq.sumBits", rq.PE * rq.SUMW)
      .add("rq.outBits", rq.PE * rq.OB);
    // read at a registered channel counter: Yosys folds the register into the read port (synchronous)
    if (rq.perChannel) this.memory(rq.NF, rq.PE * rq.PRODW, "rom", "sync");
    return this;
  }
}

function layerFeatures(layer: Layer, target: SynthTarget): StreamUnitFeatures | undefined {
  const a = new Acc(target);
  switch (layer.kind) {
    case "conv2d":
    case "dense":
    case "flatten":
      return undefined;
    case "relu":
      return { kind: "relu", features: a.add("relu.units", 1).add("relu.bits", layer.input.bits).f };
    case "argmax": {
      const p = argmaxParams(layer, "argmax_features");
      // the running best value and index, their compare
      return { kind: "argmax", features: a.add("argmax.units", 1).add("argmax.bits", p.BX + p.IW).f };
    }
    case "maxpool":
    case "avgpool": {
      const views = poolConvViews(layer);
      const shape = { lanes: views.lanes, groups: layer.input.channels / views.lanes, positions: layer.kernel[0] * layer.kernel[1], inBits: layer.input.bits, op: layer.kind === "maxpool" ? "max" : "sum" } as const;
      const red = poolReduceParams(shape, "pool_features");
      a.add("pool.units", 1).add("pool.laneBits", red.P * red.AW).add("pool.srBits", red.hasAcc ? red.srW : 0);
      if (layer.kind === "avgpool") a.requant(poolRequantParams(poolAccRange(shape), red.AW, layer.requant, red.P, "rq"), layer.requant.multiplierBits);
      return { kind: "pool", features: a.f, engineParts: { swu: views.swu, serializer: views.lanes > 1 ? views.serializer : undefined } };
    }
    case "global_avgpool": {
      const shape = { lanes: 1, groups: layer.input.channels, positions: layer.input.height * layer.input.width, inBits: layer.input.bits, op: "sum" } as const;
      const red = poolReduceParams(shape, "gap_features");
      a.add("gap.units", 1).add("gap.srBits", red.srW);
      a.requant(poolRequantParams(poolAccRange(shape), red.AW, layer.requant, 1, "rq"), layer.requant.multiplierBits);
      return { kind: "gap", features: a.f };
    }
    case "add": {
      const p = addUnitParams(layer, "add_features", [layer.input.bits, layer.input.bits]);
      // per operand a constant multiply, the rounding add and shift; the sum and its saturation
      const opBits = p.ops.reduce((s, o) => s + o.SUMW, 0);
      // a multiplier that is not a power of two is a constant multiply Yosys puts on a DSP
      const multiplies = layer.multipliers.filter((m) => m <= 0 || (m & (m - 1)) !== 0).length;
      return { kind: "add", features: a.add("add.units", 1).add("add.bits", opBits + p.SW).add("add.dsps", target.useDsp ? multiplies : 0).f };
    }
    case "layernorm": {
      const w = layerNormWidths(layer.params);
      a.add("ln.units", 1).memory(layer.params.channels, layer.params.inputBits, "ram", "sync");
      const perChannel = layer.out.perChannel ? { multipliers: layer.out.perChannel.multipliers, file: "" } : undefined;
      a.requant(requantUnitParams(w.out, w.outBits, layer.out.params, 1, "rq", perChannel), layer.out.params.multiplierBits);
      return { kind: "ln", features: a.f };
    }
    case "gelu": {
      const w = shiftGeluWidths(layer.params);
      a.add("gelu.units", 1).memory(layer.input.channels, layer.params.inputBits, "ram", "sync");
      a.requant(requantUnitParams(w.out, w.outBits, layer.requant, 1, "rq"), layer.requant.multiplierBits);
      return { kind: "gelu", features: a.f };
    }
    case "softmax":
      return { kind: "softmax", features: a.add("softmax.units", 1).memory(layer.input.channels, layer.params.inputBits, "ram", "sync").f };
    case "attention": {
      const p = ivitAttentionParams(layer, "attn_features", "e", "d", "");
      a.add("attn.units", 1)
        // S lanes of q·k and of p·v products, and their adder trees
        .add("attn.laneBits", p.S * (p.DW + p.AVW))
        .memory(p.depth, p.S * p.IB, "ram", "sync")
        .memory(p.depth, p.S * p.IB, "ram", "sync")
        .memory(p.depth, p.S * p.IB, "ram", "sync")
        .memory(p.T, p.SCW, "ram", "sync")
        .memory(p.T, p.PBW, "ram", "sync")
        .add("attn.dsps", target.useDsp ? 2 * p.S * dspsFor(p.IB, p.IB, target) : 0);
      a.requant(requantUnitParams(attentionAccRange(layer.input.height, layer.softmax, layer.input.bits), p.AVW, layer.requant, 1, "rq"), layer.requant.multiplierBits);
      return { kind: "attn", features: a.f };
    }
    case "token_embed": {
      // the table is read at a registered index: a synchronous ROM once Yosys folds the register in
      const p = tokenEmbedParams(layer, "tokembed_features", "");
      a.add("tokembed.units", 1).add("tokembed.bits", p.SUMW + p.SW).memory(p.N, p.EW, "rom", "sync");
      a.add("rq.dsps", target.useDsp ? dspsFor(p.BX, layer.requant.multiplierBits + 1, target) : 0);
      return { kind: "tokembed", features: a.f };
    }
    case "token_select": {
      const p = tokenSelectParams(layer, "toksel_features");
      return { kind: "toksel", features: a.add("toksel.units", 1).add("toksel.bits", p.RW + p.CW).memory(p.C, p.BX, "ram", "sync").f };
    }
  }
}

/** Features of one netlist node that is not an engine (undefined for engines and wires). */
export function streamUnitFeatures(node: NetNode, target: SynthTarget): StreamUnitFeatures | undefined {
  if (node.kind === "fork") return { kind: "fork", features: { "fork.units": 1, "fork.bits": node.bits } };
  if (node.kind === "fifo") {
    const a = new Acc(target).add("fifo.units", 1).add("fifo.bits", node.bits).add("fifo.pointerBits", 2 * counterBits(node.depth));
    return { kind: "fifo", features: a.memory(node.depth, node.bits, "ram", "sync").f };
  }
  return layerFeatures(node.layer, target);
}
