/**
 * Verification: golden vectors -> generated RTL -> lint -> simulator with random
 * back-pressure -> word-by-word comparison. A design passes only when every word
 * matches and `verilator --lint-only -Wall` is silent.
 */
import { cachedProof, proofKey, storeProof } from "./proof-cache.js";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engineConv, IntTensor, isEngineLayer, Layer, Model, tensorSize } from "../ir/model.js";
import { VectorFiles, writeDesignFiles, writeVectors } from "../codegen/write.js";
import { Design, generateDesign } from "../codegen/design.js";
import { idealCycles } from "../ir/folding.js";
import { runGolden } from "../hw/golden/network.js";
import { randomTensor } from "../ir/inputs.js";
import { packageVersion } from "../util/paths.js";
import { makeTempDir, removeDir, stageDir } from "../util/atomic.js";
import type { OutputOptions } from "../util/output.js";
import { forgetFolder } from "../util/interrupt.js";
import { wordCount } from "../codegen/vectors.js";
import { HarnessResult, HarnessRun, HarnessTap, Simulator } from "./harness.js";
import { modelWeightLoadImage } from "../codegen/weight-load.js";
import { MismatchReport, runDifferences } from "./verdict.js";
import { copyRtl, readFileList, resolveRtlDir, topTapLayers } from "./user-rtl.js";
import { lintVerilator, verilatorSimulator } from "./verilator.js";
import { icarusSimulator } from "./icarus.js";
import { simulateStream, StreamRun } from "../perf/streaming.js";
import { unitFrameCycles } from "../hw/layers/index.js";
import { fileLines, readHead, ToggleStats, vcdTimescale, vcdToggleRate } from "./toggles.js";

export type SimulatorName = "verilator" | "icarus";

/**
 * The toggle-rate trace stops at this VCD size (Verilator): a DeiT block's one frame
 * writes ≈ 15 GB of VCD; its first cycles give the rate at a bounded cost, and the
 * statistics say how many cycles of the run they cover.
 */
/** One proof run, or the recorded result of an identical one (only when asked). */
async function runOrReuse(sim: Simulator, h: HarnessRun, useCache: boolean, progress: (m: string) => void): Promise<HarnessResult> {
  const key = useCache ? proofKey(sim.name, h) : undefined;
  const hit = key ? cachedProof(key) : undefined;
  if (hit) {
    progress(`${sim.name}: the same RTL, vectors and settings were proven before: reusing that run's result (proof cache ${key})`);
    return hit;
  }
  const result = await sim.run(h);
  if (key && !result.timeout) storeProof(key, result);
  return result;
}

export const TOGGLE_VCD_MAX_BYTES = 256 * 2 ** 20;

const formatMiB = (bytes: number) => `${+(bytes / 2 ** 20).toFixed(2)} MiB`;

export interface VerifyOptions {
  readonly sim?: SimulatorName;
  readonly vectors?: number;
  readonly seed?: number;
  /** Probability of a stall cycle on each stream (0 = none). */
  readonly backpressure?: number;
  /** Output folder (written atomically). Without it a temporary folder is used and removed on success. */
  readonly out?: string;
  /** How `out` may be replaced (util/output.ts): --force, the model file to protect, the flag to name. */
  readonly outOptions?: OutputOptions;
  /** Explicit inputs (otherwise `vectors` seeded random tensors). */
  readonly inputs?: readonly IntTensor[];
  /** Also trace the run (VCD) and measure the toggle rate of the design's signals, for the power model. */
  readonly measureToggles?: boolean;
  /**
   * Reuse the result of an identical earlier run (verify/proof-cache.ts: same simulator version, RTL,
   * vectors and settings) instead of simulating again. `build` asks for it; `quantrtl verify` always simulates.
   */
  readonly proofCache?: boolean;
  /** Verilator: build with trace support (the cached build then also serves a later toggle-rate run of the same design). */
  readonly tracedBuild?: boolean;
  /** The toggle trace's size bound (default TOGGLE_VCD_MAX_BYTES). */
  readonly toggleVcdMaxBytes?: number;
  /** Test hook: changes the expected words before they are written (proves the checker can fail). */
  readonly tamperExpected?: (words: IntTensor[]) => IntTensor[];
  /** Which layer's expected words tamperExpected changes (default: the last). */
  readonly tamperLayer?: number;
  /**
   * Check this RTL instead of generating it (`verify --rtl DIR`): a folder as gen
   * writes it or its rtl folder (user-rtl.ts). Taps the top does not declare are
   * not observed; the output always is.
   */
  readonly rtl?: string;
  readonly onProgress?: (message: string) => void;
}

