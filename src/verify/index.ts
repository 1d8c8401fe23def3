/**
 * Verification: golden vectors -> generated RTL -> lint -> simulator with random
 * back-pressure -> word-by-word comparison. A design passes only when every word
 * matches and `verilator --lint-only -Wall` is silent.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engineConv, IntTensor, isEngineLayer, Layer, Model, tensorSize } from "../ir/model.js";
import { writeDesignFiles } from "../codegen/write.js";
import { idealCycles } from "../ir/folding.js";
import { runGolden } from "../hw/golden/network.js";
import { randomTensor } from "../ir/inputs.js";
import { packageVersion } from "../util/paths.js";
import { makeTempDir, removeDir, stageDir } from "../util/atomic.js";
import type { OutputOptions } from "../util/output.js";
import { forgetFolder } from "../util/interrupt.js";
import { wordValue } from "../codegen/vectors.js";
import { HarnessMismatch, HarnessResult, HarnessTap, Simulator } from "./harness.js";
import { lintVerilator, verilatorSimulator } from "./verilator.js";
import { icarusSimulator } from "./icarus.js";
import { simulateStream, StreamRun } from "../perf/streaming.js";
import { unitFrameCycles } from "../hw/layers/timing.js";
import { ToggleStats, vcdTimescale, vcdToggleRate } from "./toggles.js";

export type SimulatorName = "verilator" | "icarus";

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
  /** Test hook: changes the expected words before they are written (proves the checker can fail). */
  readonly tamperExpected?: (words: IntTensor[]) => IntTensor[];
  /** Which layer's expected words tamperExpected changes (default: the last). */
  readonly tamperLayer?: number;
  readonly onProgress?: (message: string) => void;
}

export interface LayerCheck {
  readonly name: string;
  readonly compared: number;
  readonly matched: number;
  /** Whether this layer's stream is compared directly (the last layer) or through the final output. */
  readonly tapped: boolean;
  readonly idealCyclesPerVector: number;
}

export interface MismatchReport {
  readonly layer: string;
  readonly vector: number;
  readonly index: number;
  readonly position: { readonly y: number; readonly x: number; readonly c: number };
  readonly cycle: number;
  readonly expected: number;
  readonly actual: number;
  readonly vcd?: string;
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
  readonly frameCycles: readonly number[];
  readonly idealCyclesPerVector: number;
  /** The streaming model's prediction for the same vectors without stalls (exact at backpressure 0). */
  readonly predicted: StreamRun;
  readonly backpressure: number;
  readonly lint: string;
  readonly bitExact: boolean;
  readonly timeout: boolean;
  readonly layers: readonly LayerCheck[];
  readonly mismatches: readonly MismatchReport[];
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
  return { compared: 0, matched: 0, expectedWords, inputsConsumed: 0, cycles: 0, simCycles: 0, timeout: false, frameCycles: [], mismatches: [] };
}

