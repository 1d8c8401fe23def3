/** `quantrtl compare <model>`: the same network and folding with each datapath, side by side. */
import { compareKernels, COMPARE_KERNELS, CompareKernel, CYCLES_BOUND_NOTE, cyclesText, parseKernels } from "../flows/compare.js";
import { kernelEstimateCell } from "../report/tables.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, flag, FOLD_FLAGS, MEMORY_FLAG, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { boardArg, modelArg } from "./inputs.js";
import { deprecatedAlias, printTable, progress } from "./print.js";
import { fitLines, fitMark, FitVerdict, fitVerdict } from "../flows/fit.js";
import type { KernelFigures } from "../flows/compare.js";
import type { Board } from "../ir/board.js";

/** The comma-separated datapaths, errors naming the flag the user wrote. */
function datapathList(list: string, flagName: string): CompareKernel[] {
  try {
    return parseKernels(list);
  } catch (err) {
    if (!(err instanceof QuantrtlError)) throw err;
    throw new QuantrtlError(err.file, flagName, err.problem, err.hint.replace("--kernels", flagName));
  }
}

async function compareCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const flagName = deprecatedAlias(args, "datapaths", "kernels");
  const kernels = datapathList(String(args.flags.get(flagName) ?? COMPARE_KERNELS.join(",")), `--${flagName}`);
  const c = await compareKernels(model, board, kernels, { synth: args.flags.has("synth"), onProgress: progress });
  // a report, not a gate (exit 0): each build's fit verdict is marked in the table and carried in the JSON
  const fit = Object.fromEntries(Object.entries(c.kernels).map(([k, f]) => [k, kernelFit(f, board)]));
  if (args.flags.has("json")) {
    console.log(JSON.stringify({ ...c, fits: Object.values(fit).every((v) => v.fits), fit }, null, 2));
    return 0;
  }
  console.log(`${model.name} on ${board.title}: the same network and folding with each datapath`);
  const withEstimate = Object.values(c.kernels).some((f) => f.estimate);
  printTable(
    [
      "datapath",
      "baseline",
      "source",
      "LUT",
      "lanes LUT",
      "FF",
      "DSP",
      "BRAM bits",
      "Fmax MHz",
      "power W",
      "energy/inf",
      "cycles",
      ...(withEstimate ? ["estimate LUT/FF/DSP/BRAM (LUT err)"] : []),
    ],
    Object.entries(c.kernels).map(([k, f]) => [
      k,
      f.baseline ?? "(baseline)",
      f.source,
      marked(fit[k], "LUT"),
      f.datapath_lut === undefined ? "-" : String(f.datapath_lut),
      ...(["FF", "DSP", "BRAM"] as const).map((r) => marked(fit[k], r)),
      f.fmax_mhz === null ? "-" : f.fmax_mhz.toFixed(1),
      f.power_w.toFixed(4),
      `${(f.energy_j * 1e9).toFixed(2)} nJ`,
      cyclesText(f, String(f.cycles)),
      ...(withEstimate ? [kernelEstimateCell(f)] : []),
    ]),
  );
  // signed change against a baseline, worded by its direction
  const change = (a: number, b: number, less: string, more: string) => {
    if (b === 0) return "n/a";
    const d = ((a - b) / b) * 100;
    return Math.abs(d) < 0.05 ? "equal" : `${Math.abs(d).toFixed(1)}% ${d < 0 ? less : more}`;
  };
  const saving = (v: number | null) => (v === null ? "n/a" : `${Math.abs(v).toFixed(1)}% ${v >= 0 ? "lower" : "higher"}`);
  const p = c.published;
  const paper = c.paper_setting;
  // the paper's setting first: same architecture, no DSP on either side
  console.log(`paper's setting (${p.source}: ${p.setting}): ${paper ? `${paper.kernel} vs ${paper.baseline}` : "needs the adder-nodsp and mac-nodsp builds"}`);
  if (paper) {
    console.log(`  datapath alone (the engines' lanes, LUT): ${saving(paper.datapath_only.logic_reduction_pct)}`);
    console.log(
      `  whole design: logic (LUT) ${saving(paper.whole_design.logic_reduction_pct)}, power ${saving(paper.whole_design.power_reduction_pct)}, ` +
        `cycles ${change(c.kernels[paper.kernel].cycles, c.kernels[paper.baseline].cycles, "fewer", "more")}`,
    );
    console.log(
      `  published: logic ${p.logicReductionPct[0]}-${p.logicReductionPct[1]}% lower, power ${p.powerReductionPct[0]}-${p.powerReductionPct[1]}% lower, ${p.speedupPct}% faster`,
    );
    for (const reason of paper.reasons) console.log(`  outside the published range: ${reason}`);
    const p16 = c.paper_setting_16bit;
    if (p16)
      console.log(
        `  at 16 bits (estimate): datapath alone ${saving(p16.datapath_only.logic_reduction_pct)}; whole design: logic (LUT) ${saving(p16.whole_design.logic_reduction_pct)}, power ${saving(p16.whole_design.power_reduction_pct)}`,
      );
  }
  // every other build against its own baseline, named
  const others = Object.entries(c.kernels).filter(([k, f]) => f.baseline && !(paper && k === paper.kernel) && c.kernels[f.baseline]);
  if (others.length) console.log("other builds, each against its baseline (not the paper's setting unless both are -nodsp):");
  for (const [k, f] of others) {
    const base = c.kernels[f.baseline!];
    console.log(
      `  ${k} vs ${f.baseline} (${f.baseline === "mac" ? "multipliers on DSPs" : "multipliers in LUTs"}): logic (LUT) ${change(f.lut, base.lut, "lower", "higher")}, ` +
        `power ${change(f.power_w, base.power_w, "lower", "higher")}, cycles ${change(f.cycles, base.cycles, "fewer", "more")}`,
    );
  }
  for (const [k, f] of Object.entries(c.kernels)) if (f.note) console.log(`${k}: ${f.note}`);
  for (const [k, reason] of Object.entries(c.not_applicable ?? {})) console.log(`${k}: not built: ${reason}`);
  for (const [k, v] of Object.entries(fit)) for (const line of fitLines(v, `${k}, ${c.kernels[k].source}`)) console.log(line);
  if (Object.values(c.kernels).some((f) => f.cycles_bound)) console.log(CYCLES_BOUND_NOTE);
  return 0;
}

/** The fit verdict of one comparison build, from its figures (synthesis or estimate). */
function kernelFit(f: KernelFigures, board: Board): FitVerdict {
  return fitVerdict({ lut: f.lut, ff: f.ff, dsp: f.dsp, bramBits: f.bram_bits }, board);
}

/** A table cell: the count, marked (!) over 80 % and (OVER) over 100 % of the board. */
function marked(v: FitVerdict, resource: "LUT" | "FF" | "DSP" | "BRAM"): string {
  const r = v.resources.find((x) => x.resource === resource)!;
  return `${r.used}${fitMark(r.fraction)}`;
}

export const compare: CommandSpec = {
  name: "compare",
  usage: "  quantrtl compare <model.json> [--datapaths mac,mac-nodsp,adder,adder-nodsp,xnor,shift] [--board b] [--synth] [--json]",
  takesModel: true,
  // --kernels: the old name of --datapaths, still read (with a warning)
  flags: [value("datapaths", "list"), value("kernels", "list"), flag("synth"), flag("json"), ...FOLD_FLAGS, MEMORY_FLAG],
  run: compareCommand,
};
