/**
 * The conv / dense layer: sliding window -> matrix-vector unit -> requant or
 * threshold -> serializer (dense = the 1×1 conv on a 1×1×N input, denseAsConv).
 */
import { Conv2dLayer, DenseLayer, denseAsConv, engineConv } from "../../ir/model.js";
import { conv2dGolden, denseGolden } from "../golden/conv2d.js";
import { RegisteredStage, TimedUnit } from "../units/stream/timing.js";
import { SwuTiming } from "../units/swu/timing.js";
import { MvuTiming } from "../units/mvu/timing.js";
import { SerializerTiming } from "../units/serializer/timing.js";
import { LayerImpl } from "./impl.js";
import { renderTemplate } from "../render.js";
import { commentText } from "../verilog.js";
import { swuParams } from "../units/swu/params.js";
import { mvuParams, layerAccBits } from "../units/mvu/params.js";
import { peParams } from "../units/pe/params.js";
import { requantParams } from "../units/requant/params.js";
import { thresholdParams } from "../units/threshold/params.js";
import { serializerParams } from "../units/serializer/params.js";
import { EmitContext } from "./context.js";

export function emitConvLayer(ctx: EmitContext, layer: Conv2dLayer): string {
  const { prefix, add } = ctx;
  const hdr = (unit: string) => ctx.header(`${unit} of layer ${layer.name}`);
  const romHeader = (what: string) => ctx.header(`${what} of layer ${layer.name}`) + "\n";
  const pe = peParams(layer, `${prefix}_pe`);
  add(`${pe.module}.v`, renderTemplate(pe.template, { ...pe, header: hdr(`${layer.datapath} PE`) }), true);

  const swu = swuParams(layer, `${prefix}_swu`, `${prefix}_window.hex`);
  add(swu.laneFile, romHeader("sliding-window lane table") + swu.laneRom, false);
  add(`${swu.module}.v`, renderTemplate("swu", { ...swu, header: hdr("sliding-window unit") }), true);

  const mvu = mvuParams(layer, `${prefix}_mvu`, pe.module, { weight: `${prefix}_weights.hex`, bias: `${prefix}_bias.hex` });
  // a loadable RAM reads no file: the same words are its load image (what the host sends after reset)
  add(mvu.weightFile, romHeader(mvu.spram ? "weight load image (sent over the weight-load port)" : "weight ROM") + mvu.weightRom, false);
  if (mvu.hasBias) add(mvu.biasFile, romHeader("bias ROM") + mvu.biasRom, false);
  add(`${mvu.module}.v`, renderTemplate("mvu", { ...mvu, header: hdr("matrix-vector unit") }), true);

  let outModule: string;
  let outUnitKind: string;
  if (layer.out.kind === "requant") {
    const rq = requantParams(layer, `${prefix}_requant`, `${prefix}_multipliers.hex`);
    if (rq.perChannel) add(rq.multiplierFile, romHeader("per-channel multiplier ROM") + rq.multiplierRom, false);
    add(`${rq.module}.v`, renderTemplate("requant", { ...rq, header: hdr("requant unit") }), true);
    outModule = rq.module;
    outUnitKind = "requant";
  } else {
    const th = thresholdParams(layer, `${prefix}_threshold`, `${prefix}_thresholds.hex`);
    add(th.thresholdFile, romHeader("threshold ROM") + th.thresholdRom, false);
    add(`${th.module}.v`, renderTemplate("threshold", { ...th, header: hdr("threshold unit") }), true);
    outModule = th.module;
    outUnitKind = "threshold";
  }

  const ser = serializerParams(layer, `${prefix}_ser`);
  add(`${ser.module}.v`, renderTemplate("serializer", { ...ser, header: hdr("serializer") }), true);

  const module = `${prefix}_layer`;
  const shape = (t: { height: number; width: number; channels: number }) => `${t.height}x${t.width}x${t.channels}`;
  add(
    `${module}.v`,
    renderTemplate("conv-layer", {
      header: hdr("conv layer"),
      module,
      layerName: commentText(layer.name),
      datapath: layer.datapath,
      inShape: shape(layer.input),
      outShape: shape(layer.output),
      kernelText: `${layer.kernel[0]}x${layer.kernel[1]}`,
      strideText: `${layer.stride[0]}x${layer.stride[1]}`,
      paddingText: `${layer.padding[0]}x${layer.padding[1]}`,
      PE: layer.arch.pe,
      SIMD: layer.arch.simd,
      BX: layer.input.bits,
      OB: layer.output.bits,
      sliceW: layer.arch.simd * layer.input.bits,
      accW: layer.arch.pe * layerAccBits(layer),
      vecW: layer.arch.pe * layer.output.bits,
      swuModule: swu.module,
      mvuModule: mvu.module,
      outModule,
      outUnitKind,
      serModule: ser.module,
      spram: mvu.spram,
    }),
    true,
  );
  return module;
}

/** The engine's units as cycle models: window, matrix-vector unit, requant/threshold stage, serializer. */
function engineTiming(layer: Conv2dLayer | DenseLayer): TimedUnit[] {
  const conv = engineConv(layer);
  return [new SwuTiming(conv), new MvuTiming(conv), new RegisteredStage(), new SerializerTiming(conv)];
}

export const conv2dLayer: LayerImpl<Conv2dLayer> = {
  golden: (layer, [x]) => conv2dGolden(layer, x),
  emit: emitConvLayer,
  timing: engineTiming,
  // an engine: its features are the engine formula's (estimate/resources.ts engineFeatures)
  features: () => undefined,
  describe: () => "",
};

export const denseLayer: LayerImpl<DenseLayer> = {
  golden: (layer, [x]) => denseGolden(layer, x),
  emit: (ctx, layer) => emitConvLayer(ctx, denseAsConv(layer)),
  timing: engineTiming,
  features: () => undefined,
  describe: () => "",
};
