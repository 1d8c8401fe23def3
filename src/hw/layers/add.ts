/** Residual add layer (two input streams a, b). */
import { AddLayer } from "../../ir/model.js";
import { addGolden } from "../golden/elementwise.js";
import { Acc } from "./features.js";
import { constant, dspsForProduct, signal } from "../target.js";
import { LayerImpl } from "./impl.js";
import { renderTemplate } from "../render.js";
import { addUnitParams } from "../units/add/params.js";
import { EmitContext } from "./context.js";

export function emitAddLayer(ctx: EmitContext, layer: AddLayer, operandBits: readonly [number, number] = [8, 8]): string {
  const module = `${ctx.prefix}_add`;
  const p = addUnitParams(layer, module, operandBits);
  ctx.add(`${module}.v`, renderTemplate("add", { ...p, header: ctx.header(`residual add of layer ${layer.name}`) }), true);
  return module;
}

export const addLayer: LayerImpl<AddLayer> = {
  golden: (layer, [a, b]) => addGolden(layer, a, b),
  emit: (ctx, layer) => emitAddLayer(ctx, layer),
  // two input streams: perf/streaming.ts times the join itself
  timing: () => undefined,
  features: (layer, target, inputBits) => {
    // the operand streams' own widths, as the netlist feeds them (design.ts emits with the same)
    const bits: [number, number] = [inputBits?.[0] ?? layer.input.bits, inputBits?.[1] ?? layer.input.bits];
    const p = addUnitParams(layer, "add_features", bits);
    // per operand a constant multiply, the rounding add and shift; the sum and its saturation
    const opBits = p.ops.reduce((s, o) => s + o.SUMW, 0);
    // add.v.hbs: each operand sign-extended to PRODW times its constant multiplier (hw/families/dsp.ts)
    const dsps = p.ops.reduce((s, o, j) => s + dspsForProduct({ a: signal(bits[j]), b: constant(o.multiplier), width: o.PRODW }, target), 0);
    return {
      kind: "add",
      features: new Acc(target)
        .add("add.units", 1)
        .add("add.bits", opBits + p.SW)
        .add("add.dsps", dsps).f,
    };
  },
  describe: () => "",
};
