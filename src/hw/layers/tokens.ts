/**
 * The ViT token layers: each is one unit with the standard stream ports, so the unit
 * is the layer module. Cycle models: src/hw/units/token-embed/timing.ts, src/hw/units/token-select/timing.ts.
 */
import { TokenEmbedLayer, TokenSelectLayer } from "../../ir/model.js";
import { tokenEmbedGolden, tokenSelectGolden } from "../golden/tokens.js";
import { tokenEmbedTiming } from "../units/token-embed/timing.js";
import { tokenSelectTiming } from "../units/token-select/timing.js";
import { constant, dspsForProduct, signal } from "../target.js";
import { Acc } from "./features.js";
import { LayerImpl } from "./impl.js";
import { renderTemplate } from "../render.js";
import { tokenEmbedParams } from "../units/token-embed/params.js";
import { tokenSelectParams } from "../units/token-select/params.js";
import { EmitContext } from "./context.js";

export function emitTokenEmbedLayer(ctx: EmitContext, layer: TokenEmbedLayer): string {
  const p = tokenEmbedParams(layer, `${ctx.prefix}_layer`, `${ctx.prefix}_embedding.hex`);
  ctx.add(p.romFile, ctx.header(`class token and position embedding ROM of layer ${layer.name}`) + "\n" + p.rom, false);
  ctx.add(`${p.module}.v`, renderTemplate("token-embed", { ...p, header: ctx.header(`token_embed layer ${layer.name}`) }), true);
  return p.module;
}

export function emitTokenSelectLayer(ctx: EmitContext, layer: TokenSelectLayer): string {
  const p = tokenSelectParams(layer, `${ctx.prefix}_layer`);
  ctx.add(`${p.module}.v`, renderTemplate("token-select", { ...p, header: ctx.header(`token_select layer ${layer.name}`) }), true);
  return p.module;
}

export const tokenEmbedLayer: LayerImpl<TokenEmbedLayer> = {
  golden: (layer, [x]) => tokenEmbedGolden(layer, x),
  emit: emitTokenEmbedLayer,
  timing: tokenEmbedTiming,
  features: (layer, target) => {
    // the table is read at a registered index: a synchronous ROM once Yosys folds the register in
    const p = tokenEmbedParams(layer, "tokembed_features", "");
    const a = new Acc(target)
      .add("tokembed.units", 1)
      .add("tokembed.bits", p.SUMW + p.SW)
      .memory(p.N, p.EW, "rom", "sync");
    // token-embed.v.hbs: x sign-extended to PRODW times the constant multiplier (hw/families/dsp.ts)
    a.add("rq.dsps", dspsForProduct({ a: signal(p.BX), b: constant(layer.requant.multiplier), width: p.PRODW }, target));
    return { kind: "tokembed", features: a.f };
  },
  describe: (l) => `class token + position table (${l.embedding.length} integers), token rescale m=${l.requant.multiplier} k=${l.requant.shift}`,
};

export const tokenSelectLayer: LayerImpl<TokenSelectLayer> = {
  golden: (layer, [x]) => tokenSelectGolden(layer, x),
  emit: emitTokenSelectLayer,
  timing: tokenSelectTiming,
  features: (layer, target) => {
    const p = tokenSelectParams(layer, "toksel_features");
    return {
      kind: "toksel",
      features: new Acc(target)
        .add("toksel.units", 1)
        .add("toksel.bits", p.RW + p.CW)
        .memory(p.C, p.BX, "ram", "sync").f,
    };
  },
  describe: (l) => `keeps token ${l.index}`,
};
