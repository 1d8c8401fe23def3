/**
 * Folding choice: pe/simd per layer so that the pipeline is balanced (the slowest
 * engine sets the pace) within the board's resources. Greedy: start fully folded,
 * then repeatedly widen the slowest engine (next divisor of K for SIMD, else next
 * divisor of Cout for PE — divisors leave no idle lanes) while the design still
 * fits and the target is not met. Costs come from the Yosys-fitted resource model.
 */
import { Conv2dLayer, EngineLayer, engineConv, Folding, isEngineLayer, Layer, Model, reductionLength } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { estimateEngine, fits, sumResources } from "../estimate/resources.js";
import { estimateModel, estimateUnits } from "../estimate/model.js";
import { boundInterval } from "./predict.js";
import { QuantrtlError } from "../util/errors.js";
import { hashModel } from "../ir/load.js";

export type FoldTarget = { readonly kind: "max" } | { readonly kind: "fps"; readonly fps: number };

export interface FoldChoice {
  readonly model: Model;
  readonly folding: readonly Folding[];
  /** Analytical interval of the slowest engine (the streaming model refines it). */
  readonly boundIntervalCycles: number;
  readonly reason: string;
}

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

function widen(layer: Conv2dLayer): Folding | undefined {
  const K = reductionLength(layer);
  const nextSimd = divisors(K).find((d) => d > layer.arch.simd);
  if (nextSimd !== undefined) return { pe: layer.arch.pe, simd: nextSimd };
  const nextPe = divisors(layer.output.channels).find((d) => d > layer.arch.pe);
  return nextPe !== undefined ? { pe: nextPe, simd: layer.arch.simd } : undefined;
}

/**
 * Chooses pe/simd per engine layer: the highest throughput that fits `maxFraction` of the board,
 * or (target `fps`) the least hardware that reaches the frame rate.
 * @returns the refolded model and why this folding was chosen
 */
export function chooseFolding(
  model: Model,
  board: Board,
  target: FoldTarget,
  maxFraction = 0.8,
  /** How a candidate's memories are placed before it is costed (flows/spram.ts on a board with SPRAM); absent: as folded. */
  place?: (m: Model) => Model,
): FoldChoice {
  // only the engines (conv, dense) fold; the other layers stream one element per cycle
  const engineAt = model.layers.flatMap((l, i) => (isEngineLayer(l) ? [i] : []));
  let all: Layer[] = model.layers.map((l) => (isEngineLayer(l) ? { ...l, arch: { pe: 1, simd: 1 } } : l));
  const enginesOf = (ls: readonly Layer[]) => engineAt.map((i) => engineConv(ls[i] as EngineLayer));
  const refold = (ls: readonly Layer[], at: number, arch: Folding): Layer[] => ls.map((l, i) => (i === engineAt[at] ? ({ ...l, arch } as Layer) : l));
  let layers = enginesOf(all);
  const goal = target.kind === "fps" ? (board.clockMHz * 1e6) / target.fps : 0;
  // the units outside the engines (FIFOs, pools, ViT units, …) do not fold: a constant share
  const unitShare = sumResources(estimateUnits(model, board));
  const resourcesOf = (ls: Conv2dLayer[]) => sumResources([...ls.map((l) => estimateEngine(l, board)), unitShare]);
  // with a placement, the whole placed model is costed (it may change the units too: a pool's lanes)
  const fitsLayers = (ls: readonly Layer[]) =>
    place ? fits(estimateModel(place({ ...model, layers: ls }), board).total, board, maxFraction) : fits(resourcesOf(enginesOf(ls)), board, maxFraction);
  if (!fitsLayers(all)) {
    throw new QuantrtlError(
      undefined,
      "--board",
      `even fully folded (pe = simd = 1) the model does not fit ${board.name} (Yosys-fitted estimate, ${Math.round(maxFraction * 100)} % cap)`,
      "choose a larger board",
    );
  }
  let reason = "every engine is fully parallel";
  for (;;) {
    const intervals = layers.map(boundInterval);
    const slowest = intervals.indexOf(Math.max(...intervals));
    const current = intervals[slowest];
    if (target.kind === "fps" && current <= goal) {
      reason = `meets ${target.fps} frames/s`;
      break;
    }
    const layer = layers[slowest];
    const io = Math.max(layer.input.height * layer.input.width * layer.input.channels, layer.output.height * layer.output.width * layer.output.channels);
    if (current <= io) {
      reason = `layer ${layer.name} is bound by its one-element-per-cycle stream (${io} elements/frame)`;
      break;
    }
    const next = widen(layer);
    if (!next) break;
    const candidateAll = refold(all, slowest, next);
    const candidate = enginesOf(candidateAll);
    if (!fitsLayers(candidateAll)) {
      reason = `widening layer ${layer.name} further would exceed ${Math.round(maxFraction * 100)} % of ${board.name}`;
      break;
    }
    layers = candidate;
    all = candidateAll;
  }
  const bound = Math.max(...layers.map(boundInterval));
  if (target.kind === "fps" && bound > goal) {
    const best = (board.clockMHz * 1e6) / bound;
    throw new QuantrtlError(
      undefined,
      "--fps",
      `${target.fps} frames/s is not reachable on ${board.name} at ${board.clockMHz} MHz (${reason})`,
      `ask for at most ${best.toFixed(1)} frames/s, or a larger board`,
    );
  }
  const folded = { name: model.name, description: model.description, input: model.input, layers: all };
  // the metadata (input scale, float model) stays: a folded model still reads the same dataset
  return {
    model: { ...folded, ...(model.metadata ? { metadata: model.metadata } : {}), file: model.file, hash: hashModel(folded) },
    folding: layers.map((l) => l.arch),
    boundIntervalCycles: bound,
    reason,
  };
}
