#!/usr/bin/env node
/** quantrtl command line: parses, calls the API, prints. Exit 1 bad input, 2 tool failure, 3 not bit-exact, 4 internal error. */
import { resolve } from "node:path";
import { engineConv, isEngineLayer, Layer, Model, reductionLength } from "../ir/model.js";
import { unitFrameCycles } from "../hw/layers/timing.js";
import { foldCounts, idealCycles } from "../ir/folding.js";
import { layerAccBits } from "../hw/units/mvu/params.js";
import { runGolden } from "../hw/golden/network.js";
import { loadInputFile, randomTensor } from "../ir/inputs.js";
import { writeDesign } from "../codegen/write.js";
import { SimulatorName, verifyModel, VerifyReport } from "../verify/index.js";
import { QuantrtlError, ToolError } from "../util/errors.js";
import { packageVersion } from "../util/paths.js";
import { boardNames, DEFAULT_BOARD } from "../ir/board.js";
import { Args, datasetArg, intFlag, numberFlag, outputOptions, parseArgs } from "./args.js";
import { DEMO_MODEL, modelArg } from "./inputs.js";
import { progress, shape } from "./print.js";
import { simCommand } from "./perf.js";
import { compareCommand, reportCommand, synthCommandCli } from "./hardware.js";
import { buildCommand } from "./build.js";
import { loadDataset } from "../frontend/dataset.js";
import { accuracyLine, measureAccuracy, predictedClass } from "../flows/accuracy.js";
import { stopCleanlyOnSignals } from "../util/interrupt.js";
import { claimOutputRoot } from "../util/output.js";
import { describeMismatch } from "../verify/verdict.js";
import { readFileList, resolveRtlDir } from "../verify/user-rtl.js";


const USAGE = `quantrtl ${packageVersion()} - quantized CNNs to bit-exact, verified Verilog

usage:
  quantrtl check  <model.json> [--pe n] [--simd n]
  quantrtl run    <model.json> [--input file.json] [--seed n] [--json]
  quantrtl run    <model.json> --dataset <data> [--limit n] [--json]   (float and integer top-1)
                  (<data>: mnist-test, mnist-train, file.npz [--x name --y name], images.npy
                  [--labels labels.npy], IDX images [--labels file]; [--layout nchw|nhwc])
  quantrtl gen    <model.json> --out DIR [--force] [--vectors n] [--seed n] [--pe n] [--simd n]
  quantrtl verify <model.json> [--sim verilator|icarus|both] [--vectors n]
                  [--backpressure p] [--seed n] [--out DIR [--force]] [--pe n] [--simd n] [--dataset <data>]
                  [--rtl DIR]   (check that RTL instead of generating it: a folder gen wrote, or its
                  rtl/ folder, with files.f and the same top; taps it lacks are not observed)
  quantrtl build  <model.json> [--dataset <data>] [--board b] [--out DIR] [--force] [--vectors n] [--limit n]
                  [--sim verilator|icarus|both] [--no-synth | --synth]
                  (the main job: accuracy when there is labelled data, RTL, bit-exact proof on the
                  data's samples or seeded random vectors, cycles, estimates,
                  Yosys synthesis of the model, report; --synth also synthesizes the comparison builds)
  quantrtl sim    <model.json> [--board b] [--arch streaming|array] [--json]
  quantrtl sim    --workload alexnet-conv1|resnet20|deit-tiny [--keep r] [--keep-from b]
                  [--kernel mac|adder|xnor|shift] [--board b] [--rows n] [--cols n] [--dataflow ws|os]
  quantrtl synth  <model.json> [--board b] [--json]   (Yosys: LUT/FF/carry/DSP/BRAM beside the estimate)
  quantrtl compare <model.json> [--kernels mac,mac-nodsp,adder,xnor,shift] [--board b] [--synth] [--json]
  quantrtl report <model.json> [--board b] [--out DIR] [--force] [--synth] [--verify [--vectors n] [--seed n]]
                  (report.json, report.md and a self-contained report.html with SVG charts)
  quantrtl demo   [--force] (build ${DEMO_MODEL} into out/mnist-adder)

folding: --pe n / --simd n set every layer; --fold auto [--board b] [--fps f] chooses
per layer (max throughput that fits the board, or the frames/s goal).
boards: ${boardNames().join(", ")} (default ${DEFAULT_BOARD})
--out: a new folder, an empty one, or one quantrtl wrote before (it holds .quantrtl-out.json)
is replaced whole; anything else is refused unless --force (never /, the working folder,
its parents, or the model's folder).
memory: --max-memory <size> (e.g. 512M, 4G) bounds what a model may take; default half
the free memory, at most 4 GiB. A model beyond it is refused at load.

exit codes: 0 ok, 1 bad input, 2 missing tool / tool failure, 3 design not bit-exact,
4 internal error (a quantrtl bug: please report it)`;

