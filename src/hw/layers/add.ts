/** Residual add layer (two input streams a, b). */
import { AddLayer } from "../../ir/model.js";
import { renderTemplate } from "../render.js";
import { addUnitParams } from "../units/add/params.js";
import { EmitContext } from "./context.js";

export function emitAddLayer(ctx: EmitContext, layer: AddLayer, operandBits: readonly [number, number] = [8, 8]): string {
  const module = `${ctx.prefix}_add`;
  const p = addUnitParams(layer, module, operandBits);
  ctx.add(`${module}.v`, renderTemplate("add", { ...p, header: ctx.header(`residual add of layer ${layer.name}`) }), true);
  return module;
}
