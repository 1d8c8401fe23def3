/**
 * ReLU and argmax layers: each is one unit with the standard stream ports, so the
 * unit is the layer module. Cycle models: src/hw/units/relu/timing.ts, argmax.ts.
 */
import { ArgmaxLayer, ReluLayer } from "../../ir/model.js";
import { renderTemplate } from "../render.js";
import { reluParams } from "../units/relu/params.js";
import { argmaxParams } from "../units/argmax/params.js";
import { EmitContext } from "./context.js";

export function emitReluLayer(ctx: EmitContext, layer: ReluLayer): string {
  const p = reluParams(layer, `${ctx.prefix}_layer`);
  ctx.add(`${p.module}.v`, renderTemplate("relu", { ...p, header: ctx.header(`relu layer ${layer.name}`) }), true);
  return p.module;
}

export function emitArgmaxLayer(ctx: EmitContext, layer: ArgmaxLayer): string {
  const p = argmaxParams(layer, `${ctx.prefix}_layer`);
  ctx.add(`${p.module}.v`, renderTemplate("argmax", { ...p, header: ctx.header(`argmax layer ${layer.name}`) }), true);
  return p.module;
}