function check(args: Args): number {
  const model = modelArg(args);
  console.log(`model ${model.name} (sha256 ${model.hash.slice(0, 16)}…): input ${shape(model.input)}, ${model.layers.length} layer(s)`);
  for (const l of model.layers) {
    const from = l.inputs.length > 1 || l.inputs[0] !== (model.layers[model.layers.indexOf(l) - 1]?.name ?? "input") ? ` (from ${l.inputs.join(", ")})` : "";
    if (!isEngineLayer(l)) {
      const cycles = unitFrameCycles(l);
      const detail = ivitDetail(l);
      console.log(`  ${l.name}: ${l.kind}${from}, ${shape(l.input)} -> ${shape(l.output)} (${l.output.bits} bits)${detail ? `, ${detail}` : ""}${cycles !== undefined ? `, ${cycles} cycles/frame` : ""}`);
      continue;
    }
    const layer = engineConv(l);
    const f = foldCounts(layer);
    const rq = layer.out.kind === "requant" ? layer.out : undefined;
    const out = rq ? `requant ${rq.perChannel ? "per-channel m" : `m=${rq.params.multiplier}`} k=${rq.params.shift} ${rq.params.rounding}${rq.params.relu ? " +relu" : ""}` : "thresholds";
    const geometry = l.kind === "dense" ? `dense ${layer.datapath}` : `conv2d ${layer.datapath} ${layer.kernel[0]}x${layer.kernel[1]} stride ${layer.stride.join("x")} pad ${layer.padding.join("x")}`;
    console.log(
      `  ${layer.name}: ${geometry}${from}, ` +
        `${shape(l.input)} -> ${shape(layer.output)}, K=${reductionLength(layer)}, acc ${layerAccBits(layer)} bits, ${out}, ` +
        `pe ${f.pe} simd ${f.simd} (NF ${f.nf} x SF ${f.sf}), ideal ${idealCycles(layer)} cycles/frame`,
    );
  }
  console.log("ok");
  return 0;
}

/** The integer parameters of a ViT layer for `check` (spec §3–§6). */
function ivitDetail(l: Layer): string {
  switch (l.kind) {
    case "layernorm":
      return `I-LayerNorm over ${l.params.channels}${l.params.newtonIterations ? `, ${l.params.newtonIterations} Newton steps` : ""}, requant ${l.out.perChannel ? "per-channel m" : `m=${l.out.params.multiplier}`} k=${l.out.params.shift}`;
    case "gelu":
      return `ShiftGELU x0' ${l.params.x0} n ${l.params.n}, ${l.params.outBits}-bit sigmoid, requant m=${l.requant.multiplier} k=${l.requant.shift}`;
    case "softmax":
      return `Shiftmax x0 ${l.params.x0} n ${l.params.n}`;
    case "attention":
      return `${l.heads} head(s) of ${l.headDim}, scores ${l.softmax.inputBits} bits, Shiftmax x0 ${l.softmax.x0} n ${l.softmax.n}, requant m=${l.requant.multiplier} k=${l.requant.shift}, simd ${l.arch.simd}`;
    case "token_embed":
      return `class token + position table (${l.embedding.length} integers), token rescale m=${l.requant.multiplier} k=${l.requant.shift}`;
    case "token_select":
      return `keeps token ${l.index}`;
    default:
      return "";
  }
}