export type { MismatchReport } from "./verdict.js";

export interface LayerCheck {
  readonly name: string;
  readonly compared: number;
  readonly matched: number;
  /** Whether this layer's stream is compared directly (a tap, or the last layer) or only through the final output. */
  readonly tapped: boolean;
  /** Golden words of this layer's stream (0 when not tapped). */
  readonly expectedWords: number;
  readonly idealCyclesPerVector: number;
}

export interface VerifyReport {
  readonly sim: SimulatorName;
  readonly model: string;
  readonly modelHash: string;
  readonly generator: string;
  readonly vectors: number;
  readonly compared: number;
  readonly matched: number;
  readonly expectedWords: number;
  readonly cycles: number;
  /** First input to the last golden word on any observed stream (≥ cycles: a layer in front of a pool that drops rows is still emitting after the output finished). */
  readonly drainCycles: number;
  readonly frameCycles: readonly number[];
  readonly idealCyclesPerVector: number;
  /** The streaming model's prediction for the same vectors without stalls (exact at backpressure 0). */
  readonly predicted: StreamRun;
  readonly backpressure: number;
  readonly lint: string;
  readonly bitExact: boolean;
  readonly timeout: boolean;
  readonly layers: readonly LayerCheck[];
  /** Every difference, first divergent layer (in graph order) first; empty if and only if bit-exact and lint clean. */
  readonly mismatches: readonly MismatchReport[];
  /** The RTL folder checked with `rtl` (undefined: generated by this run). */
  readonly rtl?: string;
  /** Measured toggle rate (bit changes per bit per cycle), when asked and bit-exact. */
  readonly toggles?: ToggleStats;
  /**
   * The final layer's words of each vector as the RTL produced them — present only
   * when bit-exact, where every received word equalled the golden word it was
   * compared with, so these are the golden words.
   */
  readonly outputs?: readonly (readonly number[])[];
  /** Where the design, vectors and logs were left (undefined when a temporary folder was removed). */
  readonly outDir?: string;
}

function notSimulated(expectedWords: number): HarnessResult {
  return {
    compared: 0,
    matched: 0,
    expectedWords,
    inputsConsumed: 0,
    cycles: 0,
    drainCycles: 0,
    extraCycle: -1,
    simCycles: 0,
    timeout: false,
    frameCycles: [],
    mismatches: [],
  };
}

const SIMULATORS: Record<SimulatorName, Simulator> = { verilator: verilatorSimulator, icarus: icarusSimulator };

/**
 * Generates the RTL (or takes `options.rtl`), simulates it on golden vectors in Verilator or
 * Icarus and compares every word of every observed layer with the golden model.
 * @param options - simulator, vectors or explicit inputs, back-pressure, seed, output folder
 * @returns the verdict (`bitExact`), the words compared, the cycles measured and predicted
 * @throws ToolError when the simulator is missing or fails; QuantrtlError for invalid options
 */
