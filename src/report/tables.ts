/**
 * The report's tables as plain rows of unescaped text, built once and rendered
 * by both writers (markdown.ts escapes for Markdown, html.ts for HTML), so the
 * two files always show the same figures.
 */
import { baselineOf, COMPARE_KERNELS, CompareKernel, CYCLES_BOUND_NOTE, cyclesText } from "../estimate/comparison.js";
import type {
  QuantrtlReport,
  ReportAccuracy,
  ReportComparison,
  ReportErrorBar,
  ReportKernelFigures,
  ReportProofRun,
  ReportResources,
  ReportVerification,
} from "./types.js";
import {
  boardShare,
  estimateErrorPct,
  formatFixed,
  formatFraction,
  formatInt,
  formatPicojoules,
  formatShare,
  formatSi,
  formatSig,
  formatSignedPct,
  formatWatts,
} from "./format.js";

export type Align = "left" | "right";

export interface Table {
  readonly headers: readonly string[];
  readonly align: readonly Align[];
  readonly rows: readonly (readonly string[])[];
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): Table {
  return { headers, rows, align: align ?? headers.map((_, i) => (i === 0 ? "left" : "right")) };
}

/** `bit-exact: <matched>/<compared> words, <n> vectors, <cycles> cycles (<sim>)`; "NOT bit-exact: …" when a word differs. */
export function verificationLine(v: ReportVerification): string {
  const verdict = v.bitExact ? "bit-exact" : "NOT bit-exact";
  return `${verdict}: ${v.matched}/${v.compared} words, ${v.vectors} vectors, ${v.cycles} cycles (${v.sim})`;
}

/** `float <a>% (<runtime>), integer <b>%, agreement <c>% on <n> images of <dataset>` ("n/a" for what was not measured). */
export function accuracyText(a: ReportAccuracy): string {
  const pct = (v: number | undefined) => (v === undefined ? "n/a" : `${(v * 100).toFixed(2)}%`);
  return `float ${pct(a.floatTop1)}${a.floatRuntime ? ` (${a.floatRuntime})` : ""}, integer ${pct(a.integerTop1)}, agreement ${pct(a.agreement)} on ${a.images} images of ${a.dataset}`;
}

/** One proof run: `bit-exact (<sim>): <matched>/<compared> words on <n> vectors, back-pressure <p>`. */
export function proofLine(r: ReportProofRun): string {
  return `${r.bitExact ? "bit-exact" : "NOT bit-exact"} (${r.sim}): ${r.matched}/${r.compared} words on ${r.vectors} vectors, back-pressure ${r.backpressure}`;
}

/** Measured cycles beside the cycle model's prediction. */
export function cyclesLine(v: ReportVerification): string {
  return `measured ${formatInt(v.cycles)} cycles, predicted ${formatInt(v.predictedCycles)} (prediction error ${formatSignedPct(estimateErrorPct(v.predictedCycles, v.cycles))})`;
}

export function summaryTable(r: QuantrtlReport): Table {
  return table(
    ["", ""],
    [
      ["model", `${r.model.name} (${r.model.layers} layers)`],
      ["model hash", r.model.hash],
      ["board", `${r.board.title} (${r.board.name})`],
      ["part", r.board.part],
      ["clock", `${formatSig(r.board.clockMHz)} MHz`],
      ["generator", r.generator],
      ["created", r.createdAt],
    ],
    ["left", "left"],
  );
}

export function layerTable(r: QuantrtlReport): Table {
  return table(
    ["layer", "datapath", "PE", "SIMD", "ideal cycles", "fill cycles", "latency cycles", "interval cycles", "utilization"],
    r.performance.layers.map((l) => [
      l.name,
      l.datapath,
      String(l.pe),
      String(l.simd),
      formatInt(l.idealCycles),
      formatInt(l.fillCycles),
      formatInt(l.latencyCycles),
      formatInt(l.intervalCycles),
      formatFraction(l.utilization),
    ]),
    ["left", "left", "right", "right", "right", "right", "right", "right", "right"],
  );
}

export function totalTable(r: QuantrtlReport): Table {
  const t = r.performance.total;
  return table(
    ["latency cycles", "interval cycles", "latency", "frames per second", "utilization"],
    [
      [
        formatInt(t.latencyCycles),
        formatInt(t.intervalCycles),
        `${formatFixed(t.latencyUs, 2)} µs`,
        formatFixed(t.framesPerSecond, 1),
        formatFraction(t.utilization),
      ],
    ],
    ["right", "right", "right", "right", "right"],
  );
}

export const RESOURCE_KEYS: readonly { key: keyof ReportResources; label: string }[] = [
  { key: "lut", label: "LUT" },
  { key: "ff", label: "FF" },
  { key: "dsp", label: "DSP" },
  { key: "bramBits", label: "BRAM bits" },
];

