#!/usr/bin/env node
/** quantrtl command line: parses, calls the API, prints. Exit 1 bad input, 2 tool failure, 3 not bit-exact. */
import { resolve } from "node:path";
import { loadModel } from "./ir/load.js";
import { Folding, Model, reductionLength } from "./ir/model.js";
import { foldCounts, idealCycles } from "./codegen/units/folding.js";
import { layerAccBits } from "./codegen/units/mvu.js";
import { runGolden } from "./sim/golden/network.js";
import { loadInputFile, randomTensor } from "./sim/inputs.js";
import { writeDesign } from "./codegen/write.js";
import { SimulatorName, verifyModel, VerifyReport } from "./verify/index.js";
import { modelIdentifier } from "./codegen/design.js";
import { QuantrtlError, ToolError } from "./util/errors.js";
import { packageVersion } from "./util/paths.js";
import { Board, boardNames, DEFAULT_BOARD, loadBoard } from "./ir/board.js";
import { chooseFolding, FoldTarget } from "./sim/perf/fold.js";
import { predictStreaming } from "./sim/perf/predict.js";
import { estimateEngine, fits, sumResources } from "./estimate/resources.js";
import { synthesize } from "./synth/index.js";
import { placeAndRoute } from "./synth/nextpnr.js";
import { compareKernels, COMPARE_KERNELS, parseKernels } from "./estimate/compare.js";
import { buildReport } from "./report/build.js";
import { writeReport } from "./report/write.js";
import { alexnetConv1, ARRAY_DATAPATHS, ArrayArch, ArrayDatapath, ArrayReport, deitTiny, resnet20Cifar, simulateArray } from "./sim/perf/array/index.js";
import { defaultArrayArch, workloadOfModel } from "./sim/perf/array/from-model.js";

const DEFAULT_MODEL = "models/conv3x3-adder-int8.json";

const USAGE = `quantrtl ${packageVersion()} - quantized CNNs to bit-exact, verified Verilog

usage:
  quantrtl check  <model.json> [--pe n] [--simd n]
  quantrtl run    <model.json> [--input file.json] [--seed n] [--json]
  quantrtl gen    <model.json> --out DIR [--vectors n] [--seed n] [--pe n] [--simd n]
  quantrtl verify <model.json> [--sim verilator|icarus|both] [--vectors n]
                  [--backpressure p] [--seed n] [--out DIR] [--pe n] [--simd n]
  quantrtl sim    <model.json> [--board b] [--arch streaming|array] [--json]
  quantrtl sim    --workload alexnet-conv1|resnet20|deit-tiny [--keep r] [--keep-from b]
                  [--kernel mac|adder|xnor|shift] [--board b] [--rows n] [--cols n] [--dataflow ws|os]
  quantrtl synth  <model.json> [--board b] [--json]   (Yosys: LUT/FF/carry/DSP/BRAM beside the estimate)
  quantrtl compare <model.json> [--kernels mac,mac-nodsp,adder,xnor] [--board b] [--synth] [--json]
  quantrtl report <model.json> [--board b] [--out DIR] [--synth] [--verify] [--vectors n]
                  (report.json, report.md and a self-contained report.html with SVG charts)
  quantrtl demo   (verify ${DEFAULT_MODEL} in Verilator and Icarus)

folding: --pe n / --simd n set every layer; --fold auto [--board b] [--fps f] chooses
per layer (max throughput that fits the board, or the frames/s goal).
boards: ${boardNames().join(", ")} (default ${DEFAULT_BOARD})

exit codes: 0 ok, 1 bad input, 2 missing tool / tool failure, 3 design not bit-exact`;