export async function verifyModel(model: Model, options: VerifyOptions = {}): Promise<VerifyReport> {
  const simName = options.sim ?? "verilator";
  const sim = SIMULATORS[simName];
  const seed = options.seed ?? 1;
  const stall = options.backpressure ?? 0.25;
  const progress = options.onProgress ?? (() => undefined);
  const inputs = options.inputs ?? Array.from({ length: options.vectors ?? 1 }, (_, v) => randomTensor(model.input, seed * 1000 + v));
  const lastLayer = model.layers[model.layers.length - 1];

  progress(`golden: ${inputs.length} vector(s) through ${model.layers.length} layer(s)`);
  const staged = options.out ? stageDir(options.out, { ...options.outOptions, owner: { model: model.name, modelHash: model.hash } }) : undefined;
  const work = staged?.path ?? makeTempDir("quantrtl-verify-");
  try {
    let tampered: { layer: number; tensors: IntTensor[] } | undefined;
    if (options.tamperExpected) {
      const layer = options.tamperLayer ?? model.layers.length - 1;
      const golden = inputs.map((x) => runGolden(model, x).layers[layer]);
      tampered = { layer, tensors: options.tamperExpected(golden.map((t) => ({ ...t, data: Int32Array.from(t.data) }))) };
    }
    const rtlDir = join(work, "rtl");
    const userRtl = options.rtl !== undefined ? resolveRtlDir(options.rtl) : undefined;
    let design: Design;
    let vectors: VectorFiles;
    let sources: readonly string[];
    let tapped: (layer: number) => boolean = () => true;
    if (userRtl) {
      // the design generated in memory only names the top and the taps it would have; the RTL is the user's
      design = generateDesign(model, { taps: true });
      copyRtl(userRtl, rtlDir);
      sources = readFileList(rtlDir);
      const present = topTapLayers(rtlDir, sources, design.topModule);
      tapped = (layer) => present.has(layer);
      vectors = writeVectors(work, model, inputs, tampered);
      progress(`checking the RTL in ${userRtl} (top ${design.topModule}, taps of ${present.size} of ${design.taps.length} inner layers)`);
    } else {
      ({ design, ...vectors } = writeDesignFiles(work, model, inputs, tampered, { taps: true }));
      sources = design.sources;
    }
    const { inputFile, expectedFiles, traces } = vectors;
    // a stream must carry exactly the words of its golden file (a test may have changed their number)
    const taps: HarnessTap[] = design.taps
      .filter((t) => tapped(t.layer))
      .map((t) => ({ layer: t.layer, bits: t.bits, file: expectedFiles[t.layer], count: wordCount(expectedFiles[t.layer]) }));
    const expectFile = expectedFiles[expectedFiles.length - 1];
    const outCount = wordCount(expectFile);
    mkdirSync(join(work, "sim"), { recursive: true });

    progress("verilator --lint-only -Wall");
    const lint = await lintVerilator(rtlDir, sources, design.topModule);
    writeFileSync(join(work, "sim", "lint.log"), lint + "\n");

    // loadable weight RAMs (SPRAM) start empty: the harness sends their load image first, from rtl/ (the proof cache hashes it there)
    const image = design.weightLoad.length > 0 ? modelWeightLoadImage(model) : undefined;
    if (image) writeFileSync(join(rtlDir, "weight_load.hex"), Array.from(image, (b) => b.toString(16).padStart(2, "0")).join("\n") + "\n");
    const frameIn = model.input.height * model.input.width * model.input.channels;
    const frameOut = lastLayer.output.height * lastLayer.output.width * lastLayer.output.channels;
    const layerFrames = model.layers.map(layerIdealCycles);
    const ideal = Math.max(0, ...layerFrames);
    const slowdown = 1 / Math.max(0.05, 1 - stall);
    const harness = {
      rtlDir,
      sources,
      top: design.topModule,
      inputFile,
      expectFile,
      inCount: frameIn * inputs.length,
      outCount,
      inBits: design.inBits,
      outBits: design.outBits,
      frameIn,
      frameOut,
      stall,
      seed,
      // generous deadlock guard: 8× the work at full stall, plus fill
      maxCycles: Math.ceil((ideal + frameIn + frameOut) * inputs.length * 8 * slowdown) + 100_000,
      // after the last output word, each layer has at most one frame of its own work left (cycle model of
      // each unit, src/hw/units/<unit>/timing.ts): twice the sum of them at the stall rate, plus margin
      drainCycles: Math.ceil(2 * (layerFrames.reduce((a, b) => a + b, 0) + frameIn + frameOut) * slowdown) + 1000,
      // words past a golden count are looked for during one frame time of the slowest layer (capped: a proof of
      // a long single frame would otherwise take twice as long)
      settleCycles: Math.min(65_536, Math.ceil(ideal * slowdown)) + 64,
      expectedCycles: (ideal + frameIn + frameOut) * inputs.length,
      taps,
      ...(image ? { load: { file: "weight_load.hex", count: image.length } } : {}),
      onProgress: progress,
    };
    // Verilator measures toggles on the proof run itself: one traced build, one run, the trace stopped when
    // every stream has its golden words (the settle window after it is idle and would dilute the rate)
    const activityVcd = join(work, "sim", "activity.vcd");
    const vcdMaxBytes = options.toggleVcdMaxBytes ?? TOGGLE_VCD_MAX_BYTES;
    const traceProof = options.measureToggles === true && simName === "verilator" && lint === "";
    if (traceProof) progress(`tracing the run for toggle rates (${activityVcd}, at most ${formatMiB(vcdMaxBytes)})`);
    // a design that does not lint clean has failed already; do not simulate it
    const result: HarnessResult =
      lint !== ""
        ? notSimulated(outCount)
        : traceProof
          ? await sim.run({ ...harness, vcd: activityVcd, vcdMaxBytes, vcdStopAtDone: true })
          : await runOrReuse(sim, { ...harness, tracedBuild: options.tracedBuild }, options.proofCache === true, progress);
    writeFileSync(join(work, "sim", `${simName}.json`), JSON.stringify(result, null, 2) + "\n");

    // every difference (values, missing and extra words) of every observed stream, first divergent layer first
    const tapResults = result.taps ?? [];
    const mismatches: MismatchReport[] = lint === "" ? runDifferences(model, taps, result) : [];
    const bitExact = lint === "" && mismatches.length === 0;
    if (mismatches.length > 0) {
      const vcd = join(work, "sim", "mismatch.vcd");
      progress(`mismatch: re-running with a VCD trace (${vcd})`);
      await sim.run({ ...harness, vcd });
      mismatches[0] = { ...mismatches[0], vcd: staged ? vcd.replace(staged.path, options.out!) : vcd };
    }
    let toggles: ToggleStats | undefined;
    if (options.measureToggles && bitExact) {
      let traced = result;
      if (!traceProof) {
        // Icarus: a second run, traced, without the settle window
        progress(`tracing the run for toggle rates (${activityVcd})`);
        traced = await sim.run({ ...harness, vcd: activityVcd, settleCycles: 0 });
      }
      // the header (with $timescale) is in the first lines; the whole file may exceed V8's longest string
      const head = readHead(activityVcd, 1 << 16);
      // the Verilator harness advances 10 time units per clock; the Icarus testbench a 10 ns period
      const rate = vcdToggleRate(fileLines(activityVcd), simName === "verilator" ? 10 : 10e-9 / vcdTimescale(head));
      toggles = traced.vcdCut ? { ...rate, runCycles: traced.simCycles } : rate;
    }
    rmSync(activityVcd, { force: true });
    const layers: LayerCheck[] = model.layers.map((l, i) => {
      const last = i === model.layers.length - 1;
      const n = taps.findIndex((t) => t.layer === i);
      const tap = n >= 0 ? tapResults[n] : undefined;
      return {
        name: l.name,
        compared: last ? result.compared : (tap?.compared ?? 0),
        matched: last ? result.matched : (tap?.matched ?? 0),
        tapped: last || n >= 0,
        expectedWords: last ? outCount : n >= 0 ? taps[n].count : 0,
        idealCyclesPerVector: layerIdealCycles(l),
      };
    });
    const report: VerifyReport = {
      sim: simName,
      model: model.name,
      modelHash: model.hash,
      generator: `quantrtl ${packageVersion()}`,
      vectors: inputs.length,
      compared: result.compared,
      matched: result.matched,
      expectedWords: outCount,
      cycles: result.cycles,
      drainCycles: result.drainCycles,
      frameCycles: result.frameCycles,
      idealCyclesPerVector: ideal,
      predicted: simulateStream(model, inputs.length),
      backpressure: stall,
      lint,
      bitExact,
      timeout: result.timeout,
      layers,
      mismatches,
      ...(userRtl ? { rtl: userRtl } : {}),
      ...(toggles ? { toggles } : {}),
      ...(bitExact ? { outputs: traces.map((t) => Array.from(t.layers[model.layers.length - 1].data)) } : {}),
      outDir: options.out ?? (bitExact ? undefined : work),
    };
    writeFileSync(join(work, "sim", "report.json"), JSON.stringify(report, null, 2) + "\n");
    if (staged) staged.commit();
    else if (bitExact) removeDir(work);
    else forgetFolder(work); // kept for the engineer: the report names it
    return report;
  } catch (err) {
    if (staged) {
      staged.discard();
      throw staged.explain(err);
    }
    removeDir(work);
    throw err;
  }
}

/**
 * Ideal cycles of one frame: engines by their folding, the integer ViT units by their
 * phase lengths, the other layers by their one-element-per-cycle input.
 */
export function layerIdealCycles(layer: Layer): number {
  return isEngineLayer(layer) ? idealCycles(engineConv(layer)) : (unitFrameCycles(layer) ?? Math.max(tensorSize(layer.input), tensorSize(layer.output)));
}