async function runCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const dataset = datasetArg(args);
  if (args.flags.has("limit") && dataset === undefined) throw new QuantrtlError(undefined, "--limit", "only applies with --dataset", "add --dataset mnist-test");
  if (dataset !== undefined) {
    if (args.flags.has("input")) throw new QuantrtlError(undefined, "--input", "cannot be combined with --dataset", "use one or the other");
    const data = loadDataset(model, dataset, args.flags.has("limit") ? intFlag(args, "limit", 10000, 1) : undefined);
    progress(`${data.name}: ${data.count} images (${data.reading})`);
    const r = await measureAccuracy(model, data, progress);
    if (args.flags.has("json")) {
      const { integerPredictions: _i, floatPredictions: _f, ...figures } = r;
      console.log(JSON.stringify({ model: model.name, hash: model.hash, ...figures }));
      return 0;
    }
    console.log(accuracyLine(r));
    return 0;
  }
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
  const { dir, design } = writeDesign(model, out, inputs, outputOptions(args));
  console.log(`wrote ${design.sources.length} Verilog files (top ${design.topModule}) and ${inputs.length} test vector(s) to ${dir}`);
  return 0;
}

function printReport(model: Model, r: VerifyReport): void {
  for (const [i, l] of r.layers.entries()) {
    const layer = model.layers[i];
    const words = l.tapped
      ? `${l.matched}/${l.expectedWords} words${l.compared !== l.expectedWords ? ` (${l.compared} arrived)` : ""}`
      : layer.kind === "flatten" ? "a wire (checked through its consumer)" : "not observed (no tap in this RTL; checked through the output)";
    const last = i === r.layers.length - 1;
    const cycles = last && r.frameCycles.length ? `, ${Math.max(...r.frameCycles)} cycles/vector max (ideal ${r.idealCyclesPerVector} for the slowest layer)` : "";
    const what = isEngineLayer(layer) ? `${layer.datapath}, pe ${layer.arch.pe}, simd ${layer.arch.simd}` : layer.kind;
    console.log(`layer ${l.name} (${what}): ${words}${cycles}`);
  }
  if (r.lint) console.log(`lint: verilator -Wall reported:\n${r.lint}`);
  for (const m of r.mismatches.slice(0, 5)) console.log(describeMismatch(m));
  if (r.timeout) console.log("TIMEOUT: the harness stopped waiting with golden words still missing (deadlock?)");
  if (r.rtl) console.log(`checked RTL: ${r.rtl}; streams compared: ${r.layers.filter((l) => l.tapped).map((l) => l.name).join(", ")}`);
  if (r.outDir) console.log(`design, vectors and logs: ${r.outDir}`);
  const predicted = r.backpressure === 0 ? `predicted ${r.predicted.cycles} (exact model at backpressure 0)` : `predicted ${r.predicted.cycles} without stalls; measured with stall probability ${r.backpressure}`;
  const drained = r.drainCycles > r.cycles ? `; every layer drained after ${r.drainCycles}` : "";
  console.log(`cycles: measured ${r.cycles} to the last output word, ${predicted}, ideal ${r.idealCyclesPerVector * r.vectors}${drained}`);
  if (r.bitExact) console.log(`bit-exact: ${r.matched}/${r.expectedWords} words, ${r.vectors} vectors, ${r.cycles} cycles (${r.sim})`);
  else {
    const layers = [...new Set(r.mismatches.map((m) => m.layer))];
    const first = r.mismatches[0] ? `; first difference: ${describeMismatch({ ...r.mismatches[0], vcd: undefined })}` : r.lint ? "; lint not clean (not simulated)" : "";
    console.log(`NOT bit-exact (${r.sim}): output ${r.matched}/${r.expectedWords} words${layers.length ? `; first divergent layer ${layers[0]} (differences in ${layers.join(", ")})` : ""}${first}${r.timeout ? "; timeout" : ""}`);
  }
}