interface Args {
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

const FOLD = ["pe", "simd", "fold", "board", "fps"];
const FLAGS: Record<string, readonly string[]> = {
  check: [...FOLD],
  run: ["input", "seed", "json", "pe", "simd"],
  gen: ["out", "vectors", "seed", ...FOLD],
  verify: ["sim", "vectors", "backpressure", "seed", "out", ...FOLD],
  synth: ["json", ...FOLD],
  compare: ["kernels", "synth", "json", ...FOLD],
  report: ["out", "synth", "verify", "vectors", "seed", ...FOLD],
  sim: ["arch", "json", "rows", "cols", "dataflow", "workload", "keep", "keep-from", "kernel", ...FOLD],
  demo: ["vectors", "backpressure", "seed"],
};
const BOOLEAN_FLAGS = new Set(["json", "synth", "verify"]);

function parseArgs(argv: string[]): Args {
  const [command = "help", ...rest] = argv;
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split("=", 2);
      if (BOOLEAN_FLAGS.has(name)) flags.set(name, true);
      else if (inline !== undefined) flags.set(name, inline);
      else if (i + 1 < rest.length && !rest[i + 1].startsWith("--")) flags.set(name, rest[++i]);
      else throw new QuantrtlError(undefined, `--${name}`, "needs a value", `write --${name} <value>`);
    } else positional.push(a);
  }
  const maxPositional = command in FLAGS && command !== "demo" ? 1 : 0;
  if (command in FLAGS && positional.length > maxPositional) {
    throw new QuantrtlError(undefined, positional[maxPositional], "is an unexpected argument", command === "demo" ? "demo takes no model" : `${command} takes one model file`);
  }
  const allowed = FLAGS[command];
  if (allowed) {
    for (const name of flags.keys()) {
      if (!allowed.includes(name)) throw new QuantrtlError(undefined, `--${name}`, `is not an option of "${command}"`, `options: ${allowed.map((f) => "--" + f).join(" ") || "none"}`);
    }
  }
  return { command, positional, flags };
}

function intFlag(args: Args, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min || n > max) {
    throw new QuantrtlError(undefined, `--${name}`, `"${v}" is not a valid value`, max === Number.MAX_SAFE_INTEGER ? `give an integer >= ${min}` : `give an integer in [${min}, ${max}]`);
  }
  return n;
}

function numberFlag(args: Args, name: string, fallback: number, min: number, max: number): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < min || n > max) {
    throw new QuantrtlError(undefined, `--${name}`, `"${v}" is not a valid value`, `give a number in [${min}, ${max}]`);
  }
  return n;
}

function modelArg(args: Args): Model {
  const file = args.positional[0];
  if (!file) throw new QuantrtlError(undefined, "<model>", "no model file given", `e.g. quantrtl ${args.command} ${DEFAULT_MODEL}`);
  const arch: Partial<Folding> = {};
  if (args.flags.has("pe")) (arch as { pe?: number }).pe = intFlag(args, "pe", 1, 1);
  if (args.flags.has("simd")) (arch as { simd?: number }).simd = intFlag(args, "simd", 1, 1);
  const model = loadModel(file, { arch });
  const fold = args.flags.get("fold");
  if (fold === undefined) {
    if (args.flags.has("fps")) throw new QuantrtlError(undefined, "--fps", "only applies with --fold auto", "add --fold auto");
    return model;
  }
  if (fold !== "auto") throw new QuantrtlError(undefined, "--fold", `"${fold}" is not a folding strategy`, "use --fold auto (or --pe/--simd for a fixed folding)");
  if (args.flags.has("pe") || args.flags.has("simd")) throw new QuantrtlError(undefined, "--fold", "cannot be combined with --pe / --simd", "use one or the other");
  const target: FoldTarget = args.flags.has("fps") ? { kind: "fps", fps: numberFlag(args, "fps", 1, 1e-6, 1e12) } : { kind: "max" };
  const choice = chooseFolding(model, boardArg(args), target);
  progress(`folding for ${boardArg(args).name}: ${choice.model.layers.map((l) => `${l.name} pe ${l.arch.pe} simd ${l.arch.simd}`).join(", ")} (${choice.reason})`);
  return choice.model;
}

function boardArg(args: Args): Board {
  const b = args.flags.get("board");
  return loadBoard(typeof b === "string" ? b : DEFAULT_BOARD);
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "n/a";
}

