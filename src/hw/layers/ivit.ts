/**
 * The integer ViT layers as chains of stream units (templates/verilog/layer-chain.v.hbs):
 *   layernorm: I-LayerNorm unit (ivit-layernorm.v.hbs) -> per-channel requant (gamma folded)
 *   gelu:      ShiftGELU unit (ivit-gelu.v.hbs) -> requant of y = x·sig
 *   softmax:   Shiftmax unit (ivit-shiftmax.v.hbs)
 *   attention: attention unit (ivit-attention.v.hbs) -> requant of the A·V accumulators
 * Their cycle models follow the emitters (the units' timing.ts, then the requant's registered stage).
 */
import { AttentionLayer, GeluLayer, LayerNormLayer, SoftmaxLayer, tensorSize } from "../../ir/model.js";
import { layerNormIterations } from "../../arith/ivit/layernorm.js";
import { geluGolden, layerNormGolden, softmaxGolden } from "../golden/ivit.js";
import { attentionGolden } from "../golden/attention.js";
import { ivitLayerNormParams } from "../units/ivit-layernorm/params.js";
import { attentionDivider, attentionShape, ivitAttentionParams } from "../units/ivit-attention/params.js";
import { RegisteredStage, TimedUnit } from "../units/stream/timing.js";
import { RECIPROCAL_BITS } from "../units/ivit-divider/timing.js";
import { LayerNormTiming } from "../units/ivit-layernorm/timing.js";
import { ShiftmaxTiming } from "../units/ivit-shiftmax/timing.js";
import { GeluTiming } from "../units/ivit-gelu/timing.js";
import { AttentionTiming } from "../units/ivit-attention/timing.js";
import { dspsFor } from "../target.js";
import { Acc } from "./features.js";
import { LayerImpl } from "./impl.js";
import { renderTemplate } from "../render.js";
import { layerNormWidths } from "../../arith/ivit/layernorm.js";
import { shiftGeluWidths } from "../../arith/ivit/shiftgelu.js";
import { attentionAccRange } from "../../arith/ivit/attention.js";
import { IvitUnit } from "../units/ivit-unit/params.js";
import { emitIvitLayerNorm } from "../units/ivit-layernorm/params.js";
import { emitIvitGelu } from "../units/ivit-gelu/params.js";
import { emitIvitShiftmax } from "../units/ivit-shiftmax/params.js";
import { emitIvitAttention } from "../units/ivit-attention/params.js";
import { requantUnitParams } from "../units/requant/params.js";
import { EmitContext } from "./context.js";
import { ChainStage, emitChain } from "./chain.js";

function addUnit(ctx: EmitContext, unit: IvitUnit, instance: string): ChainStage {
  for (const f of unit.files) ctx.add(f.name, f.text, true);
  return { module: unit.top, instance, outBits: unit.outBits };
}

export function emitLayerNormLayer(ctx: EmitContext, layer: LayerNormLayer): string {
  const hdr = (unit: string) => ctx.header(`${unit} of layer ${layer.name}`);
  const unit = emitIvitLayerNorm({ module: `${ctx.prefix}_ln`, params: layer.params, header: hdr("I-LayerNorm unit") });
  const ln = addUnit(ctx, unit, "ln");
  const w = layerNormWidths(layer.params);
  const C = layer.params.channels;
  const perChannel = layer.out.perChannel ? { multipliers: layer.out.perChannel.multipliers, file: `${ctx.prefix}_multipliers.hex` } : undefined;
  const rq = requantUnitParams(w.out, unit.outBits, layer.out.params, 1, `${ctx.prefix}_requant`, perChannel);
  if (perChannel) ctx.add(rq.multiplierFile, hdr("per-channel multiplier ROM (gamma folded)") + "\n" + rq.multiplierRom, false);
  ctx.add(`${rq.module}.v`, renderTemplate("requant", { ...rq, header: hdr("requant unit") }), true);
  return emitChain(ctx, layer, [ln, { module: rq.module, instance: "requant", outBits: rq.outW }], {
    kindText: "I-LayerNorm",
    geometry: `${C} channels per token, docs/integer-ops.md section 5, ${perChannel ? "per-channel" : "per-tensor"} requant`,
    cycleText: "per token: load N, a mean division, the variance (N + 1), ten Newton divisions, the reciprocal division, emit N; exact: src/hw/layers/ivit.ts",
  });
}

export function emitGeluLayer(ctx: EmitContext, layer: GeluLayer): string {
  const hdr = (unit: string) => ctx.header(`${unit} of layer ${layer.name}`);
  const unit = emitIvitGelu({ module: `${ctx.prefix}_gelu`, params: layer.params, rowLength: layer.input.channels, header: hdr("ShiftGELU unit") });
  const gelu = addUnit(ctx, unit, "gelu");
  const rq = requantUnitParams(shiftGeluWidths(layer.params).out, unit.outBits, layer.requant, 1, `${ctx.prefix}_requant`);
  ctx.add(`${rq.module}.v`, renderTemplate("requant", { ...rq, header: hdr("requant unit") }), true);
  return emitChain(ctx, layer, [gelu, { module: rq.module, instance: "requant", outBits: rq.outW }], {
    kindText: "ShiftGELU",
    geometry: `rows of ${layer.input.channels}, docs/integer-ops.md section 4, then requant`,
    cycleText: "per token: load N, then per element a reciprocal division; exact: src/hw/layers/ivit.ts",
  });
}