async function verify(args: Args, modelOverride?: Model): Promise<number> {
  const model = modelOverride ?? modelArg(args);
  const dataset = datasetArg(args);
  const simFlag = String(args.flags.get("sim") ?? "verilator");
  const sims: SimulatorName[] = simFlag === "both" ? ["verilator", "icarus"] : simFlag === "verilator" || simFlag === "icarus" ? [simFlag] : [];
  if (sims.length === 0) throw new QuantrtlError(undefined, "--sim", `"${simFlag}" is not a simulator`, "use verilator, icarus or both");
  const vectors = intFlag(args, "vectors", 1, 1, 10000);
  const backpressure = numberFlag(args, "backpressure", 0.25, 0, 0.95);
  const seed = intFlag(args, "seed", 1, 0);
  const out = args.flags.get("out");
  const rtl = args.flags.get("rtl");
  if (rtl !== undefined && typeof rtl !== "string") throw new QuantrtlError(undefined, "--rtl", "needs a folder", "write --rtl DIR");
  // a wrong folder or file list is the user's error: say so before the golden model runs
  if (typeof rtl === "string") readFileList(resolveRtlDir(rtl));
  if (args.flags.has("force") && typeof out !== "string") throw new QuantrtlError(undefined, "--force", "only applies with --out", "add --out DIR");
  const outOptions = outputOptions(args);
  // with both simulators --out holds verilator/ and icarus/: the folder itself is claimed (checked, locked, marked) first
  const root = typeof out === "string" && sims.length > 1 ? claimOutputRoot(out, { ...outOptions, owner: { model: model.name, modelHash: model.hash } }) : undefined;
  let ok = true;
  try {
    for (const sim of sims) {
      const dir = typeof out === "string" ? (root ? resolve(root.path, sim) : out) : undefined;
      const data = dataset === undefined ? undefined : loadDataset(model, dataset, vectors);
      const r = await verifyModel(model, { sim, vectors, backpressure, seed, out: dir, outOptions: root ? { ...outOptions, force: false } : outOptions, onProgress: progress, ...(rtl ? { rtl } : {}), ...(data ? { inputs: data.inputs } : {}) });
      printReport(model, r);
      if (data && r.outputs) {
        const pairs = r.outputs.map((words, i) => `${predictedClass(model, { data: Int32Array.from(words) })}${data.labels ? `/${data.labels[i]}` : ""}`);
        console.log(`RTL class${data.labels ? " / label" : ""}: ${pairs.join(" ")}`);
      }
      ok &&= r.bitExact;
    }
  } finally {
    root?.release();
  }
  return ok ? 0 : 3;
}

/** The main job on the bundled default model: `quantrtl build models/mnist-adder.json --out out/mnist-adder`. */
async function demo(args: Args): Promise<number> {
  progress(`demo: quantrtl build ${DEMO_MODEL} --out out/mnist-adder`);
  return buildCommand({ command: "build", positional: [DEMO_MODEL], flags: new Map([["out", "out/mnist-adder"], ...args.flags]) });
}

/** The usage lines of one command (its entries in USAGE with their continuation lines) and the common notes. */
export function commandUsage(command: string): string {
  const lines = USAGE.split("\n");
  const own: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (/^  quantrtl \S/.test(line)) inside = new RegExp(`^  quantrtl ${command}\\b`).test(line);
    else if (!/^ {4,}/.test(line)) inside = false;
    if (inside) own.push(line);
  }
  const notes = lines.slice(lines.findIndex((l) => l.startsWith("folding:")));
  return ["usage:", ...own, "", ...notes].join("\n");
}

let strayErrorsReported = false;

/** An error thrown outside main's promise (an event handler, a stray rejection) ends as an internal error too. */
function reportStrayErrors(): void {
  if (strayErrorsReported) return;
  strayErrorsReported = true;
  for (const event of ["uncaughtException", "unhandledRejection"] as const) process.on(event, (err) => process.exit(reportInternalError(err)));
}

export async function main(argv: string[]): Promise<number> {
  // here, not where the script is run: bin/quantrtl, npx and `node dist/src/cli.js` all come through main
  stopCleanlyOnSignals();
  reportStrayErrors();
  try {
    const args = parseArgs(argv);
    if (args.help) {
      console.log(commandUsage(args.command));
      return 0;
    }
    switch (args.command) {
      case "check":
        return check(args);
      case "run":
        return await runCommand(args);
      case "build":
        return await buildCommand(args);
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
    return reportInternalError(err);
  }
}

/** Exit code of an error no check foresaw: a bug in quantrtl, not in the user's input. */
export const INTERNAL_ERROR_EXIT = 4;

/** One line instead of a stack trace (the stack with QUANTRTL_DEBUG=1). */
export function reportInternalError(err: unknown): number {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`quantrtl: internal error: ${text.split("\n")[0]} (please report)\n`);
  if (process.env.QUANTRTL_DEBUG === "1" && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return INTERNAL_ERROR_EXIT;
}

const invoked = process.argv[1] ? resolve(process.argv[1]) : "";
if (invoked.endsWith("main.js")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