function simCommand(args: Args): number {
  if (args.flags.has("workload")) return simWorkload(args);
  const model = modelArg(args);
  const board = boardArg(args);
  const arch = String(args.flags.get("arch") ?? "streaming");
  if (arch !== "streaming" && arch !== "array") throw new QuantrtlError(undefined, "--arch", `"${arch}" is not an architecture`, "use streaming or array");
  if (arch === "array") return simArray(args, model, board);
  const perf = predictStreaming(model, board);
  if (args.flags.has("json")) {
    console.log(JSON.stringify(perf, null, 2));
    return 0;
  }
  console.log(`${model.name} on ${board.title} (${board.part}) at ${board.clockMHz} MHz — streaming dataflow, ${perf.exact ? "cycle-exact model" : "bounds (design too large to step)"}`);
  const rows = perf.layers.map((l) => [
    l.name, l.datapath, `${l.pe}x${l.simd}`, `${l.nf}x${l.sf}`, String(l.idealCycles), String(l.fillCycles), String(l.latencyCycles), String(l.intervalCycles), pct(l.utilization),
    String(l.estimate.lut), String(l.estimate.ff), String(l.estimate.dsp), String(l.estimate.bramBits), String(l.estimate.lineBufferBits),
  ]);
  printTable(["layer", "kernel", "pe x simd", "NF x SF", "ideal", "fill", "latency", "interval", "util", "LUT", "FF", "DSP", "BRAM bits", "line buf bits"], rows);
  const t = perf.total;
  console.log(`resources (first-order estimate): LUT ${t.resources.lut} (${pct(t.fraction.lut)}), FF ${t.resources.ff} (${pct(t.fraction.ff)}), DSP ${t.resources.dsp} (${pct(t.fraction.dsp)}), BRAM ${t.resources.bramBits} bits (${pct(t.fraction.bramBits)}) of ${board.name}`);
  if (!fits(t.resources, board, 1)) {
    console.log(`does not fit ${board.name} (first-order estimate): lower pe/simd, or let quantrtl choose with --fold auto --board ${board.name}`);
  }
  console.log(`fill ${t.fillCycles} cycles, interval ${t.intervalCycles} cycles/frame, utilisation ${pct(t.utilization)}, on-chip buffers ${t.bufferBits} bits`);
  console.log(`total: ${t.latencyCycles} cycles, ${t.latencyUs.toFixed(2)} us at ${board.clockMHz} MHz, ${t.framesPerSecond.toFixed(1)} frames/s`);
  return 0;
}

function arrayArchArgs(args: Args, board: Board, datapath: ArrayDatapath, bits: number): ArrayArch {
  const dataflow = String(args.flags.get("dataflow") ?? "ws");
  if (dataflow !== "ws" && dataflow !== "os") throw new QuantrtlError(undefined, "--dataflow", `"${dataflow}" is not a dataflow`, "use ws (weight-stationary) or os (output-stationary)");
  const overrides = {
    rows: args.flags.has("rows") ? intFlag(args, "rows", 1, 1, 4096) : undefined,
    cols: args.flags.has("cols") ? intFlag(args, "cols", 1, 1, 4096) : undefined,
  };
  return defaultArrayArch(board, datapath, bits, dataflow, overrides);
}

const WORKLOADS = ["alexnet-conv1", "resnet20", "deit-tiny"];