/** Estimate (with the fitted model's error bar) vs. synthesis, the estimate's error against synthesis, and each as a fraction of the board. */
export function resourceTable(r: QuantrtlReport): Table {
  const { estimate, synthesis, estimateErrorBar: bar, units, unitErrorBar: ubar, networkErrorBar: nbar } = r.resources;
  const board = r.board.resources;
  const barHeader = [
    ...(bar ? ["estimate error bar (held-out RMS / worst)"] : []),
    ...(nbar ? [`error on whole networks (RMS / worst, ${nbar.networks} synthesized builds)`] : []),
  ];
  const barText = (b: ReportErrorBar, key: keyof ReportResources) => `±${formatFraction(b[key].relRms)} / ±${formatFraction(b[key].relWorst)}`;
  const barCell = (key: keyof ReportResources) => [...(bar ? [barText(bar, key)] : []), ...(nbar ? [barText(nbar, key)] : [])];
  const unitHeader = units ? ["of which units outside the engines", ...(ubar ? ["their error bar"] : [])] : [];
  const unitCell = (key: keyof ReportResources) => (units ? [formatInt(units[key]), ...(ubar ? [barText(ubar, key)] : [])] : []);
  const headers = synthesis
    ? ["resource", "board", "estimate", ...barHeader, ...unitHeader, "synthesis", "estimate error", "estimate, % of board", "synthesis, % of board"]
    : ["resource", "board", "estimate", ...barHeader, ...unitHeader, "estimate, % of board"];
  const rows = RESOURCE_KEYS.map(({ key, label }) => {
    const row = [label, formatInt(board[key]), formatInt(estimate[key]), ...barCell(key), ...unitCell(key)];
    if (!synthesis) return [...row, formatShare(estimate[key], board[key])];
    return [
      ...row,
      formatInt(synthesis[key]),
      formatSignedPct(estimateErrorPct(estimate[key], synthesis[key])),
      formatShare(estimate[key], board[key]),
      formatShare(synthesis[key], board[key]),
    ];
  });
  return table(headers, rows);
}

/** One line on the synthesis run itself (cells the resource table does not list), or undefined without synthesis. */
export function synthesisLine(r: QuantrtlReport): string | undefined {
  const s = r.resources.synthesis;
  if (!s) return undefined;
  return `Synthesis by ${s.yosys}: ${formatInt(s.carry)} carry cells, ${formatInt(s.latches)} latches. Estimate error = (estimate − synthesis) / synthesis.`;
}

export const POWER_PARTS = ["logic", "ff", "dsp", "bram", "clock"] as const;

export function powerTable(r: QuantrtlReport): Table | undefined {
  const p = r.power;
  if (!p) return undefined;
  const share = (w: number) => formatShare(w, p.totalW);
  return table(
    ["component", "power", "share of total"],
    [
      ...POWER_PARTS.map((part) => [`dynamic: ${part}`, formatWatts(p.breakdown[part]), share(p.breakdown[part])]),
      ["dynamic (sum)", formatWatts(p.dynamicW), share(p.dynamicW)],
      ["static", formatWatts(p.staticW), share(p.staticW)],
      ["total", formatWatts(p.totalW), share(p.totalW)],
    ],
  );
}

export function powerLine(r: QuantrtlReport): string | undefined {
  const p = r.power;
  if (!p) return undefined;
  return `total ${formatWatts(p.totalW)} (static ${formatWatts(p.staticW)}, dynamic ${formatWatts(p.dynamicW)}) at ${formatSig(r.board.clockMHz)} MHz, toggle rate ${formatFraction(p.toggleRate)} (${p.toggleSource})`;
}

export function energyTable(r: QuantrtlReport): Table | undefined {
  const e = r.energy;
  if (!e) return undefined;
  const share = (pj: number) => formatShare(pj, e.totalPicojoules);
  return table(
    ["part", "energy per frame", "share"],
    [
      ["compute", formatPicojoules(e.computePicojoules), share(e.computePicojoules)],
      ["on-chip SRAM", formatPicojoules(e.sramPicojoules), share(e.sramPicojoules)],
      ["DRAM", formatPicojoules(e.dramPicojoules), share(e.dramPicojoules)],
      ["total", formatPicojoules(e.totalPicojoules), share(e.totalPicojoules)],
    ],
  );
}

/** "compute" when the point sits under the flat roof, "memory" under the slope. */
export function rooflineBound(p: { intensity: number; peak: number; bandwidth: number }): "compute" | "memory" {
  return p.bandwidth * p.intensity < p.peak ? "memory" : "compute";
}

