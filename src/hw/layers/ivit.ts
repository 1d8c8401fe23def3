/**
 * The integer ViT layers as chains of stream units (templates/verilog/layer_chain.v.hbs):
 *   layernorm: I-LayerNorm unit (ivit_layernorm.v.hbs) -> per-channel requant (gamma folded)
 *   gelu:      ShiftGELU unit (ivit_gelu.v.hbs) -> requant of y = x·sig
 *   softmax:   Shiftmax unit (ivit_shiftmax.v.hbs)
 *   attention: attention unit (ivit_attention.v.hbs) -> requant of the A·V accumulators
 * Cycle models: src/hw/layers/ivit-timing.ts.
 */
import { AttentionLayer, GeluLayer, LayerNormLayer, SoftmaxLayer } from "../../ir/model.js";
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
    geometry: `${C} channels per token, spec section 5, ${perChannel ? "per-channel" : "per-tensor"} requant`,
    cycleText: "per token: load N, a mean division, the variance (N + 1), ten Newton divisions, the reciprocal division, emit N; exact: src/hw/layers/ivit-timing.ts",
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
    geometry: `rows of ${layer.input.channels}, spec section 4, then requant`,
    cycleText: "per token: load N, then per element a reciprocal division; exact: src/hw/layers/ivit-timing.ts",
  });
}

export function emitSoftmaxLayer(ctx: EmitContext, layer: SoftmaxLayer): string {
  const unit = emitIvitShiftmax({ module: `${ctx.prefix}_shiftmax`, params: layer.params, rowLength: layer.input.channels, header: ctx.header(`Shiftmax unit of layer ${layer.name}`) });
  return emitChain(ctx, layer, [addUnit(ctx, unit, "shiftmax")], {
    kindText: "Shiftmax",
    geometry: `rows of ${layer.input.channels}, spec section 3`,
    cycleText: "per row: load N, sum N + 1, one division, emit N; exact: src/hw/layers/ivit-timing.ts",
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
    geometry: `${layer.heads} head(s) of ${layer.headDim}, SIMD ${layer.arch.simd}, spec section 6`,
    cycleText: "load the frame, then per row and head T*G + 1 (Q*K^T), 2(T + 1) + a division (Shiftmax), G(T + S + 2) (A*V, emit); exact: src/hw/layers/ivit-timing.ts",
  });
}