/** A named workload on the array model; for DeiT-Tiny, what a token keep-ratio buys. */
function simWorkload(args: Args): number {
  if (args.positional.length) throw new QuantrtlError(undefined, args.positional[0], "is an unexpected argument", "--workload replaces the model file");
  const name = String(args.flags.get("workload"));
  if (!WORKLOADS.includes(name)) throw new QuantrtlError(undefined, "--workload", `"${name}" is not a bundled workload`, `use one of ${WORKLOADS.join(", ")}`);
  const kernel = String(args.flags.get("kernel") ?? "mac");
  if (!ARRAY_DATAPATHS.includes(kernel as ArrayDatapath)) throw new QuantrtlError(undefined, "--kernel", `"${kernel}" is not a datapath`, `use one of ${ARRAY_DATAPATHS.join(", ")}`);
  const datapath = kernel as ArrayDatapath;
  if (name !== "deit-tiny" && (args.flags.has("keep") || args.flags.has("keep-from"))) throw new QuantrtlError(undefined, "--keep", "token keep-ratios apply to deit-tiny only", "drop --keep, or use --workload deit-tiny");
  const keep = numberFlag(args, "keep", 1, 0.01, 1);
  const keepFrom = intFlag(args, "keep-from", 1, 1, 12);
  const keepRatio = Array.from({ length: 12 }, (_, b) => (b + 1 >= keepFrom ? keep : 1));
  const workload = name === "alexnet-conv1" ? alexnetConv1(datapath) : name === "resnet20" ? resnet20Cifar(datapath) : deitTiny({ datapath, keepRatio });
  const board = boardArg(args);
  const arch = arrayArchArgs(args, board, datapath, datapath === "xnor" ? 1 : 8);
  const report = simulateArray(workload, arch);
  if (args.flags.has("json")) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  printArrayReport(workload.name, board, arch, report);
  if (name === "deit-tiny" && keep < 1) {
    const full = simulateArray(deitTiny({ datapath }), arch).total;
    const saved = 1 - report.total.totalCycles / full.totalCycles;
    console.log(
      `token keep ratio ${keep} from block ${keepFrom}: ${report.total.totalCycles} cycles vs ${full.totalCycles} with every token ` +
        `(${(saved * 100).toFixed(1)} % fewer cycles, ${((1 - report.total.macs / full.macs) * 100).toFixed(1)} % fewer MACs, ` +
        `${((1 - (report.total.dramReadBytes + report.total.dramWriteBytes) / (full.dramReadBytes + full.dramWriteBytes)) * 100).toFixed(1)} % less DRAM traffic)`,
    );
  }
  return 0;
}

function simArray(args: Args, model: Model, board: Board): number {
  const arch = arrayArchArgs(args, board, model.layers[0].datapath, model.input.bits);
  const report = simulateArray(workloadOfModel(model), arch);
  if (args.flags.has("json")) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  printArrayReport(model.name, board, arch, report);
  return 0;
}

function printArrayReport(name: string, board: Board, arch: ArrayArch, report: ArrayReport): void {
  console.log(
    `${name} on ${board.title} at ${board.clockMHz} MHz — ${arch.rows}x${arch.cols} ${arch.datapath} array, ${arch.dataflow === "ws" ? "weight" : "output"}-stationary, ` +
      `${arch.ifmapBufferBytes} B per buffer, DRAM ${arch.dramBytesPerCycle.toFixed(2)} B/cycle (analytical model)`,
  );
  printTable(
    ["layer", "M x K x N", "MACs", "compute", "stall", "total", "util", "DRAM rd B", "DRAM wr B", "MAC/B", "bound"],
    report.layers.map((l) => [
      l.name, `${l.gemm.M}x${l.gemm.K}x${l.gemm.N}`, "", String(l.macs), String(l.computeCycles), String(l.stallCycles), String(l.totalCycles), pct(l.utilization),
      String(l.dramReadBytes), String(l.dramWriteBytes), l.arithmeticIntensity.toFixed(1), l.roofline.bound,
    ].filter((_, i) => i !== 2)),
  );
  const t = report.total;
  const latencyUs = t.totalCycles / board.clockMHz;
  console.log(`total: ${t.totalCycles} cycles, ${latencyUs.toFixed(2)} us at ${board.clockMHz} MHz, ${((board.clockMHz * 1e6) / t.totalCycles).toFixed(1)} frames/s`);
}

