/**
 * Datapath comparison: the same network — same shapes, same folding — built
 * with each kernel, and its cost side by side with the AdderNet hardware paper's
 * published reductions (arXiv 2103.00112). Figures come from synthesis when
 * asked (and Fmax from nextpnr on iCE40), else from the Yosys-fitted estimate;
 * every row says which.
 */
import { Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { hashModel } from "../ir/load.js";
import { Resources } from "../estimate/resources.js";
import { estimateLaneLuts, estimateModel } from "../estimate/model.js";
import { estimatePower } from "../estimate/power.js";
import { datapathRebuildBlocker, energyPerInference, RebuildBits, withDatapath } from "../estimate/energy.js";
import { predictStreaming } from "./predict.js";
import { synthesize } from "../synth/index.js";
import { placeAndRoute } from "../synth/nextpnr.js";
import {
  baselineOf,
  CompareKernel,
  Comparison,
  kernelDatapath,
  KernelFigures,
  kernelUsesDsp,
  DSP_FMAX_CAVEAT,
  PAPER_BASELINE,
  PAPER_KERNEL,
  paperSetting,
  PaperSetting,
  PUBLISHED_ADDERNET,
} from "../estimate/comparison.js";
import { QuantrtlError } from "../util/errors.js";

export * from "../estimate/comparison.js";

/** The model rebuilt for one kernel (a -nodsp kernel is its datapath's build synthesized without DSPs), at 8 bits unless asked. */
export function variantOf(model: Model, kernel: CompareKernel, width: RebuildBits = 8): Model {
  const v = withDatapath(model, kernelDatapath(kernel), width);
  return { ...v, hash: hashModel(v) };
}

/**
 * The paper's setting rebuilt at 16 bits (the paper's other width), from the
 * Yosys-fitted estimate only; undefined when a unit of the model cannot take 16-bit inputs.
 */
function paperSettingAt16(model: Model, board: Board): PaperSetting | undefined {
  const figures: Record<string, KernelFigures> = {};
  for (const kernel of [PAPER_BASELINE, PAPER_KERNEL] as const) {
    if (datapathRebuildBlocker(model, kernelDatapath(kernel), 16)) return undefined;
    const variant = variantOf(model, kernel, 16);
    const estimate = estimateModel(variant, board, { useDsp: false }).total;
    const power = estimatePower({ lut: estimate.lut, ff: estimate.ff, dsp: estimate.dsp, bramBits: estimate.bramBits }, board);
    figures[kernel] = {
      lut: estimate.lut,
      ff: estimate.ff,
      dsp: estimate.dsp,
      bram_bits: estimate.bramBits,
      fmax_mhz: null,
      power_w: power.totalW,
      energy_j: energyPerInference(variant).energyPicojoules.total * 1e-12,
      cycles: predictStreaming(variant, board).total.latencyCycles,
      source: "estimate",
      baseline: baselineOf(kernel),
      datapath_lut: estimateLaneLuts(variant, board, { useDsp: false }),
      static_w: power.staticW,
    };
  }
  return paperSetting(figures);
}

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
  const notApplicable: Record<string, string> = {};
  for (const kernel of kernels) {
    const blocker = datapathRebuildBlocker(model, kernelDatapath(kernel));
    if (blocker) {
      notApplicable[kernel] = blocker;
      options.onProgress?.(`compare: no ${kernel} build: ${blocker}`);
      continue;
    }
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
      baseline: baselineOf(kernel),
      datapath_lut: estimateLaneLuts(variant, board, { useDsp }),
      static_w: power.staticW,
    };
  }
  if (Object.keys(out).length === 0) {
    const [kernel, reason] = Object.entries(notApplicable)[0];
    throw new QuantrtlError(
      undefined,
      "--kernels",
      `no datapath applies to ${model.name} (${kernel}: ${reason})`,
      "choose datapaths whose widths the model's units accept (mac, adder and shift rebuild at 8 bits)",
    );
  }
  return {
    board: board.name,
    model: model.name,
    kernels: out,
    ...(Object.keys(notApplicable).length > 0 ? { not_applicable: notApplicable } : {}),
    published: PUBLISHED_ADDERNET,
    ...paperSettings(model, board, out),
  };
}

/** The paper's setting of the builds (8-bit rebuild), and beside it the same two builds at 16 bits (estimate). */
function paperSettings(
  model: Model,
  board: Board,
  kernels: Readonly<Record<string, KernelFigures>>,
): Pick<Comparison, "paper_setting" | "paper_setting_16bit"> {
  const at8 = paperSetting(kernels);
  if (!at8) return {};
  const at16 = paperSettingAt16(model, board);
  return { paper_setting: at8, ...(at16 ? { paper_setting_16bit: at16 } : {}) };
}
