/**
 * The ViT token layers: each is one unit with the standard stream ports, so the unit
 * is the layer module. Cycle models: src/hw/units/token-embed/timing.ts, token_select.ts.
 */
import { TokenEmbedLayer, TokenSelectLayer } from "../../ir/model.js";
import { renderTemplate } from "../render.js";
import { tokenEmbedParams } from "../units/token-embed/params.js";
import { tokenSelectParams } from "../units/token-select/params.js";
import { EmitContext } from "./context.js";

export function emitTokenEmbedLayer(ctx: EmitContext, layer: TokenEmbedLayer): string {
  const p = tokenEmbedParams(layer, `${ctx.prefix}_layer`, `${ctx.prefix}_embedding.hex`);
  ctx.add(p.romFile, ctx.header(`class token and position embedding ROM of layer ${layer.name}`) + "\n" + p.rom, false);
  ctx.add(`${p.module}.v`, renderTemplate("token_embed", { ...p, header: ctx.header(`token_embed layer ${layer.name}`) }), true);
  return p.module;
}

export function emitTokenSelectLayer(ctx: EmitContext, layer: TokenSelectLayer): string {
  const p = tokenSelectParams(layer, `${ctx.prefix}_layer`);
  ctx.add(`${p.module}.v`, renderTemplate("token_select", { ...p, header: ctx.header(`token_select layer ${layer.name}`) }), true);
  return p.module;
}