async function synthCommandCli(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const r = await synthesize(model, board, progress);
  const estimate = sumResources(model.layers.map((l) => estimateEngine(l, board)));
  if (args.flags.has("json")) {
    console.log(JSON.stringify({ synthesis: r, estimate }, null, 2));
    return r.latches === 0 ? 0 : 3;
  }
  console.log(`${model.name} on ${board.title} (${board.part}): ${r.command} (${r.yosys}${r.cached ? ", cached" : `, ${r.seconds.toFixed(1)} s`})`);
  const have = board.resources;
  const err = (measured: number, est: number) => (measured > 0 ? `${(((est - measured) / measured) * 100).toFixed(0)}%` : est > 0 ? "n/a" : "0%");
  printTable(
    ["resource", "synthesis", "board", "used", "first-order estimate", "estimate error"],
    [
      ["LUT", String(r.lut), String(have.lut), pct(r.lut / have.lut), String(estimate.lut), err(r.lut, estimate.lut)],
      ["FF", String(r.ff), String(have.ff), pct(r.ff / have.ff), String(estimate.ff), err(r.ff, estimate.ff)],
      ["DSP", String(r.dsp), String(have.dsp), pct(r.dsp / have.dsp), String(estimate.dsp), err(r.dsp, estimate.dsp)],
      ["BRAM bits", String(r.bramBits), String(have.bramBits), pct(r.bramBits / have.bramBits), String(estimate.bramBits), err(r.bramBits, estimate.bramBits)],
      ["carry", String(r.carry), "", "", "", ""],
    ],
  );
  if (Object.keys(r.lutBySize).length) console.log(`LUTs by size: ${Object.entries(r.lutBySize).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  if (Object.keys(r.other).length) console.log(`other cells: ${Object.entries(r.other).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`latches: ${r.latches}`);
  if (board.yosysFamily === "ice40") {
    const p = await placeAndRoute(model, board, progress);
    const cp = p.criticalPath;
    console.log(`nextpnr-ice40 (${p.device}): Fmax ${p.fmaxMHz.toFixed(2)} MHz (target ${p.constraintMHz} MHz, ${p.fmaxMHz >= p.constraintMHz ? "met" : "NOT met"})`);
    console.log(`critical path: ${cp.delayNs.toFixed(2)} ns, ${cp.logicLevels} logic levels, ${cp.from} -> ${cp.to}`);
  }
  return r.latches === 0 ? 0 : 3;
}

async function reportCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const out = typeof args.flags.get("out") === "string" ? String(args.flags.get("out")) : `out/${modelIdentifier(model)}/report`;
  const verification = args.flags.has("verify")
    ? await verifyModel(model, { sim: "verilator", vectors: intFlag(args, "vectors", 1, 1, 10000), seed: intFlag(args, "seed", 1, 0), backpressure: 0, measureToggles: true, onProgress: progress })
    : undefined;
  const report = await buildReport(model, board, { synth: args.flags.has("synth"), verification, onProgress: progress });
  const paths = writeReport(out, report);
  if (verification) console.log(`bit-exact: ${verification.matched}/${verification.expectedWords} words, ${verification.vectors} vectors, ${verification.cycles} cycles (${verification.sim})`);
  const t = report.performance.total;
  console.log(`total: ${t.latencyCycles} cycles, ${t.latencyUs.toFixed(2)} us at ${board.clockMHz} MHz, ${t.framesPerSecond.toFixed(1)} frames/s`);
  console.log(`report: ${paths.json}`);
  console.log(`report: ${paths.markdown}`);
  console.log(`report: ${paths.html}`);
  return verification && !verification.bitExact ? 3 : 0;
}

async function compareCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const kernels = parseKernels(String(args.flags.get("kernels") ?? COMPARE_KERNELS.join(",")));
  const c = await compareKernels(model, board, kernels, { synth: args.flags.has("synth"), onProgress: progress });
  if (args.flags.has("json")) {
    console.log(JSON.stringify(c, null, 2));
    return 0;
  }
  console.log(`${model.name} on ${board.title}: the same network and folding with each datapath`);
  printTable(
    ["kernel", "source", "LUT", "FF", "DSP", "BRAM bits", "Fmax MHz", "power W", "energy/inf", "cycles"],
    Object.entries(c.kernels).map(([k, f]) => [
      k, f.source, String(f.lut), String(f.ff), String(f.dsp), String(f.bram_bits), f.fmax_mhz === null ? "-" : f.fmax_mhz.toFixed(1), f.power_w.toFixed(4), `${(f.energy_j * 1e9).toFixed(2)} nJ`, String(f.cycles),
    ]),
  );
  const mac = c.kernels.mac;
  const adder = c.kernels.adder;
  if (mac && adder) {
    const p = c.published;
    const red = (a: number, b: number) => `${(((b - a) / b) * 100).toFixed(1)}%`;
    console.log(`adder vs mac, ours: logic (LUT) ${red(adder.lut, mac.lut)} lower, power ${red(adder.power_w, mac.power_w)} lower, cycles ${red(adder.cycles, mac.cycles)} fewer`);
    console.log(`adder vs mac, published (${p.source}): logic ${p.logicReductionPct[0]}-${p.logicReductionPct[1]}% lower, power ${p.powerReductionPct[0]}-${p.powerReductionPct[1]}% lower, ${p.speedupPct}% faster`);
  }
  for (const [k, f] of Object.entries(c.kernels)) if (f.note) console.log(`${k}: ${f.note}`);
  return 0;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

