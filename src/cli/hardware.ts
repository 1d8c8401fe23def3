/** quantrtl synth / compare / report: Yosys and nextpnr, the datapath comparison and the report files. */
import { errorBars } from "../estimate/resources.js";
import { networkErrorBar } from "../flows/validate.js";
import { estimateModel } from "../estimate/model.js";
import { synthesize } from "../synth/index.js";
import { placeAndRoute } from "../synth/nextpnr.js";
import { compareKernels, COMPARE_KERNELS, CYCLES_BOUND_NOTE, cyclesText, DSP_FMAX_CAVEAT, parseKernels } from "../flows/compare.js";
import { buildReport } from "../flows/report.js";
import { writeReport } from "../report/write.js";
import { kernelEstimateCell } from "../report/tables.js";
import { verifyModel } from "../verify/index.js";
import { modelIdentifier } from "../codegen/design.js";
import { Args, intFlag, outputOptions } from "./args.js";
import { QuantrtlError } from "../util/errors.js";
import { checkOutput } from "../util/output.js";
import { boardArg, modelArg } from "./inputs.js";
import { pct, printTable, progress } from "./print.js";
import { fitLines, fitMark, FitVerdict, fitVerdict } from "../flows/fit.js";
import type { KernelFigures } from "../flows/compare.js";
import type { Board } from "../ir/board.js";

