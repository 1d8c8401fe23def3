/**
 * A layer module that chains stream units by valid/ready (templates/verilog/layer-chain.v.hbs):
 * unit 0 takes the layer's input, unit i feeds unit i + 1, the last drives the output.
 * Used by the pooling layers and the integer ViT layers.
 */
import { Layer, TensorSpec } from "../../ir/model.js";
import { renderTemplate } from "../render.js";
import { commentText } from "../verilog.js";
import { EmitContext } from "./context.js";

export interface ChainStage {
  readonly module: string;
  readonly instance: string;
  /** Width of this unit's output stream. */
  readonly outBits: number;
}

export const shapeText = (t: TensorSpec) => `${t.height}x${t.width}x${t.channels}`;

/** Renders `${ctx.prefix}_layer`, the chain of `stages`; returns its module name. */
export function emitChain(
  ctx: EmitContext,
  layer: Layer,
  stages: readonly ChainStage[],
  text: { kindText: string; geometry: string; cycleText: string },
): string {
  const module = `${ctx.prefix}_layer`;
  const n = stages.length;
  const port = (i: number) => (i === 0 ? "in" : i === n ? "out" : `s${i}`);
  ctx.add(
    `${module}.v`,
    renderTemplate("layer-chain", {
      header: ctx.header(`${layer.kind} layer ${layer.name}`),
      module,
      ...text,
      layerName: commentText(layer.name),
      inShape: shapeText(layer.input),
      outShape: shapeText(layer.output),
      dataflow: stages.map((s) => s.instance).join(" -> "),
      BX: layer.input.bits,
      OB: layer.output.bits,
      links: stages.slice(0, -1).map((s, i) => ({ index: i + 1, bits: s.outBits })),
      stages: stages.map((s, i) => ({ module: s.module, instance: s.instance, from: port(i), to: port(i + 1) })),
    }),
    true,
  );
  return module;
}
