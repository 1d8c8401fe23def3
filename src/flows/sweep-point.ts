/**
 * One point of a design-space sweep: the model refolded (a PE / SIMD cap for every
 * engine) and rebuilt with the point's datapath and width (estimate/energy.ts
 * withDatapath), then the streaming cycle model, the Yosys-fitted estimate, FPGA power
 * and the board fit; optionally Yosys's own counts. Pure but for synthesis, so any
 * process — a pool thread, a worker on another machine — computes the same figures.
 */
import { createHash } from "node:crypto";
import { engineConv, isEngineLayer, Layer, Model, reductionLength } from "../ir/model.js";
import { Board, loadBoard } from "../ir/board.js";
import { hashModel, loadModel } from "../ir/load.js";
import { datapathRebuildBlocker, withDatapath } from "../estimate/energy.js";
import { estimateModel } from "../estimate/model.js";
import { estimatePower } from "../estimate/power.js";
import { predictStreaming } from "./predict.js";
import { fitVerdict } from "./fit.js";
import { synthesize } from "../synth/index.js";
import type { SharedResultStore } from "../synth/cache.js";
import { isOnnxPath, loadOnnxModel } from "../frontend/onnx/load.js";
import { verifyModel } from "../verify/index.js";
import { packageVersion } from "../util/paths.js";
import type { SweepFigures, SweepPoint, SweepProof, SweepResources } from "../report/sweep-types.js";

/** A point's figures, why the model cannot be rebuilt for it, or a user error met on the way (plain data: it crosses threads and machines). */
export type PointOutcome =
  | { readonly figures: SweepFigures }
  | { readonly notApplicable: string }
  | { readonly inputError: { readonly file?: string; readonly path: string; readonly problem: string; readonly hint: string } };

/** What a pool thread or a remote worker is given: the model by path (and hash, to check it is the same file), the point. */
export interface PointTask {
  readonly modelFile: string;
  readonly modelHash: string;
  readonly point: SweepPoint;
  readonly synth: boolean;
  /** With --verify: the proof's seeded vectors, and the folder to leave the point's design in (absolute; relative name for the JSON). */
  readonly verify?: { readonly vectors: number; readonly seed: number; readonly dir: string; readonly designDir: string };
}

/** A model file as the CLI reads it: our JSON, or an .onnx imported in memory. */
export function loadSweepModel(file: string): Model {
  return isOnnxPath(file) ? loadOnnxModel(file).model : loadModel(file);
}

/** Content address of a point: the same model, point, synthesis choice and quantrtl version give the same id on every machine. */
export function pointId(modelHash: string, point: SweepPoint, synth: boolean, proof?: { vectors: number; seed: number }): string {
  const parts: unknown[] = [packageVersion(), modelHash, point.board, point.datapath, point.bits, point.pe, point.simd, synth];
  // a proof's settings join the address only when there is a proof: the ids of plain points stay as they were
  if (proof) parts.push(proof.vectors, proof.seed);
  const key = JSON.stringify(parts);
  return createHash("sha256").update(key).digest("hex").slice(0, 32);
}

/** The datapath and operand width of a model whose engines all share one; undefined when they differ. */
export function modelDatapath(model: Model): { datapath: SweepPoint["datapath"]; bits: number } | undefined {
  const engines = model.layers.filter(isEngineLayer);
  if (engines.length === 0) return undefined;
  const [first] = engines;
  const same = engines.every((l) => l.datapath === first.datapath && l.weightBits === first.weightBits);
  return same ? { datapath: first.datapath, bits: first.weightBits } : undefined;
}

/** Whether the point keeps the model's own datapath and width (its trained weights); any other point is a rebuild. */
export function keepsOwnDatapath(model: Model, point: SweepPoint): boolean {
  const own = modelDatapath(model);
  return own !== undefined && own.datapath === point.datapath && own.bits === point.bits;
}