const SIMULATORS: Record<SimulatorName, Simulator> = { verilator: verilatorSimulator, icarus: icarusSimulator };

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
    const { design, inputFile, expectedFiles, traces } = writeDesignFiles(work, model, inputs, tampered, { taps: true });
    const taps: HarnessTap[] = design.taps.map((t) => ({ layer: t.layer, bits: t.bits, file: expectedFiles[t.layer], count: tensorSize(model.layers[t.layer].output) * inputs.length }));
    const expectFile = expectedFiles[expectedFiles.length - 1];
    mkdirSync(join(work, "sim"), { recursive: true });

    const rtlDir = join(work, "rtl");
    progress("verilator --lint-only -Wall");
    const lint = await lintVerilator(rtlDir, design.sources, design.topModule);
    writeFileSync(join(work, "sim", "lint.log"), lint + "\n");

    const frameIn = model.input.height * model.input.width * model.input.channels;
    const frameOut = lastLayer.output.height * lastLayer.output.width * lastLayer.output.channels;
    const ideal = model.layers.reduce((s, l) => Math.max(s, layerIdealCycles(l)), 0);
    const harness = {
      rtlDir,
      sources: design.sources,
      top: design.topModule,
      inputFile,
      expectFile,
      inCount: frameIn * inputs.length,
      outCount: frameOut * inputs.length,
      inBits: design.inBits,
      outBits: design.outBits,
      frameIn,
      frameOut,
      stall,
      seed,
      // generous deadlock guard: 8× the work at full stall, plus fill
      maxCycles: Math.ceil((ideal + frameIn + frameOut) * inputs.length * 8 / Math.max(0.05, 1 - stall)) + 100_000,
      expectedCycles: (ideal + frameIn + frameOut) * inputs.length,
      taps,
      onProgress: progress,
    };
    // a design that does not lint clean has failed already; do not simulate it
    const result: HarnessResult = lint !== "" ? notSimulated(frameOut * inputs.length) : await sim.run(harness);
    writeFileSync(join(work, "sim", `${simName}.json`), JSON.stringify(result, null, 2) + "\n");

    // mismatches of every tapped layer and of the output, first divergent layer (in graph order) first
    const tapResults = result.taps ?? [];
    const located = (layerIndex: number, list: readonly HarnessMismatch[]) => list.map((m) => locateMismatch(model.layers[layerIndex], m));
    const mismatches: MismatchReport[] = [
      ...taps.flatMap((t, n) => located(t.layer, tapResults[n]?.mismatches ?? [])),
      ...located(model.layers.length - 1, result.mismatches),
    ];
    const tapsComplete = taps.every((t, n) => tapResults[n] !== undefined && tapResults[n].compared === t.count && tapResults[n].matched === t.count);
    const complete = result.compared === frameOut * inputs.length && !result.timeout;
    const bitExact = complete && tapsComplete && result.matched === result.compared && lint === "";
    if (mismatches.length > 0) {
      const vcd = join(work, "sim", "mismatch.vcd");
      progress(`mismatch: re-running with a VCD trace (${vcd})`);
      await sim.run({ ...harness, vcd });
      mismatches[0] = { ...mismatches[0], vcd: staged ? vcd.replace(staged.path, options.out!) : vcd };
    }
    let toggles: ToggleStats | undefined;
    if (options.measureToggles && bitExact) {
      const vcd = join(work, "sim", "activity.vcd");
      progress(`tracing the run for toggle rates (${vcd})`);
      await sim.run({ ...harness, vcd });
      const text = readFileSync(vcd, "utf8");
      // the Verilator harness advances 10 time units per clock; the Icarus testbench a 10 ns period
      toggles = vcdToggleRate(text, simName === "verilator" ? 10 : 10e-9 / vcdTimescale(text));
      rmSync(vcd, { force: true });
    }
    const layers: LayerCheck[] = model.layers.map((l, i) => {
      const last = i === model.layers.length - 1;
      const n = taps.findIndex((t) => t.layer === i);
      const tap = n >= 0 ? tapResults[n] : undefined;
      return {
        name: l.name,
        compared: last ? result.compared : (tap?.compared ?? 0),
        matched: last ? result.matched : (tap?.matched ?? 0),
        tapped: last || tap !== undefined,
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
      expectedWords: frameOut * inputs.length,
      cycles: result.cycles,
      frameCycles: result.frameCycles,
      idealCyclesPerVector: ideal,
      predicted: simulateStream(model, inputs.length),
      backpressure: stall,
      lint,
      bitExact,
      timeout: result.timeout,
      layers,
      mismatches,
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

/** A harness mismatch (index into a layer's stream over all vectors) as layer, vector and (y, x, c). */
function locateMismatch(layer: Layer, m: HarnessMismatch): MismatchReport {
  const frame = tensorSize(layer.output);
  const e = m.index % frame;
  const pix = Math.floor(e / layer.output.channels);
  return {
    layer: layer.name,
    vector: Math.floor(m.index / frame),
    index: e,
    position: { y: Math.floor(pix / layer.output.width), x: pix % layer.output.width, c: e % layer.output.channels },
    cycle: m.cycle,
    expected: wordValue(m.expected, layer.output.bits),
    actual: wordValue(m.actual, layer.output.bits),
  };
}
