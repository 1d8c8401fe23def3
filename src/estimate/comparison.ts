/**
 * What a datapath comparison is (flows/compare.ts builds one): the datapaths it
 * compares, the figures of each build, the AdderNet hardware paper's published
 * reductions they stand beside, and how cycles that are a bound are marked.
 */
import { QuantrtlError } from "../util/errors.js";

export const COMPARE_KERNELS = ["mac", "mac-nodsp", "adder", "adder-nodsp", "xnor", "shift"] as const;
export type CompareKernel = (typeof COMPARE_KERNELS)[number];

export interface KernelFigures {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram_bits: number;
  readonly fmax_mhz: number | null;
  readonly power_w: number;
  readonly energy_j: number;
  readonly cycles: number;
  /** True when `cycles` is an upper bound (the sum of the layers' frame times), the design being too large for the cycle-exact model to step. */
  readonly cycles_bound?: true;
  readonly source: "synthesis" | "estimate";
  /** With source "synthesis": the Yosys-fitted estimate of the same build, to set beside it. */
  readonly estimate?: { readonly lut: number; readonly ff: number; readonly dsp: number; readonly bram_bits: number };
  /** Why Fmax is missing, when it is (not an iCE40 board, no synthesis, or the design does not fit). */
  readonly note?: string;
  /** The build this row's reductions are taken against (null: a baseline itself). */
  readonly baseline?: string | null;
  /** Estimated LUTs of the engines' lanes alone (multipliers, |x − w| units or xnors and their adder trees), Yosys-fitted coefficients. */
  readonly datapath_lut?: number;
  /** Static power of the board (W), paid alike by every build. */
  readonly static_w?: number;
}

export const PUBLISHED_ADDERNET = {
  logicReductionPct: [67.6, 71.4] as [number, number],
  powerReductionPct: [47.85, 77.9] as [number, number],
  speedupPct: 16,
  source: "AdderNet hardware, arXiv 2103.00112",
  setting: "adder vs. multiplier CNN on the same architecture, no DSP on either side",
};

/** The paper's setting among our builds: the adder against the mac, both with every multiplier in logic. */
export const PAPER_KERNEL = "adder-nodsp";
export const PAPER_BASELINE = "mac-nodsp";

/** The row each build is compared against: *-nodsp builds against mac-nodsp, the others against mac (DSP multipliers). */
export function baselineOf(kernel: CompareKernel): CompareKernel | null {
  if (kernel === "mac" || kernel === "mac-nodsp") return null;
  return kernel.endsWith("-nodsp") ? "mac-nodsp" : "mac";
}

/** The datapath a build is rebuilt with: the kernel without its "-nodsp". */
export function kernelDatapath(kernel: CompareKernel): "mac" | "adder" | "xnor" | "shift" {
  return kernel.replace(/-nodsp$/, "") as "mac" | "adder" | "xnor" | "shift";
}

/** The paper's comparison, ours: the saving of the whole design and of the datapath alone, and why ours lies where it does. */
export interface PaperSetting {
  readonly kernel: string;
  readonly baseline: string;
  readonly setting: string;
  readonly whole_design: {
    readonly logic_reduction_pct: number | null;
    readonly power_reduction_pct: number | null;
    readonly cycles_change_pct: number | null;
  };
  readonly datapath_only: { readonly logic_reduction_pct: number | null; readonly basis: string };
  readonly within_published: { readonly logic: boolean; readonly power: boolean };
  /** One short reason per figure of ours outside the paper's published range. */
  readonly reasons: readonly string[];
}

const reductionPct = (ours: number, theirs: number) => (theirs > 0 ? (1 - ours / theirs) * 100 : null);
const inRange = (v: number | null, [lo, hi]: readonly [number, number]) => v !== null && v >= lo && v <= hi;
const fmt = (v: number | null) => (v === null ? "n/a" : `${v.toFixed(1)} %`);
/** LUTs outside the lanes, as text. */
const rest = (f: KernelFigures) => String(f.lut - (f.datapath_lut ?? 0));

