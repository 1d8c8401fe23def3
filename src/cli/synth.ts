/** `quantrtl synth <model>`: Yosys (and nextpnr for iCE40) beside the resource estimate and its error bars. */
import { errorBars } from "../estimate/resources.js";
import { networkErrorBar } from "../flows/validate.js";
import { estimateModel } from "../estimate/model.js";
import { synthesize } from "../synth/index.js";
import { placeAndRoute } from "../synth/nextpnr.js";
import { DSP_FMAX_CAVEAT } from "../flows/compare.js";
import { Args, flag, FOLD_FLAGS, MEMORY_FLAG } from "./args.js";
import type { CommandSpec } from "./command.js";
import { boardArg, modelArg } from "./inputs.js";
import { pct, printTable, progress } from "./print.js";

async function synthCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const r = await synthesize(model, board, progress);
  const whole = estimateModel(model, board);
  const estimate = whole.total;
  if (args.flags.has("json")) {
    console.log(JSON.stringify({ synthesis: r, estimate }, null, 2));
    return r.latches === 0 ? 0 : 3;
  }
  console.log(`${model.name} on ${board.title} (${board.part}): ${r.command} (${r.yosys}${r.cached ? ", cached" : `, ${r.seconds.toFixed(1)} s`})`);
  const have = board.resources;
  const err = (measured: number, est: number) =>
    measured > 0 ? `${est >= measured ? "+" : ""}${(((est - measured) / measured) * 100).toFixed(0)}%` : est > 0 ? "n/a" : "0%";
  const bars = errorBars(board.yosysFamily);
  const bar = (k: keyof typeof bars) => `±${(bars[k].relRms * 100).toFixed(0)}% (worst ${(bars[k].relWorst * 100).toFixed(0)}%)`;
  printTable(
    ["resource", "synthesis", "board", "used", "estimate (Yosys-fitted)", "estimate error", "model error bar"],
    [
      ["LUT", String(r.lut), String(have.lut), pct(r.lut / have.lut), String(estimate.lut), err(r.lut, estimate.lut), bar("lut")],
      ["FF", String(r.ff), String(have.ff), pct(r.ff / have.ff), String(estimate.ff), err(r.ff, estimate.ff), bar("ff")],
      ["DSP", String(r.dsp), String(have.dsp), pct(r.dsp / have.dsp), String(estimate.dsp), err(r.dsp, estimate.dsp), bar("dsp")],
      [
        "BRAM bits",
        String(r.bramBits),
        String(have.bramBits),
        pct(r.bramBits / have.bramBits),
        String(estimate.bramBits),
        err(r.bramBits, estimate.bramBits),
        bar("bramBits"),
      ],
      ["carry", String(r.carry), "", "", "", "", ""],
    ],
  );
  const ub = errorBars(board.yosysFamily, undefined, "units");
  const u = whole.units.reduce((a, x) => ({ lut: a.lut + x.lut, ff: a.ff + x.ff }), { lut: 0, ff: 0 });
  console.log(`error bar: held-out RMS relative error of the fitted engine model (hw/resource-model.json), worst over all reference designs in brackets`);
  if (whole.units.length) {
    console.log(
      `of the estimate, ${whole.units.length} units outside the engines (pools, FIFOs, adds, ViT units, …): LUT ${u.lut}, FF ${u.ff}; their model's error bar: LUT ±${(ub.lut.relRms * 100).toFixed(0)}% (worst ${(ub.lut.relWorst * 100).toFixed(0)}%), FF ±${(ub.ff.relRms * 100).toFixed(0)}% (worst ${(ub.ff.relWorst * 100).toFixed(0)}%)`,
    );
  }
  const nb = networkErrorBar(board.yosysFamily);
  if (nb) {
    const w = (k: keyof typeof bars) =>
      `${k === "bramBits" ? "BRAM" : k.toUpperCase()} ±${(nb[k].relRms * 100).toFixed(0)}% (worst ${(nb[k].relWorst * 100).toFixed(0)}%)`;
    console.log(
      `on ${nb.networks} whole-network builds synthesized for ${board.yosysFamily} (hw/network-validation.json) the estimate's error was ${(["lut", "ff", "dsp", "bramBits"] as const).map(w).join(", ")}`,
    );
  }
  if (Object.keys(r.lutBySize).length)
    console.log(
      `LUTs by size: ${Object.entries(r.lutBySize)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  if (Object.keys(r.other).length)
    console.log(
      `other cells: ${Object.entries(r.other)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  console.log(`latches: ${r.latches}`);
  if (board.yosysFamily === "ice40") {
    const p = await placeAndRoute(model, board, progress);
    const cp = p.criticalPath;
    console.log(
      `nextpnr-ice40 (${p.device}): Fmax ${p.fmaxMHz.toFixed(2)} MHz (target ${p.constraintMHz} MHz, ${p.fmaxMHz >= p.constraintMHz ? "met" : "NOT met"})`,
    );
    console.log(`critical path: ${cp.delayNs.toFixed(2)} ns, ${cp.logicLevels} logic levels, ${cp.from} -> ${cp.to}`);
    if (r.dsp > 0) console.log(DSP_FMAX_CAVEAT);
  }
  return r.latches === 0 ? 0 : 3;
}

export const synth: CommandSpec = {
  name: "synth",
  usage: "  quantrtl synth  <model.json> [--board b] [--json]   (Yosys: LUT/FF/carry/DSP/BRAM beside the estimate)",
  takesModel: true,
  flags: [flag("json"), ...FOLD_FLAGS, MEMORY_FLAG],
  run: synthCommand,
};
