/**
 * Max / average pooling and global average pooling layers.
 *   maxpool, avgpool: sliding-window unit (no padding, SIMD = P lanes) -> pool
 *     reducer (max, OR on ±1 bits, or window sum) -> [requant of the sums] ->
 *     serializer (P lanes to one element per beat; left out when P = 1).
 *   global_avgpool: pool reducer over the input stream itself (P = 1, G = C,
 *     H·W positions) -> requant.
 * Cycle models: src/hw/units/pool/timing.ts (poolTiming, globalAvgPoolTiming).
 */
import { AvgPoolLayer, GlobalAvgPoolLayer, MaxPoolLayer } from "../../ir/model.js";
import { avgPoolGolden, globalAvgPoolGolden, maxPoolGolden } from "../golden/pool.js";
import { globalAvgPoolTiming, poolTiming } from "../units/pool/timing.js";
import { SynthTarget } from "../target.js";
import { Acc, StreamUnitFeatures } from "./features.js";
import { LayerImpl } from "./impl.js";
import { renderTemplate } from "../render.js";
import { swuParams } from "../units/swu/params.js";
import { serializerParams } from "../units/serializer/params.js";
import { poolAccRange, poolConvViews, poolReduceParams, poolRequantParams } from "../units/pool/params.js";
import { EmitContext } from "./context.js";
import { ChainStage as Stage, emitChain } from "./chain.js";

export function emitPoolLayer(ctx: EmitContext, layer: MaxPoolLayer | AvgPoolLayer): string {
  const { prefix, add } = ctx;
  const hdr = (unit: string) => ctx.header(`${unit} of layer ${layer.name}`);
  const views = poolConvViews(layer);
  const P = views.lanes;
  const C = layer.input.channels;
  const [KH, KW] = layer.kernel;
  const stages: Stage[] = [];

  const swu = swuParams(views.swu, `${prefix}_swu`, `${prefix}_window.hex`);
  add(swu.laneFile, ctx.header(`sliding-window lane table of layer ${layer.name}`) + "\n" + swu.laneRom, false);
  add(`${swu.module}.v`, renderTemplate("swu", { ...swu, header: hdr("sliding-window unit") }), true);
  stages.push({ module: swu.module, instance: "swu", outBits: P * layer.input.bits });

  const shape = { lanes: P, groups: C / P, positions: KH * KW, inBits: layer.input.bits, op: layer.kind === "maxpool" ? "max" : "sum" } as const;
  const red = poolReduceParams(shape, `${prefix}_pool`);
  add(`${red.module}.v`, renderTemplate("pool", { ...red, header: hdr("pool reducer") }), true);
  stages.push({ module: red.module, instance: "pool", outBits: red.outW });

  if (layer.kind === "avgpool") {
    const rq = poolRequantParams(poolAccRange(shape), red.AW, layer.requant, P, `${prefix}_requant`);
    add(`${rq.module}.v`, renderTemplate("requant", { ...rq, header: hdr("requant unit") }), true);
    stages.push({ module: rq.module, instance: "requant", outBits: rq.outW });
  }
  if (P > 1) {
    const ser = serializerParams(views.serializer, `${prefix}_ser`);
    add(`${ser.module}.v`, renderTemplate("serializer", { ...ser, header: hdr("serializer") }), true);
    stages.push({ module: ser.module, instance: "ser", outBits: layer.output.bits });
  }
  return emitChain(ctx, layer, stages, {
    kindText: layer.kind === "maxpool" ? "Max pool" : "Average pool",
    geometry: `kernel ${KH}x${KW}, stride ${layer.stride[0]}x${layer.stride[1]}, no padding, P = ${P} lane(s)`,
    // input rate, window reads (KH*KW*C/P slices per pixel) and serializer (C per pixel) bound it from below
    cycleText: `at least max(H*W*C, OH*OW*max(KH*KW*C/P, C)) per frame, plus line-buffer waits at row and frame ends; exact: src/hw/units/pool/timing.ts`,
  });
}

export function emitGlobalAvgPoolLayer(ctx: EmitContext, layer: GlobalAvgPoolLayer): string {
  const { prefix, add } = ctx;
  const hdr = (unit: string) => ctx.header(`${unit} of layer ${layer.name}`);
  const { height: H, width: W, channels: C, bits: BX } = layer.input;
  const shape = { lanes: 1, groups: C, positions: H * W, inBits: BX, op: "sum" } as const;
  const red = poolReduceParams(shape, `${prefix}_pool`);
  add(`${red.module}.v`, renderTemplate("pool", { ...red, header: hdr("pool reducer (per-channel sums)") }), true);
  const rq = poolRequantParams(poolAccRange(shape), red.AW, layer.requant, 1, `${prefix}_requant`);
  add(`${rq.module}.v`, renderTemplate("requant", { ...rq, header: hdr("requant unit") }), true);
  return emitChain(
    ctx,
    layer,
    [
      { module: red.module, instance: "pool", outBits: red.outW },
      { module: rq.module, instance: "requant", outBits: rq.outW },
    ],
    { kindText: "Global average pool", geometry: "", cycleText: "H*W*C + 2 per frame (first input to last output); back-to-back frames overlap" },
  );
}

/** A max/avg pool's reducer (and an average pool's requant); its window unit and serializer go to the engine formula. */
function poolFeatures(layer: MaxPoolLayer | AvgPoolLayer, target: SynthTarget): StreamUnitFeatures {
  const a = new Acc(target);
  const views = poolConvViews(layer);
  const shape = {
    lanes: views.lanes,
    groups: layer.input.channels / views.lanes,
    positions: layer.kernel[0] * layer.kernel[1],
    inBits: layer.input.bits,
    op: layer.kind === "maxpool" ? "max" : "sum",
  } as const;
  const red = poolReduceParams(shape, "pool_features");
  a.add("pool.units", 1)
    .add("pool.laneBits", red.P * red.AW)
    .add("pool.srBits", red.hasAcc ? red.srW : 0);
  if (layer.kind === "avgpool") a.requant(poolRequantParams(poolAccRange(shape), red.AW, layer.requant, red.P, "rq"), layer.requant.multiplierBits);
  return { kind: "pool", features: a.f, engineParts: { swu: views.swu, serializer: views.lanes > 1 ? views.serializer : undefined } };
}

export const maxPoolLayer: LayerImpl<MaxPoolLayer> = {
  golden: (layer, [x]) => maxPoolGolden(layer, x),
  emit: emitPoolLayer,
  timing: poolTiming,
  features: poolFeatures,
  describe: () => "",
};

export const avgPoolLayer: LayerImpl<AvgPoolLayer> = {
  golden: (layer, [x]) => avgPoolGolden(layer, x),
  emit: emitPoolLayer,
  timing: poolTiming,
  features: poolFeatures,
  describe: () => "",
};

export const globalAvgPoolLayer: LayerImpl<GlobalAvgPoolLayer> = {
  golden: (layer, [x]) => globalAvgPoolGolden(layer, x),
  emit: emitGlobalAvgPoolLayer,
  timing: globalAvgPoolTiming,
  features: (layer, target) => {
    const a = new Acc(target);
    const shape = { lanes: 1, groups: layer.input.channels, positions: layer.input.height * layer.input.width, inBits: layer.input.bits, op: "sum" } as const;
    const red = poolReduceParams(shape, "gap_features");
    a.add("gap.units", 1).add("gap.srBits", red.srW);
    a.requant(poolRequantParams(poolAccRange(shape), red.AW, layer.requant, 1, "rq"), layer.requant.multiplierBits);
    return { kind: "gap", features: a.f };
  },
  describe: () => "",
};
