/** `quantrtl sim`: the streaming model of a model on a board, the array model, bundled workloads. */
import { engineLayers, Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import type { Resources } from "../estimate/resources.js";
import { predictStreaming } from "../flows/predict.js";
import { fitLines, fitMark, fitVerdict } from "../flows/fit.js";
import {
  alexnetConv1,
  alexnetConv2,
  ARRAY_DATAPATHS,
  ArrayArch,
  ArrayDatapath,
  ArrayMapping,
  ArrayReport,
  deitTiny,
  resnet20Cifar,
  simulateArray,
} from "../perf/array/index.js";
import { defaultArrayArch, workloadOfModel } from "../perf/array/from-model.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, flag, FOLD_FLAGS, intFlag, MEMORY_FLAG, numberFlag, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { deprecatedAlias } from "./print.js";
import { boardArg, modelArg } from "./inputs.js";
import { pct, printTable } from "./print.js";

/** ", SPRAM n bits (p %, weights loaded after configuration)" when loadable weight RAMs use the iCE40 UltraPlus SPRAM. */
function spramText(r: Resources, board: Board): string {
  if (!r.spramBits) return "";
  return `, SPRAM ${r.spramBits} bits (${pct(r.spramBits / board.resources.spramBits)}; weights loaded after configuration)`;
}

function simCommand(args: Args): number {
  if (args.flags.has("workload")) return simWorkload(args);
  const model = modelArg(args);
  const board = boardArg(args);
  const arch = String(args.flags.get("arch") ?? "streaming");
  if (arch !== "streaming" && arch !== "array") throw new QuantrtlError(undefined, "--arch", `"${arch}" is not an architecture`, "use streaming or array");
  if (arch === "array") return simArray(args, model, board);
  if (args.flags.has("untiled")) throw new QuantrtlError(undefined, "--untiled", "applies to the array model only", "add --arch array, or drop --untiled");
  const perf = predictStreaming(model, board);
  // a report, not a gate: exit 0 either way, but the verdict is in the JSON and marked in the text
  const fit = fitVerdict(perf.total.resources, board);
  if (args.flags.has("json")) {
    console.log(JSON.stringify({ ...perf, fits: fit.fits, fit }, null, 2));
    return 0;
  }
  console.log(
    `${model.name} on ${board.title} (${board.part}) at ${board.clockMHz} MHz — streaming dataflow, ${perf.exact ? "cycle-exact model" : "bounds (design too large to step)"}`,
  );
  const rows = perf.layers.map((l) => [
    l.name,
    l.datapath,
    `${l.pe}x${l.simd}`,
    `${l.nf}x${l.sf}`,
    String(l.idealCycles),
    String(l.fillCycles),
    String(l.latencyCycles),
    String(l.intervalCycles),
    pct(l.utilization),
    String(l.estimate.lut),
    String(l.estimate.ff),
    String(l.estimate.dsp),
    String(l.estimate.bramBits),
    String(l.estimate.lineBufferBits),
  ]);
  printTable(
    ["layer", "datapath", "pe x simd", "NF x SF", "ideal", "fill", "latency", "interval", "util", "LUT", "FF", "DSP", "BRAM bits", "line buf bits"],
    rows,
  );
  if (perf.units.length) {
    // the units outside the engines, by kind (a ResNet has a fork, two FIFOs and an add per block)
    const byKind = new Map<string, { n: number; lut: number; ff: number; dsp: number; bramBits: number; names: string[] }>();
    for (const u of perf.units) {
      const k = byKind.get(u.kind) ?? { n: 0, lut: 0, ff: 0, dsp: 0, bramBits: 0, names: [] };
      byKind.set(u.kind, {
        n: k.n + 1,
        lut: k.lut + u.lut,
        ff: k.ff + u.ff,
        dsp: k.dsp + u.dsp,
        bramBits: k.bramBits + u.bramBits,
        names: [...k.names, u.name],
      });
    }
    printTable(
      ["other units", "count", "LUT", "FF", "DSP", "BRAM bits", "names"],
      [...byKind].map(([kind, k]) => [
        kind,
        String(k.n),
        String(k.lut),
        String(k.ff),
        String(k.dsp),
        String(k.bramBits),
        k.names.length > 3 ? `${k.names.slice(0, 3).join(", ")}, …` : k.names.join(", "),
      ]),
    );
  }
  const t = perf.total;
  const share = (f: number) => `${pct(f)}${fitMark(f)}`;
  console.log(
    `resources (Yosys-fitted estimate, engines and units): LUT ${t.resources.lut} (${share(t.fraction.lut)}), FF ${t.resources.ff} (${share(t.fraction.ff)}), DSP ${t.resources.dsp} (${share(t.fraction.dsp)}), BRAM ${t.resources.bramBits} bits (${share(t.fraction.bramBits)})${spramText(t.resources, board)} of ${board.name}`,
  );
  for (const line of fitLines(fit, "Yosys-fitted estimate")) console.log(line);
  if (!fit.fits) console.log(`  lower pe/simd, or let quantrtl choose with --fold auto --board ${board.name}`);
  console.log(
    `fill ${t.fillCycles} cycles, interval ${t.intervalCycles} cycles/frame, utilisation ${pct(t.utilization)}, on-chip buffers ${t.bufferBits} bits`,
  );
  console.log(`total: ${t.latencyCycles} cycles, ${t.latencyUs.toFixed(2)} us at ${board.clockMHz} MHz, ${t.framesPerSecond.toFixed(1)} frames/s`);
  if (perf.weightLoad)
    console.log(
      `weight load: ${perf.weightLoad.bytes} bytes into SPRAM, once after configuration before the first frame (${perf.weightLoad.seconds.toFixed(2)} s at ${perf.weightLoad.baud} baud over the UART harness); not in the cycles above`,
    );
  return 0;
}

function arrayArchArgs(args: Args, board: Board, datapath: ArrayDatapath, bits: number): ArrayArch {
  const dataflow = String(args.flags.get("dataflow") ?? "ws");
  if (dataflow !== "ws" && dataflow !== "os")
    throw new QuantrtlError(undefined, "--dataflow", `"${dataflow}" is not a dataflow`, "use ws (weight-stationary) or os (output-stationary)");
  const overrides = {
    rows: args.flags.has("rows") ? intFlag(args, "rows", 1, 1, 4096) : undefined,
    cols: args.flags.has("cols") ? intFlag(args, "cols", 1, 1, 4096) : undefined,
  };
  return defaultArrayArch(board, datapath, bits, dataflow, overrides);
}

const WORKLOADS = ["alexnet-conv1", "alexnet-conv2", "resnet20", "deit-tiny"];

function workloadNamed(name: string, datapath: ArrayDatapath, keepRatio: readonly number[]) {
  if (name === "alexnet-conv1") return alexnetConv1(datapath);
  if (name === "alexnet-conv2") return alexnetConv2(datapath);
  return name === "resnet20" ? resnet20Cifar(datapath) : deitTiny({ datapath, keepRatio });
}

/** --untiled: buffers large enough that no layer is tiled (SCALE-Sim's untiled figures); only with the array model. */
function mappingArg(args: Args): ArrayMapping {
  return args.flags.has("untiled") ? "untiled" : "tiled";
}

/** A named workload on the array model; for DeiT-Tiny, what a token keep-ratio buys. */
function simWorkload(args: Args): number {
  if (args.positional.length) throw new QuantrtlError(undefined, args.positional[0], "is an unexpected argument", "--workload replaces the model file");
  const name = String(args.flags.get("workload"));
  if (!WORKLOADS.includes(name)) throw new QuantrtlError(undefined, "--workload", `"${name}" is not a bundled workload`, `use one of ${WORKLOADS.join(", ")}`);
  const flagName = deprecatedAlias(args, "datapath", "kernel");
  const given = String(args.flags.get(flagName) ?? "mac");
  if (!ARRAY_DATAPATHS.includes(given as ArrayDatapath))
    throw new QuantrtlError(undefined, `--${flagName}`, `"${given}" is not a datapath`, `use one of ${ARRAY_DATAPATHS.join(", ")}`);
  const datapath = given as ArrayDatapath;
  if (name !== "deit-tiny" && (args.flags.has("keep") || args.flags.has("keep-from")))
    throw new QuantrtlError(undefined, "--keep", "token keep-ratios apply to deit-tiny only", "drop --keep, or use --workload deit-tiny");
  const keep = numberFlag(args, "keep", 1, 0.01, 1);
  const keepFrom = intFlag(args, "keep-from", 1, 1, 12);
  const keepRatio = Array.from({ length: 12 }, (_, b) => (b + 1 >= keepFrom ? keep : 1));
  const workload = workloadNamed(name, datapath, keepRatio);
  const board = boardArg(args);
  const arch = arrayArchArgs(args, board, datapath, datapath === "xnor" ? 1 : 8);
  const mapping = mappingArg(args);
  const report = simulateArray(workload, arch, { mapping });
  if (args.flags.has("json")) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  printArrayReport(workload.name, board, arch, report);
  if (name === "deit-tiny" && keep < 1) {
    const full = simulateArray(deitTiny({ datapath }), arch, { mapping }).total;
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
  const arch = arrayArchArgs(args, board, engineLayers(model)[0].datapath, model.input.bits);
  const report = simulateArray(workloadOfModel(model), arch, { mapping: mappingArg(args) });
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
      `${report.arch.ifmapBufferBytes} B per buffer, DRAM ${arch.dramBytesPerCycle.toFixed(2)} B/cycle (analytical model, fold cost as SCALE-Sim v2)`,
  );
  const tiled = report.mapping === "tiled";
  console.log(
    tiled
      ? "mapping: tiled — cycles include the buffer tiling these buffers force; 'untiled' is the same layer as one tile (--untiled reports that alone)"
      : "mapping: untiled — buffers enlarged until no layer is tiled (SCALE-Sim's untiled figures)",
  );
  printTable(
    [
      "layer",
      "M x K x N",
      "MACs",
      tiled ? "compute (tiled)" : "compute (untiled)",
      ...(tiled ? ["untiled"] : []),
      "stall",
      "total",
      "util",
      "DRAM rd B",
      "DRAM wr B",
      "MAC/B",
      "bound",
    ],
    report.layers.map((l) =>
      [
        l.name,
        `${l.gemm.M}x${l.gemm.K}x${l.gemm.N}`,
        "",
        String(l.macs),
        String(l.computeCycles),
        ...(tiled ? [String(l.untiledComputeCycles)] : []),
        String(l.stallCycles),
        String(l.totalCycles),
        pct(l.utilization),
        String(l.dramReadBytes),
        String(l.dramWriteBytes),
        l.arithmeticIntensity.toFixed(1),
        l.roofline.bound,
      ].filter((_, i) => i !== 2),
    ),
  );
  const t = report.total;
  const latencyUs = t.totalCycles / board.clockMHz;
  console.log(
    `compute: ${t.computeCycles} cycles ${tiled ? `tiled (${t.untiledComputeCycles} untiled, +${pct(t.computeCycles / t.untiledComputeCycles - 1)} for tiling)` : "untiled"}`,
  );
  console.log(
    `total: ${t.totalCycles} cycles, ${latencyUs.toFixed(2)} us at ${board.clockMHz} MHz, ${((board.clockMHz * 1e6) / t.totalCycles).toFixed(1)} frames/s`,
  );
}

export const sim: CommandSpec = {
  name: "sim",
  usage: [
    "  quantrtl sim    <model.json> [--board b] [--arch streaming|array [--untiled]] [--json]",
    "  quantrtl sim    --workload alexnet-conv1|alexnet-conv2|resnet20|deit-tiny [--keep r] [--keep-from b]",
    "                  [--datapath mac|adder|xnor|shift] [--board b] [--rows n] [--cols n] [--dataflow ws|os] [--untiled] [--json]",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("arch", "name"),
    flag("json"),
    value("rows", "n"),
    value("cols", "n"),
    value("dataflow", "ws|os"),
    flag("untiled"),
    value("workload", "name"),
    value("keep", "r"),
    value("keep-from", "b"),
    value("datapath", "name"),
    value("kernel", "name"),
    ...FOLD_FLAGS,
    MEMORY_FLAG,
  ],
  run: simCommand,
};