export function emitSoftmaxLayer(ctx: EmitContext, layer: SoftmaxLayer): string {
  const unit = emitIvitShiftmax({
    module: `${ctx.prefix}_shiftmax`,
    params: layer.params,
    rowLength: layer.input.channels,
    header: ctx.header(`Shiftmax unit of layer ${layer.name}`),
  });
  return emitChain(ctx, layer, [addUnit(ctx, unit, "shiftmax")], {
    kindText: "Shiftmax",
    geometry: `rows of ${layer.input.channels}, docs/integer-ops.md section 3`,
    cycleText: "per row: load N, sum N + 1, one division, emit N; exact: src/hw/layers/ivit.ts",
  });
}

export function emitAttentionLayer(ctx: EmitContext, layer: AttentionLayer): string {
  const hdr = (unit: string) => ctx.header(`${unit} of layer ${layer.name}`);
  const unit = emitIvitAttention(layer, `${ctx.prefix}_attn`, hdr("attention unit"));
  const attn = addUnit(ctx, unit, "attn");
  const rq = requantUnitParams(attentionAccRange(layer.input.height, layer.softmax, layer.input.bits), unit.outBits, layer.requant, 1, `${ctx.prefix}_requant`);
  ctx.add(`${rq.module}.v`, renderTemplate("requant", { ...rq, header: hdr("requant unit") }), true);
  return emitChain(ctx, layer, [attn, { module: rq.module, instance: "requant", outBits: rq.outW }], {
    kindText: "Multi-head attention",
    geometry: `${layer.heads} head(s) of ${layer.headDim}, SIMD ${layer.arch.simd}, docs/integer-ops.md section 6`,
    cycleText:
      "load the frame, then per row and head T*G + 1 (Q*K^T), 2(T + 1) + a division (Shiftmax), G(T + S + 2) (A*V, emit); exact: src/hw/layers/ivit.ts",
  });
}

function rowsOf(layer: { input: { height: number; width: number } }): number {
  return layer.input.height * layer.input.width;
}

export function layerNormTiming(layer: LayerNormLayer): TimedUnit[] {
  const NW = ivitLayerNormParams({ module: "ln", params: layer.params }, "ln_div", "").NW;
  return [new LayerNormTiming(layer.params.channels, NW, layerNormIterations(layer.params)), new RegisteredStage()];
}

export function geluTiming(layer: GeluLayer): TimedUnit[] {
  return [new GeluTiming(layer.input.channels), new RegisteredStage()];
}

export function softmaxTiming(layer: SoftmaxLayer): TimedUnit[] {
  return [new ShiftmaxTiming(layer.input.channels)];
}

export function attentionTiming(layer: AttentionLayer): TimedUnit[] {
  return [new AttentionTiming(layer), new RegisteredStage()];
}

/**
 * Cycles of one frame of an integer ViT layer alone, first input to last output,
 * source and sink never stalling — the closed forms of the phase lengths above
 * (a division takes NW + 2 cycles from its start to the phase change; the requant
 * stage after LayerNorm, GELU and attention adds one):
 *   layernorm  rows·(3N + 3 + (s + 2)·(NW + 2)) + 1  (mean, s Newton steps — ten unless the IR records another —, reciprocal)
 *   gelu       rows·(N + 1 + N·(NW + 4)) + 1        (CEXP, then READ, START, the division, EMIT per element)
 *   softmax    rows·(3N + 3 + (NW + 2))
 *   attention  T·3D + T·H·(T·G + 1 + 2(T + 1) + (NW + 2) + G·(T + S + 2)) + 1
 * Consecutive frames do not overlap (every unit holds its input until it has emitted).
 */
export function ivitFrameCycles(layer: LayerNormLayer | GeluLayer | SoftmaxLayer | AttentionLayer): number {
  const division = (dividendBits: number) => Math.max(2, dividendBits) + 2;
  switch (layer.kind) {
    case "layernorm": {
      const N = layer.params.channels;
      const NW = ivitLayerNormParams({ module: "ln", params: layer.params }, "ln_div", "").NW;
      return rowsOf(layer) * (3 * N + 3 + (layerNormIterations(layer.params) + 2) * division(NW)) + 1;
    }
    case "gelu": {
      const N = layer.input.channels;
      return rowsOf(layer) * (N + 1 + N * (division(RECIPROCAL_BITS) + 2)) + 1;
    }
    case "softmax": {
      const N = layer.input.channels;
      return rowsOf(layer) * (3 * N + 3 + division(RECIPROCAL_BITS));
    }
    case "attention": {
      const { tokens: T, heads: H, groups: G, simd: S } = attentionShape(layer);
      const perHead = T * G + 1 + 2 * (T + 1) + division(attentionDivider(layer).dividendBits) + G * (T + S + 2);
      return tensorSize(layer.input) + T * H * perHead + 1;
    }
  }
}

