/** `quantrtl check <model>`: loads the model and prints each layer's shapes, widths, folding and cycles (flows/check.ts). */
import { checkModel, CheckedLayer } from "../flows/check.js";
import { FOLD_FLAGS, flag, MEMORY_FLAG, printJson } from "./args.js";
import type { CommandSpec } from "./command.js";
import { modelArg } from "./inputs.js";
import { shape } from "./print.js";

function layerLine(l: CheckedLayer): string {
  const from = l.branches ? ` (from ${l.inputs.join(", ")})` : "";
  const e = l.engine;
  if (!e) {
    const cycles = l.frameCycles !== undefined ? `, ${l.frameCycles} cycles/frame` : "";
    return `  ${l.name}: ${l.kind}${from}, ${shape(l.input)} -> ${shape(l.output)} (${l.output.bits} bits)${l.detail ? `, ${l.detail}` : ""}${cycles}`;
  }
  const o = e.outputStage;
  const out =
    o.kind === "requant" ? `requant ${o.perChannel ? "per-channel m" : `m=${o.multiplier}`} k=${o.shift} ${o.rounding}${o.relu ? " +relu" : ""}` : "thresholds";
  const geometry =
    e.kernel && e.stride && e.padding
      ? `conv2d ${e.datapath} ${e.kernel[0]}x${e.kernel[1]} stride ${e.stride.join("x")} pad ${e.padding.join("x")}`
      : `dense ${e.datapath}`;
  const f = e.folding;
  return (
    `  ${l.name}: ${geometry}${from}, ` +
    `${shape(l.input)} -> ${shape(l.output)}, K=${e.reductionLength}, acc ${e.accBits} bits, ${out}, ` +
    `pe ${f.pe} simd ${f.simd} (NF ${f.nf} x SF ${f.sf}), ideal ${e.idealCycles} cycles/frame`
  );
}

export const check: CommandSpec = {
  name: "check",
  usage: "  quantrtl check  <model.json> [--pe n] [--simd n] [--json]",
  takesModel: true,
  flags: [...FOLD_FLAGS, flag("json"), MEMORY_FLAG],
  run(args) {
    const result = checkModel(modelArg(args));
    if (args.flags.has("json")) {
      printJson(result);
      return 0;
    }
    console.log(`model ${result.model} (sha256 ${result.hash.slice(0, 16)}…): input ${shape(result.input)}, ${result.layers.length} layer(s)`);
    for (const l of result.layers) console.log(layerLine(l));
    console.log("ok");
    return 0;
  },
};