/** The model of one point (undefined + reason when the rebuild is blocked): its own datapath and width are kept as they are. */
export function pointModel(model: Model, point: SweepPoint): { model: Model } | { notApplicable: string } {
  let rebuilt = model;
  if (!keepsOwnDatapath(model, point)) {
    const blocker = datapathRebuildBlocker(model, point.datapath, point.bits);
    if (blocker) return { notApplicable: blocker };
    rebuilt = withDatapath(model, point.datapath, point.bits);
  }
  // the caps: an engine with fewer output channels (a shorter reduction) than asked takes all of them
  const layers = rebuilt.layers.map((l): Layer => {
    if (!isEngineLayer(l) || (point.pe === null && point.simd === null)) return l;
    const conv = engineConv(l);
    const pe = point.pe === null ? l.arch.pe : Math.min(point.pe, conv.output.channels);
    const simd = point.simd === null ? l.arch.simd : Math.min(point.simd, reductionLength(conv));
    return { ...l, arch: { pe, simd } };
  });
  const folded = { name: rebuilt.name, description: rebuilt.description, input: rebuilt.input, layers };
  return { model: { ...folded, ...(rebuilt.metadata ? { metadata: rebuilt.metadata } : {}), file: model.file, hash: hashModel(folded) } };
}

/** Power and fit from resources (estimate or synthesis): the figures of a point. */
function costFigures(
  resources: SweepResources & { carry?: number },
  board: Board,
): Pick<SweepFigures, "lut" | "ff" | "dsp" | "bramBits" | "powerW" | "fits" | "over"> {
  const fit = fitVerdict(resources, board);
  return {
    lut: resources.lut,
    ff: resources.ff,
    dsp: resources.dsp,
    bramBits: resources.bramBits,
    powerW: estimatePower(resources, board).totalW,
    fits: fit.fits,
    over: fit.over,
  };
}

/** The cycle model and the Yosys-fitted estimate of a point (no synthesis): synchronous, for a pool thread. */
export function estimatePoint(model: Model, point: SweepPoint): PointOutcome {
  const built = pointModel(model, point);
  if ("notApplicable" in built) return built;
  const board = loadBoard(point.board);
  const perf = predictStreaming(built.model, board);
  const estimate = estimateModel(built.model, board).total;
  return {
    figures: {
      cycles: perf.total.latencyCycles,
      intervalCycles: perf.total.intervalCycles,
      framesPerSecond: perf.total.framesPerSecond,
      exact: perf.exact,
      ...costFigures(estimate, board),
      source: "estimate",
    },
  };
}

/** The point's figures with Yosys's resources in place of the estimate (which stays beside them). */
export async function synthesizePoint(
  model: Model,
  point: SweepPoint,
  figures: SweepFigures,
  onProgress?: (m: string) => void,
  shared?: SharedResultStore,
): Promise<SweepFigures> {
  const built = pointModel(model, point);
  if ("notApplicable" in built) return figures;
  const board = loadBoard(point.board);
  const s = await synthesize(built.model, board, onProgress, shared ? { shared } : {});
  const estimate = { lut: figures.lut, ff: figures.ff, dsp: figures.dsp, bramBits: figures.bramBits };
  return { ...figures, ...costFigures({ lut: s.lut, ff: s.ff, dsp: s.dsp, bramBits: s.bramBits, carry: s.carry }, board), source: "synthesis", estimate };
}

/** The bit-exact proof of the point's RTL in Verilator; the design, vectors and logs stay in `verify.dir`. */
export async function provePoint(
  model: Model,
  point: SweepPoint,
  verify: NonNullable<PointTask["verify"]>,
  onProgress?: (m: string) => void,
): Promise<SweepProof | undefined> {
  const built = pointModel(model, point);
  if ("notApplicable" in built) return undefined;
  const r = await verifyModel(built.model, { sim: "verilator", vectors: verify.vectors, seed: verify.seed, out: verify.dir, onProgress });
  const first = r.mismatches[0];
  return {
    sim: "verilator",
    vectors: r.vectors,
    seed: verify.seed,
    backpressure: r.backpressure,
    bitExact: r.bitExact,
    lintClean: r.lint === "",
    compared: r.compared,
    matched: r.matched,
    cycles: r.cycles,
    ...(first
      ? {
          firstMismatch: `${first.kind} at layer ${first.layer}, vector ${first.vector}, word ${first.index}, cycle ${first.cycle}: expected ${first.expected}, got ${first.actual}`,
        }
      : r.lint !== ""
        ? { firstMismatch: `lint: ${r.lint.split("\n")[0]}` }
        : {}),
    designDir: verify.designDir,
  };
}
