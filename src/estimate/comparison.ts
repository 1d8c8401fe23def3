/**
 * What a datapath comparison is (flows/compare.ts builds one): the datapaths it
 * compares, the figures of each build, the AdderNet hardware paper's published
 * reductions they stand beside, and how cycles that are a bound are marked.
 */
import { QuantrtlError } from "../util/errors.js";

export const COMPARE_KERNELS = ["mac", "mac-nodsp", "adder", "xnor", "shift"] as const;
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
}

export const PUBLISHED_ADDERNET = {
  logicReductionPct: [67.6, 71.4] as [number, number],
  powerReductionPct: [47.85, 77.9] as [number, number],
  speedupPct: 16,
  source: "AdderNet hardware, arXiv 2103.00112",
};

export interface Comparison {
  readonly board: string;
  readonly model: string;
  readonly kernels: Readonly<Record<string, KernelFigures>>;
  /** Datapaths asked for that the model cannot be rebuilt with, and why (e.g. xnor on an integer ViT block). */
  readonly not_applicable?: Readonly<Record<string, string>>;
  readonly published: typeof PUBLISHED_ADDERNET;
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

/** Whether a build may use DSPs: all but mac-nodsp, the mac build with its multipliers in logic. */
export function kernelUsesDsp(kernel: CompareKernel): boolean {
  return kernel !== "mac-nodsp";
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