/** The paper's setting from the two builds' figures, with a stated reason wherever ours is outside the published range. */
export function paperSetting(kernels: Readonly<Record<string, KernelFigures>>): PaperSetting | undefined {
  const adder = kernels[PAPER_KERNEL];
  const mac = kernels[PAPER_BASELINE];
  if (!adder || !mac) return undefined;
  const p = PUBLISHED_ADDERNET;
  const logic = reductionPct(adder.lut, mac.lut);
  const power = reductionPct(adder.power_w, mac.power_w);
  const lanes = adder.datapath_lut !== undefined && mac.datapath_lut !== undefined ? reductionPct(adder.datapath_lut, mac.datapath_lut) : null;
  const cycles = mac.cycles > 0 ? (adder.cycles / mac.cycles - 1) * 100 : null;
  const reasons: string[] = [];
  if (logic !== null && logic < p.logicReductionPct[0]) {
    reasons.push(
      lanes !== null && lanes >= p.logicReductionPct[0]
        ? `logic: the lanes alone save ${fmt(lanes)}, inside or above the paper's range; the rest of the design (line buffers, weight ROMs, requantization, control) is ${rest(adder)} vs. ${rest(mac)} LUTs and holds the whole design's saving to ${fmt(logic)}`
        : `logic: the lanes themselves save only ${fmt(lanes)}: at these widths a |x − w| lane with its accumulator is closer in size to a multiplier in LUTs than in the paper's design`,
    );
  } else if (logic !== null && logic > p.logicReductionPct[1]) {
    reasons.push(`logic: the multipliers in LUTs make up more of the mac-nodsp build than of the paper's design, so removing them saves more (${fmt(logic)})`);
  }
  if (power !== null && !inRange(power, p.powerReductionPct)) {
    const dynamic =
      adder.static_w !== undefined && mac.static_w !== undefined ? reductionPct(adder.power_w - adder.static_w, mac.power_w - mac.static_w) : null;
    reasons.push(
      power < p.powerReductionPct[0]
        ? `power: ours is the FPGA estimate with the device's static power (${adder.static_w ?? "?"} W), which both builds pay alike; dynamic power alone is ${fmt(dynamic)} lower`
        : `power: the dynamic power of the LUT multipliers dominates the mac-nodsp estimate at the default toggle rate`,
    );
  }
  if (cycles !== null && Math.abs(cycles) < 0.05) {
    reasons.push(
      `speed: cycles are equal by construction (same folding, one result per lane per cycle); the paper's ${p.speedupPct} % comes from the clock, which only a measured Fmax (--synth on an iCE40 board) can show`,
    );
  }
  return {
    kernel: PAPER_KERNEL,
    baseline: PAPER_BASELINE,
    setting: p.setting,
    whole_design: { logic_reduction_pct: logic, power_reduction_pct: power, cycles_change_pct: cycles },
    datapath_only: { logic_reduction_pct: lanes, basis: "LUTs of the engines' lanes (multipliers or |x − w| units and adder trees), Yosys-fitted estimate" },
    within_published: { logic: inRange(logic, p.logicReductionPct), power: inRange(power, p.powerReductionPct) },
    reasons,
  };
}

export interface Comparison {
  readonly board: string;
  readonly model: string;
  readonly kernels: Readonly<Record<string, KernelFigures>>;
  /** Datapaths asked for that the model cannot be rebuilt with, and why (e.g. xnor on an integer ViT block). */
  readonly not_applicable?: Readonly<Record<string, string>>;
  readonly published: typeof PUBLISHED_ADDERNET;
  /** The paper's setting (adder-nodsp vs. mac-nodsp, rebuilt at 8 bits) when both were built. */
  readonly paper_setting?: PaperSetting;
  /** The same two builds rebuilt at 16 bits (Yosys-fitted estimate), when the model's units take 16-bit inputs. */
  readonly paper_setting_16bit?: PaperSetting;
}

export function parseKernels(list: string): CompareKernel[] {
  const kernels = list
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  for (const k of kernels) {
    if (!(COMPARE_KERNELS as readonly string[]).includes(k)) {
      throw new QuantrtlError(undefined, "--kernels", `"${k}" is not a datapath`, `use a comma-separated list of ${COMPARE_KERNELS.join(", ")}`);
    }
  }
  if (kernels.length === 0) throw new QuantrtlError(undefined, "--kernels", "is empty", `e.g. --kernels ${COMPARE_KERNELS.join(",")}`);
  return kernels as CompareKernel[];
}

/** Whether a build may use DSPs: all but the -nodsp builds (every multiplier, requantization's included, in logic). */
export function kernelUsesDsp(kernel: CompareKernel): boolean {
  return !kernel.endsWith("-nodsp");
}

/**
 * nextpnr-ice40's timing database has SB_MAC16 delays only for the modes iCEcube2
 * documents; for the multipliers Yosys infers, paths through a DSP come out with
 * routing delay alone (a MAC engine at pe 1 / simd 4 on the UP5K "reaches" 317 MHz,
 * its critical path DSP → DSP with 0 logic levels). An Fmax of a build with DSPs is
 * therefore an upper bound; the mac-nodsp build's Fmax is the comparable figure.
 */
export const DSP_FMAX_CAVEAT = "Fmax optimistic: nextpnr has no SB_MAC16 delays for the DSP modes Yosys infers (compare the -nodsp build)";

/** A build's cycles as text, marked "≤" when they are an upper bound. */
export function cyclesText(f: Pick<KernelFigures, "cycles_bound">, cycles: string): string {
  return f.cycles_bound ? `≤ ${cycles}` : cycles;
}

export const CYCLES_BOUND_NOTE =
  "cycles: ≤ marks an upper bound (the sum of the layers' frame times): the design is too large for the cycle-exact model to step (quantrtl sim reports the same bounds)";