const started = Date.now();
function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

function shape(t: { height: number; width: number; channels: number; bits: number }): string {
  return `${t.height}x${t.width}x${t.channels} int${t.bits === 1 ? "1 (+/-1)" : t.bits}`;
}

function check(args: Args): number {
  const model = modelArg(args);
  console.log(`model ${model.name} (sha256 ${model.hash.slice(0, 16)}…): input ${shape(model.input)}, ${model.layers.length} layer(s)`);
  for (const layer of model.layers) {
    const f = foldCounts(layer);
    const out = layer.out.kind === "requant" ? `requant m=${layer.out.params.multiplier} k=${layer.out.params.shift} ${layer.out.params.rounding}${layer.out.params.relu ? " +relu" : ""}` : "thresholds";
    console.log(
      `  ${layer.name}: conv2d ${layer.datapath} ${layer.kernel[0]}x${layer.kernel[1]} stride ${layer.stride.join("x")} pad ${layer.padding.join("x")}, ` +
        `${shape(layer.input)} -> ${shape(layer.output)}, K=${reductionLength(layer)}, acc ${layerAccBits(layer)} bits, ${out}, ` +
        `pe ${f.pe} simd ${f.simd} (NF ${f.nf} x SF ${f.sf}), ideal ${idealCycles(layer)} cycles/frame`,
    );
  }
  console.log("ok");
  return 0;
}

function runCommand(args: Args): number {
  const model = modelArg(args);
  const input = args.flags.has("input") ? loadInputFile(String(args.flags.get("input")), model.input) : randomTensor(model.input, intFlag(args, "seed", 1, 0));
  const trace = runGolden(model, input);
  if (args.flags.has("json")) {
    console.log(JSON.stringify({ model: model.name, hash: model.hash, layers: model.layers.map((l, i) => ({ name: l.name, shape: trace.layers[i].shape, bits: trace.layers[i].bits, data: Array.from(trace.layers[i].data) })) }));
    return 0;
  }
  model.layers.forEach((l, i) => {
    const d = trace.layers[i].data;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (const v of d) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
    console.log(`${l.name}: ${trace.layers[i].shape.join("x")} values in [${lo}, ${hi}], mean ${(sum / d.length).toFixed(3)}, first ${Array.from(d.slice(0, 8)).join(" ")}`);
  });
  return 0;
}

function gen(args: Args): number {
  const model = modelArg(args);
  const out = args.flags.get("out");
  if (typeof out !== "string") throw new QuantrtlError(undefined, "--out", "no output folder given", "write --out DIR");
  const seed = intFlag(args, "seed", 1, 0);
  const inputs = Array.from({ length: intFlag(args, "vectors", 1, 1, 10000) }, (_, v) => randomTensor(model.input, seed * 1000 + v));
  const { dir, design } = writeDesign(model, out, inputs);
  console.log(`wrote ${design.sources.length} Verilog files (top ${design.topModule}) and ${inputs.length} test vector(s) to ${dir}`);
  return 0;
}