/** What the roofline's memories are, in one sentence. */
export const ROOFLINE_NOTE =
  "The streaming design keeps every weight and intermediate activation on chip: only the layer that reads the model input and the one that writes its output touch DRAM (against the board's DRAM bandwidth); every other layer is placed against the on-chip bandwidth of its own weight ROM and line buffer.";

export function rooflineTable(r: QuantrtlReport): Table | undefined {
  if (!r.roofline) return undefined;
  return table(
    [
      "layer",
      "against",
      "DRAM B / frame",
      "on-chip B / frame",
      "intensity (op/B)",
      "performance (GOP/s)",
      "peak (GOP/s)",
      "bandwidth (GB/s)",
      "roof at this intensity",
      "bound",
    ],
    r.roofline.map((p) => {
      const roof = p.bandwidth > 0 ? Math.min(p.peak, p.bandwidth * p.intensity) : p.peak;
      return [
        p.name,
        p.memory ?? "DRAM",
        p.dramBytes === undefined ? "—" : formatInt(p.dramBytes),
        p.onChipBytes === undefined ? "—" : formatInt(Math.round(p.onChipBytes)),
        formatSig(p.intensity),
        formatSig(p.performance),
        formatSig(p.peak),
        formatSig(p.bandwidth),
        formatFraction(p.performance / roof),
        rooflineBound(p),
      ];
    }),
  );
}

/** A synthesized build's estimate beside it: `LUT / FF / DSP / BRAM bits (LUT error)`. */
export function kernelEstimateCell(k: ReportKernelFigures): string {
  const e = k.estimate;
  if (!e) return "—";
  return `${[e.lut, e.ff, e.dsp, e.bram_bits].map(formatInt).join(" / ")} (LUT ${formatSignedPct(estimateErrorPct(e.lut, k.lut))})`;
}

/** The build a row is compared against: its own field, or (reports written before the field) the rule of baselineOf. */
export function rowBaseline(kernel: string, k: ReportKernelFigures): string | null {
  if (k.baseline !== undefined) return k.baseline;
  return (COMPARE_KERNELS as readonly string[]).includes(kernel) ? baselineOf(kernel as CompareKernel) : BASELINE_KERNEL;
}

/** What the comparison table's marks mean, when it has any. */
export function comparisonNotes(c: ReportComparison): string[] {
  const notes = Object.values(c.kernels).some((k) => k.cycles_bound) ? [CYCLES_BOUND_NOTE] : [];
  for (const [kernel, reason] of Object.entries(c.not_applicable ?? {})) notes.push(`No ${kernel} build: ${reason}.`);
  return notes;
}

export function kernelTable(c: ReportComparison): Table {
  const kernels = Object.entries(c.kernels);
  const withEstimate = kernels.some(([, k]) => k.estimate);
  return table(
    [
      "datapath",
      "baseline",
      "LUT",
      "lanes LUT",
      "FF",
      "DSP",
      "BRAM bits",
      "Fmax",
      "power",
      "energy / frame",
      "cycles",
      "source",
      ...(withEstimate ? ["estimate LUT / FF / DSP / BRAM bits (LUT error)"] : []),
    ],
    kernels.map(([kernel, k]) => [
      kernel,
      rowBaseline(kernel, k) ?? "(baseline)",
      formatInt(k.lut),
      k.datapath_lut === undefined ? "—" : formatInt(k.datapath_lut),
      formatInt(k.ff),
      formatInt(k.dsp),
      formatInt(k.bram_bits),
      k.fmax_mhz === null ? "—" : `${formatFixed(k.fmax_mhz, 1)} MHz`,
      formatWatts(k.power_w),
      formatSi(k.energy_j, "J"),
      cyclesText(k, formatInt(k.cycles)),
      k.source,
      ...(withEstimate ? [kernelEstimateCell(k)] : []),
    ]),
    ["left", "left", "right", "right", "right", "right", "right", "right", "right", "right", "right", "left", ...(withEstimate ? ["right" as const] : [])],
  );
}

export interface Reduction {
  readonly kernel: string;
  /** 1 − LUT / baseline LUT, percent; null when the baseline uses no LUTs. */
  readonly logicReductionPct: number | null;
  readonly powerReductionPct: number | null;
  /** Baseline time per frame / this kernel's − 1, percent. */
  readonly speedupPct: number | null;
  /** Time per frame is cycles / Fmax when both have a measured Fmax, else cycles at one clock. */
  readonly speedBasis: "cycles / Fmax" | "cycles";
}

export const BASELINE_KERNEL = "mac";

/** The mac build with its multipliers in logic: the like-for-like baseline of the paper (no DSPs on either side). */
export const LOGIC_BASELINE_KERNEL = "mac-nodsp";

