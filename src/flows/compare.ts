/**
 * Datapath comparison: the same network — same shapes, same folding — built
 * with each kernel, and its cost side by side with the AdderNet hardware paper's
 * published reductions (arXiv 2101.10015). Figures come from synthesis when
 * asked (and Fmax from nextpnr on iCE40), else from the Yosys-fitted estimate;
 * every row says which.
 */
import { Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { hashModel } from "../ir/load.js";
import { Resources } from "../estimate/resources.js";
import { estimateModel } from "../estimate/model.js";
import { estimatePower } from "../estimate/power.js";
import { energyPerInference, withDatapath } from "../estimate/energy.js";
import { predictStreaming } from "./predict.js";
import { synthesize } from "../synth/index.js";
import { placeAndRoute } from "../synth/nextpnr.js";
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
  source: "AdderNet hardware, arXiv 2101.10015",
};

export interface Comparison {
  readonly board: string;
  readonly model: string;
  readonly kernels: Readonly<Record<string, KernelFigures>>;
  readonly published: typeof PUBLISHED_ADDERNET;
}

export function parseKernels(list: string): CompareKernel[] {
  const kernels = list.split(",").map((k) => k.trim()).filter((k) => k !== "");
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

/** The model rebuilt for one kernel (mac-nodsp is the mac build synthesized without DSPs). */
export function variantOf(model: Model, kernel: CompareKernel): Model {
  const v = withDatapath(model, kernel === "mac-nodsp" ? "mac" : kernel);
  return { ...v, hash: hashModel(v) };
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

export const CYCLES_BOUND_NOTE = "cycles: ≤ marks an upper bound (the sum of the layers' frame times): the design is too large for the cycle-exact model to step (quantrtl sim reports the same bounds)";

/**
 * The same network and folding built with each datapath: resources (estimate, or Yosys with
 * `synth`), Fmax, power, energy per inference and cycles, beside the published AdderNet figures.
 */
export async function compareKernels(
  model: Model,
  board: Board,
  kernels: readonly CompareKernel[],
  options: { synth?: boolean; onProgress?: (m: string) => void } = {},
): Promise<Comparison> {
  const out: Record<string, KernelFigures> = {};
  for (const kernel of kernels) {
    const variant = variantOf(model, kernel);
    const useDsp = kernelUsesDsp(kernel);
    const perf = predictStreaming(variant, board);
    const cycles = perf.total.latencyCycles;
    const energy_j = energyPerInference(variant).energyPicojoules.total * 1e-12;
    const estimate: Resources = estimateModel(variant, board, { useDsp }).total;
    let resources = estimate;
    let carry: number | undefined;
    let source: KernelFigures["source"] = "estimate";
    let fmax_mhz: number | null = null;
    let note: string | undefined = options.synth ? undefined : "Fmax needs --synth";
    if (options.synth) {
      options.onProgress?.(`compare: synthesizing the ${kernel} build`);
      const s = await synthesize(variant, board, options.onProgress, { useDsp });
      resources = { lut: s.lut, ff: s.ff, dsp: s.dsp, bramBits: s.bramBits };
      carry = s.carry;
      source = "synthesis";
      if (board.yosysFamily === "ice40") {
        try {
          fmax_mhz = (await placeAndRoute(variant, board, options.onProgress, { useDsp })).fmaxMHz;
          if (s.dsp > 0) note = DSP_FMAX_CAVEAT;
        } catch (err) {
          if (!(err instanceof QuantrtlError)) throw err;
          note = err.problem;
        }
      } else {
        note = "Fmax is measured on iCE40 boards (nextpnr-ice40)";
      }
    }
    const power = estimatePower({ lut: resources.lut, ff: resources.ff, dsp: resources.dsp, bramBits: resources.bramBits, carry }, board);
    out[kernel] = {
      lut: resources.lut,
      ff: resources.ff,
      dsp: resources.dsp,
      bram_bits: resources.bramBits,
      fmax_mhz,
      power_w: power.totalW,
      energy_j,
      cycles,
      ...(perf.exact ? {} : { cycles_bound: true as const }),
      source,
      ...(source === "synthesis" ? { estimate: { lut: estimate.lut, ff: estimate.ff, dsp: estimate.dsp, bram_bits: estimate.bramBits } } : {}),
      ...(note ? { note } : {}),
    };
  }
  return { board: board.name, model: model.name, kernels: out, published: PUBLISHED_ADDERNET };
}