function printReport(model: Model, r: VerifyReport): void {
  for (const [i, l] of r.layers.entries()) {
    const layer = model.layers[i];
    const f = foldCounts(layer);
    const words = l.tapped ? `${l.matched}/${l.compared} words` : "checked through the final output";
    const cycles = l.tapped && r.frameCycles.length ? `, ${Math.max(...r.frameCycles)} cycles/vector max (ideal ${l.idealCyclesPerVector})` : "";
    console.log(`layer ${l.name} (${layer.datapath}, pe ${f.pe}, simd ${f.simd}): ${words}${cycles}`);
  }
  if (r.lint) console.log(`lint: verilator -Wall reported:\n${r.lint}`);
  for (const m of r.mismatches.slice(0, 5)) {
    console.log(`MISMATCH layer ${m.layer}, vector ${m.vector}, element ${m.index} (y ${m.position.y}, x ${m.position.x}, c ${m.position.c}), cycle ${m.cycle}: expected ${m.expected}, got ${m.actual}${m.vcd ? ` — VCD: ${m.vcd}` : ""}`);
  }
  if (r.timeout) console.log("TIMEOUT: the design stopped producing outputs (deadlock?)");
  if (r.outDir) console.log(`design, vectors and logs: ${r.outDir}`);
  const predicted = r.backpressure === 0 ? `predicted ${r.predicted.cycles} (exact model at backpressure 0)` : `predicted ${r.predicted.cycles} without stalls; measured with stall probability ${r.backpressure}`;
  console.log(`cycles: measured ${r.cycles}, ${predicted}, ideal ${r.idealCyclesPerVector * r.vectors}`);
  console.log(`bit-exact: ${r.matched}/${r.expectedWords} words, ${r.vectors} vectors, ${r.cycles} cycles (${r.sim})`);
}

async function verify(args: Args, modelOverride?: Model): Promise<number> {
  const model = modelOverride ?? modelArg(args);
  const simFlag = String(args.flags.get("sim") ?? "verilator");
  const sims: SimulatorName[] = simFlag === "both" ? ["verilator", "icarus"] : simFlag === "verilator" || simFlag === "icarus" ? [simFlag] : [];
  if (sims.length === 0) throw new QuantrtlError(undefined, "--sim", `"${simFlag}" is not a simulator`, "use verilator, icarus or both");
  const vectors = intFlag(args, "vectors", 1, 1, 10000);
  const backpressure = numberFlag(args, "backpressure", 0.25, 0, 0.95);
  const seed = intFlag(args, "seed", 1, 0);
  const out = args.flags.get("out");
  let ok = true;
  for (const sim of sims) {
    const dir = typeof out === "string" ? (sims.length > 1 ? resolve(out, sim) : out) : undefined;
    const r = await verifyModel(model, { sim, vectors, backpressure, seed, out: dir, onProgress: progress });
    printReport(model, r);
    ok &&= r.bitExact;
  }
  return ok ? 0 : 3;
}

async function demo(args: Args): Promise<number> {
  progress(`demo: verifying ${DEFAULT_MODEL} bit-exact in Verilator and Icarus`);
  const model = loadModel(DEFAULT_MODEL);
  const withDefaults: Args = { ...args, flags: new Map([["sim", "both"], ["out", `out/${modelIdentifier(model)}`], ...args.flags]) };
  return verify(withDefaults, model);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case "check":
        return check(args);
      case "run":
        return runCommand(args);
      case "gen":
        return gen(args);
      case "verify":
        return await verify(args);
      case "demo":
        return await demo(args);
      case "sim":
        return simCommand(args);
      case "synth":
        return await synthCommandCli(args);
      case "compare":
        return await compareCommand(args);
      case "report":
        return await reportCommand(args);
      case "--version":
      case "version":
        console.log(packageVersion());
        return 0;
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return 0;
      default:
        throw new QuantrtlError(undefined, args.command, "is not a command", "use check, run, gen, verify, sim, synth, compare, report or demo (quantrtl --help)");
    }
  } catch (err) {
    if (err instanceof QuantrtlError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ToolError) {
      process.stderr.write(`tool error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

const invoked = process.argv[1] ? resolve(process.argv[1]) : "";
if (invoked.endsWith("cli.js")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
