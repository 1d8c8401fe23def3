/**
 * ReLU and argmax layers: each is one unit with the standard stream ports, so the
 * unit is the layer module. Cycle models: src/hw/units/relu/timing.ts, src/hw/units/argmax/timing.ts.
 */
import { ArgmaxLayer, FlattenLayer, ReluLayer } from "../../ir/model.js";
import { argmaxGolden, flattenGolden, reluGolden } from "../golden/elementwise.js";
import { reluTiming } from "../units/relu/timing.js";
import { argmaxTiming } from "../units/argmax/timing.js";
import { Acc } from "./features.js";
import { LayerImpl } from "./impl.js";
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

export const reluLayer: LayerImpl<ReluLayer> = {
  golden: (layer, [x]) => reluGolden(layer, x),
  emit: emitReluLayer,
  timing: reluTiming,
  features: (layer, target) => ({ kind: "relu", features: new Acc(target).add("relu.units", 1).add("relu.bits", layer.input.bits).f }),
  describe: () => "",
};

export const argmaxLayer: LayerImpl<ArgmaxLayer> = {
  golden: (layer, [x]) => argmaxGolden(layer, x),
  emit: emitArgmaxLayer,
  timing: argmaxTiming,
  features: (layer, target) => {
    const p = argmaxParams(layer, "argmax_features");
    // the running best value and index, their compare
    return { kind: "argmax", features: new Acc(target).add("argmax.units", 1).add("argmax.bits", p.BX + p.IW).f };
  },
  describe: () => "",
};

/** A wire in hardware (no module): the stream passes through unchanged. */
export const flattenLayer: LayerImpl<FlattenLayer> = {
  wire: true,
  golden: (layer, [x]) => flattenGolden(layer, x),
  emit: () => undefined,
  timing: () => undefined,
  features: () => undefined,
  describe: () => "",
};