/** Each other datapath against a multiplier baseline ("mac" by default), the way the AdderNet paper states its figures. */
export function computeReductions(c: ReportComparison, baseline: string = BASELINE_KERNEL): Reduction[] {
  const base = c.kernels[baseline];
  if (!base) return [];
  const reduction = (ours: number, theirs: number) => (theirs > 0 ? (1 - ours / theirs) * 100 : null);
  return Object.entries(c.kernels)
    .filter(([kernel]) => kernel !== baseline)
    .map(([kernel, k]) => {
      const byFmax = k.fmax_mhz !== null && base.fmax_mhz !== null && k.fmax_mhz > 0 && base.fmax_mhz > 0;
      const time = (f: ReportKernelFigures) => (byFmax ? f.cycles / (f.fmax_mhz as number) : f.cycles);
      const speedupPct = time(k) > 0 ? (time(base) / time(k) - 1) * 100 : null;
      return {
        kernel,
        logicReductionPct: reduction(k.lut, base.lut),
        powerReductionPct: reduction(k.power_w, base.power_w),
        speedupPct,
        speedBasis: byFmax ? "cycles / Fmax" : "cycles",
      };
    });
}

/** The paper's figures exactly as published (no rounding). */
const pctRange = ([lo, hi]: readonly [number, number]) => `${lo}–${hi} %`;
const pct = (value: number | null) => (value === null ? "—" : `${formatFixed(value, 1)} %`);

/** The paper's setting in words: which builds, and why ours lies outside the published range where it does. */
export function paperSettingLines(c: ReportComparison): string[] {
  const p = c.published;
  const paper = c.paper_setting;
  if (!paper) return [`The paper's setting (${p.setting}) needs the adder-nodsp and mac-nodsp builds; without them no row below is comparable to ${p.source}.`];
  return [
    `The paper's setting (${p.source}): ${p.setting} — here ${paper.kernel} vs. ${paper.baseline}. The datapath alone (the engines' lanes) saves ${pct(paper.datapath_only.logic_reduction_pct)} of its LUTs; the whole design ${pct(paper.whole_design.logic_reduction_pct)} of its LUTs and ${pct(paper.whole_design.power_reduction_pct)} of its power.`,
    ...paper.reasons.map((reason) => `Outside the published range — ${reason}.`),
    ...(c.paper_setting_16bit
      ? [
          `At 16 bits (both builds rebuilt, Yosys-fitted estimate): the datapath alone saves ${pct(c.paper_setting_16bit.datapath_only.logic_reduction_pct)} of its LUTs; the whole design ${pct(c.paper_setting_16bit.whole_design.logic_reduction_pct)} of its LUTs and ${pct(c.paper_setting_16bit.whole_design.power_reduction_pct)} of its power.`,
        ]
      : []),
  ];
}

/** The paper's published reductions beside ours, the paper's setting first, every row naming its baseline. */
export function reductionTable(c: ReportComparison): Table {
  const p = c.published;
  const rows: string[][] = [
    [`published: adder vs. mac (${p.source})`, "whole design", pctRange(p.logicReductionPct), pctRange(p.powerReductionPct), `${p.speedupPct} %`, "paper"],
  ];
  const paper = c.paper_setting;
  if (paper) {
    const red = computeReductions(c, paper.baseline).find((r) => r.kernel === paper.kernel)!;
    rows.push([
      `ours, paper's setting: ${paper.kernel} vs. ${paper.baseline}`,
      "whole design",
      pct(red.logicReductionPct),
      pct(red.powerReductionPct),
      pct(red.speedupPct),
      red.speedBasis,
    ]);
    rows.push([
      `ours, paper's setting: ${paper.kernel} vs. ${paper.baseline}`,
      "datapath alone (lanes)",
      pct(paper.datapath_only.logic_reduction_pct),
      "—",
      "—",
      "LUT estimate",
    ]);
  }
  for (const baseline of [BASELINE_KERNEL, LOGIC_BASELINE_KERNEL]) {
    for (const red of computeReductions(c, baseline)) {
      if (rowBaseline(red.kernel, c.kernels[red.kernel]) !== baseline || (paper && red.kernel === paper.kernel)) continue;
      const what = baseline === BASELINE_KERNEL ? "multipliers on DSPs" : "multipliers in LUTs";
      rows.push([
        `ours: ${red.kernel} vs. ${baseline} (${what})`,
        "whole design",
        pct(red.logicReductionPct),
        pct(red.powerReductionPct),
        pct(red.speedupPct),
        red.speedBasis,
      ]);
    }
  }
  return table(["", "scope", "logic (LUT) reduction", "power reduction", "speedup", "speed basis"], rows, ["left", "left", "right", "right", "right", "left"]);
}

/** used / capacity for each resource, null where the board has none (shared by the resource chart). */
export function resourceShares(used: ReportResources, board: ReportResources): (number | null)[] {
  return RESOURCE_KEYS.map(({ key }) => boardShare(used[key], board[key]));
}
