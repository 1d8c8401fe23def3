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
      "source",
      "LUT",
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
      f.source,
      ...(["LUT", "FF", "DSP", "BRAM"] as const).map((r) => marked(fit[k], r)),
      f.fmax_mhz === null ? "-" : f.fmax_mhz.toFixed(1),
      f.power_w.toFixed(4),
      `${(f.energy_j * 1e9).toFixed(2)} nJ`,
      cyclesText(f, String(f.cycles)),
      ...(withEstimate ? [kernelEstimateCell(f)] : []),
    ]),
  );
  // signed change of the adder against a mac baseline, worded by its direction
  const change = (a: number, b: number, less: string, more: string) => {
    if (b === 0) return "n/a";
    const d = ((a - b) / b) * 100;
    return Math.abs(d) < 0.05 ? "equal" : `${Math.abs(d).toFixed(1)}% ${d < 0 ? less : more}`;
  };
  const adder = c.kernels.adder;
  // against the DSP build and against multipliers in logic (the published comparison's setting: no DSP on either side)
  const baselines = (["mac", "mac-nodsp"] as const).filter((k) => c.kernels[k] !== undefined);
  for (const k of adder ? baselines : []) {
    const base = c.kernels[k]!;
    console.log(
      `adder vs ${k}, ours: logic (LUT) ${change(adder!.lut, base.lut, "lower", "higher")}, power ${change(adder!.power_w, base.power_w, "lower", "higher")}, ` +
        `cycles ${change(adder!.cycles, base.cycles, "fewer", "more")}`,
    );
  }
  if (adder && baselines.length) {
    const p = c.published;
    console.log(
      `adder vs mac, published (${p.source}): logic ${p.logicReductionPct[0]}-${p.logicReductionPct[1]}% lower, power ${p.powerReductionPct[0]}-${p.powerReductionPct[1]}% lower, ${p.speedupPct}% faster`,
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
  usage: "  quantrtl compare <model.json> [--datapaths mac,mac-nodsp,adder,xnor,shift] [--board b] [--synth] [--json]",
  takesModel: true,
  // --kernels: the old name of --datapaths, still read (with a warning)
  flags: [value("datapaths", "list"), value("kernels", "list"), flag("synth"), flag("json"), ...FOLD_FLAGS, MEMORY_FLAG],
  run: compareCommand,
};