export const layerNormLayer: LayerImpl<LayerNormLayer> = {
  widthBound: true,
  golden: (layer, [x]) => layerNormGolden(layer, x),
  emit: emitLayerNormLayer,
  timing: layerNormTiming,
  frameCycles: ivitFrameCycles,
  features: (layer, target) => {
    const w = layerNormWidths(layer.params);
    // the token buffer, and the per-channel bias: a case table (bias_of) that proc_rom turns into a
    // ROM (8 or more values, dense), read into a register that memory_dff folds in
    const a = new Acc(target)
      .add("ln.units", 1)
      .memory(layer.params.channels, layer.params.inputBits, "ram", "sync")
      .memory(layer.params.channels, w.biasBits, "rom", "sync");
    const perChannel = layer.out.perChannel ? { multipliers: layer.out.perChannel.multipliers, file: "" } : undefined;
    a.requant(requantUnitParams(w.out, w.outBits, layer.out.params, 1, "rq", perChannel), layer.out.params.multiplierBits);
    return { kind: "ln", features: a.f };
  },
  describe: (l) =>
    `I-LayerNorm over ${l.params.channels}${l.params.newtonIterations ? `, ${l.params.newtonIterations} Newton steps` : ""}, requant ${l.out.perChannel ? "per-channel m" : `m=${l.out.params.multiplier}`} k=${l.out.params.shift}`,
};

export const geluLayer: LayerImpl<GeluLayer> = {
  widthBound: true,
  golden: (layer, [x]) => geluGolden(layer, x),
  emit: emitGeluLayer,
  timing: geluTiming,
  frameCycles: ivitFrameCycles,
  features: (layer, target) => {
    const w = shiftGeluWidths(layer.params);
    const a = new Acc(target).add("gelu.units", 1).memory(layer.input.channels, layer.params.inputBits, "ram", "sync");
    a.requant(requantUnitParams(w.out, w.outBits, layer.requant, 1, "rq"), layer.requant.multiplierBits);
    return { kind: "gelu", features: a.f };
  },
  describe: (l) => `ShiftGELU x0' ${l.params.x0} n ${l.params.n}, ${l.params.outBits}-bit sigmoid, requant m=${l.requant.multiplier} k=${l.requant.shift}`,
};

export const softmaxLayer: LayerImpl<SoftmaxLayer> = {
  widthBound: true,
  golden: (layer, [x]) => softmaxGolden(layer, x),
  emit: emitSoftmaxLayer,
  timing: softmaxTiming,
  frameCycles: ivitFrameCycles,
  features: (layer, target) => ({
    kind: "softmax",
    features: new Acc(target).add("softmax.units", 1).memory(layer.input.channels, layer.params.inputBits, "ram", "sync").f,
  }),
  describe: (l) => `Shiftmax x0 ${l.params.x0} n ${l.params.n}`,
};

export const attentionLayer: LayerImpl<AttentionLayer> = {
  widthBound: true,
  golden: (layer, [x]) => attentionGolden(layer, x),
  emit: emitAttentionLayer,
  timing: attentionTiming,
  frameCycles: ivitFrameCycles,
  features: (layer, target) => {
    const p = ivitAttentionParams(layer, "attn_features", "e", "d", "");
    const a = new Acc(target)
      .add("attn.units", 1)
      // S lanes of q·k and of p·v products, and their adder trees
      .add("attn.laneBits", p.S * (p.DW + p.AVW))
      .memory(p.depth, p.S * p.IB, "ram", "sync")
      .memory(p.depth, p.S * p.IB, "ram", "sync")
      .memory(p.depth, p.S * p.IB, "ram", "sync")
      .memory(p.T, p.SCW, "ram", "sync")
      .memory(p.T, p.PBW, "ram", "sync")
      .add("attn.dsps", target.useDsp ? 2 * p.S * dspsFor(p.IB, p.IB, target) : 0);
    a.requant(
      requantUnitParams(attentionAccRange(layer.input.height, layer.softmax, layer.input.bits), p.AVW, layer.requant, 1, "rq"),
      layer.requant.multiplierBits,
    );
    return { kind: "attn", features: a.f };
  },
  describe: (l) =>
    `${l.heads} head(s) of ${l.headDim}, scores ${l.softmax.inputBits} bits, Shiftmax x0 ${l.softmax.x0} n ${l.softmax.n}, requant m=${l.requant.multiplier} k=${l.requant.shift}, simd ${l.arch.simd}`,
};