export async function synthCommandCli(args: Args): Promise<number> {
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
  const err = (measured: number, est: number) => (measured > 0 ? `${est >= measured ? "+" : ""}${(((est - measured) / measured) * 100).toFixed(0)}%` : est > 0 ? "n/a" : "0%");
  const bars = errorBars(board.yosysFamily);
  const bar = (k: keyof typeof bars) => `±${(bars[k].relRms * 100).toFixed(0)}% (worst ${(bars[k].relWorst * 100).toFixed(0)}%)`;
  printTable(
    ["resource", "synthesis", "board", "used", "estimate (Yosys-fitted)", "estimate error", "model error bar"],
    [
      ["LUT", String(r.lut), String(have.lut), pct(r.lut / have.lut), String(estimate.lut), err(r.lut, estimate.lut), bar("lut")],
      ["FF", String(r.ff), String(have.ff), pct(r.ff / have.ff), String(estimate.ff), err(r.ff, estimate.ff), bar("ff")],
      ["DSP", String(r.dsp), String(have.dsp), pct(r.dsp / have.dsp), String(estimate.dsp), err(r.dsp, estimate.dsp), bar("dsp")],
      ["BRAM bits", String(r.bramBits), String(have.bramBits), pct(r.bramBits / have.bramBits), String(estimate.bramBits), err(r.bramBits, estimate.bramBits), bar("bramBits")],
      ["carry", String(r.carry), "", "", "", "", ""],
    ],
  );
  const ub = errorBars(board.yosysFamily, undefined, "units");
  const u = whole.units.reduce((a, x) => ({ lut: a.lut + x.lut, ff: a.ff + x.ff }), { lut: 0, ff: 0 });
  console.log(`error bar: held-out RMS relative error of the fitted engine model (hw/resource-model.json), worst over all reference designs in brackets`);
  if (whole.units.length) {
    console.log(`of the estimate, ${whole.units.length} units outside the engines (pools, FIFOs, adds, ViT units, …): LUT ${u.lut}, FF ${u.ff}; their model's error bar: LUT ±${(ub.lut.relRms * 100).toFixed(0)}% (worst ${(ub.lut.relWorst * 100).toFixed(0)}%), FF ±${(ub.ff.relRms * 100).toFixed(0)}% (worst ${(ub.ff.relWorst * 100).toFixed(0)}%)`);
  }
  const nb = networkErrorBar(board.yosysFamily);
  if (nb) {
    const w = (k: keyof typeof bars) => `${k === "bramBits" ? "BRAM" : k.toUpperCase()} ±${(nb[k].relRms * 100).toFixed(0)}% (worst ${(nb[k].relWorst * 100).toFixed(0)}%)`;
    console.log(`on ${nb.networks} whole-network builds synthesized for ${board.yosysFamily} (hw/network-validation.json) the estimate's error was ${(["lut", "ff", "dsp", "bramBits"] as const).map(w).join(", ")}`);
  }
  if (Object.keys(r.lutBySize).length) console.log(`LUTs by size: ${Object.entries(r.lutBySize).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  if (Object.keys(r.other).length) console.log(`other cells: ${Object.entries(r.other).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`latches: ${r.latches}`);
  if (board.yosysFamily === "ice40") {
    const p = await placeAndRoute(model, board, progress);
    const cp = p.criticalPath;
    console.log(`nextpnr-ice40 (${p.device}): Fmax ${p.fmaxMHz.toFixed(2)} MHz (target ${p.constraintMHz} MHz, ${p.fmaxMHz >= p.constraintMHz ? "met" : "NOT met"})`);
    console.log(`critical path: ${cp.delayNs.toFixed(2)} ns, ${cp.logicLevels} logic levels, ${cp.from} -> ${cp.to}`);
    if (r.dsp > 0) console.log(DSP_FMAX_CAVEAT);
  }
  return r.latches === 0 ? 0 : 3;
}

export async function reportCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const out = typeof args.flags.get("out") === "string" ? String(args.flags.get("out")) : `out/${modelIdentifier(model)}/report`;
  // --vectors and --seed choose the verification's inputs: without --verify they would be ignored silently
  for (const flag of ["vectors", "seed"]) {
    if (args.flags.has(flag) && !args.flags.has("verify")) throw new QuantrtlError(undefined, `--${flag}`, "only applies with --verify", `add --verify, or leave out --${flag}`);
  }
  const options = outputOptions(args);
  checkOutput(out, options); // refused before synthesis or simulation, not after (writeReport checks again)
  const verification = args.flags.has("verify")
    ? await verifyModel(model, { sim: "verilator", vectors: intFlag(args, "vectors", 1, 1, 10000), seed: intFlag(args, "seed", 1, 0), backpressure: 0, measureToggles: true, onProgress: progress })
    : undefined;
  const report = await buildReport(model, board, { synth: args.flags.has("synth"), verification, onProgress: progress });
  const paths = writeReport(out, report, options);
  if (verification) console.log(`bit-exact: ${verification.matched}/${verification.expectedWords} words, ${verification.vectors} vectors, ${verification.cycles} cycles (${verification.sim})`);
  const t = report.performance.total;
  console.log(`total: ${t.latencyCycles} cycles, ${t.latencyUs.toFixed(2)} us at ${board.clockMHz} MHz, ${t.framesPerSecond.toFixed(1)} frames/s`);
  console.log(`report: ${paths.json}`);
  console.log(`report: ${paths.markdown}`);
  console.log(`report: ${paths.html}`);
  return verification && !verification.bitExact ? 3 : 0;
}

export async function compareCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const kernels = parseKernels(String(args.flags.get("kernels") ?? COMPARE_KERNELS.join(",")));
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
    ["kernel", "source", "LUT", "FF", "DSP", "BRAM bits", "Fmax MHz", "power W", "energy/inf", "cycles", ...(withEstimate ? ["estimate LUT/FF/DSP/BRAM (LUT err)"] : [])],
    Object.entries(c.kernels).map(([k, f]) => [
      k, f.source, ...(["LUT", "FF", "DSP", "BRAM"] as const).map((r) => marked(fit[k], r)), f.fmax_mhz === null ? "-" : f.fmax_mhz.toFixed(1), f.power_w.toFixed(4), `${(f.energy_j * 1e9).toFixed(2)} nJ`, cyclesText(f, String(f.cycles)),
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
    console.log(`adder vs mac, published (${p.source}): logic ${p.logicReductionPct[0]}-${p.logicReductionPct[1]}% lower, power ${p.powerReductionPct[0]}-${p.powerReductionPct[1]}% lower, ${p.speedupPct}% faster`);
  }
  for (const [k, f] of Object.entries(c.kernels)) if (f.note) console.log(`${k}: ${f.note}`);
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
