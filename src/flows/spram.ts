/**
 * Where each engine's weights live on a board with iCE40 UltraPlus SPRAM (4 × SB_SPRAM256KA,
 * 16K × 16 bits each): the weight ROMs (block RAM, initialised by the bitstream) or loadable
 * single-port RAMs in SPRAM, which the bitstream cannot initialise, so the host sends their
 * load image after configuration (codegen/weight-load.ts).
 *
 * `auto` (the default with a board) leaves a design whose block-RAM estimate is within 80 % of the
 * board as it is. Otherwise it first reads the pools' windows one channel a cycle (MaxPoolLayer.lanes
 * = 1): one line-buffer bank (block RAM) per pool instead of one per lane — mnist-adder's two pools
 * take 24 of the UP5K's 30 EBRs for banks of a few hundred bits each. A pool still takes one element
 * a cycle then (it reads KH·KW·C slices per output pixel as KH·KW·C input elements arrive); the cycle
 * model counts the few cycles it adds at row ends (mnist-adder at pe = simd = 1: 221217 -> 221520 a
 * frame). Then it moves weight memories to SPRAM, the largest block-RAM user first, while SPRAM
 * blocks are left, until the block RAM is within 80 %. `spram` moves every engine that finds SPRAM
 * blocks (and narrows the pools only if block RAM is still over 80 %); `rom` keeps every weight in a ROM.
 */
import { Board } from "../ir/board.js";
import { AvgPoolLayer, engineConv, EngineLayer, isEngineLayer, Layer, MaxPoolLayer, Model } from "../ir/model.js";
import { poolConvViews } from "../hw/units/pool/params.js";
import { estimateModel } from "../estimate/model.js";
import { mapMemory, synthTarget } from "../hw/target.js";
import { SPRAM_BITS, spramBlocks } from "../hw/families/ice40.js";
import { mvuWeightMemory } from "../hw/units/mvu/params.js";
import { QuantrtlError } from "../util/errors.js";
import { WARN_FRACTION } from "./fit.js";

export type WeightMemoryChoice = "auto" | "rom" | "spram";

export interface WeightPlacement {
  readonly model: Model;
  /** Engines whose weights went to SPRAM, in layer order. */
  readonly spram: readonly string[];
  /** Pools narrowed to one lane, in layer order. */
  readonly narrowedPools: readonly string[];
  /** Why (for the progress line); empty when nothing moved. */
  readonly reason: string;
}

/** Whether loadable weight RAMs can go to SPRAM on this board: an iCE40 part that has SPRAM. */
export function hasSpram(board: Board): boolean {
  return board.yosysFamily === "ice40" && board.resources.spramBits > 0;
}

/** One engine's weight memory: the SPRAM blocks it takes as a RAM, the block-RAM bits it takes as a ROM. */
function weightMemory(layer: EngineLayer, board: Board) {
  const { depth, width } = mvuWeightMemory(engineConv(layer));
  return {
    blocks: spramBlocks(depth, width),
    romBlockBits: mapMemory(depth, width, "rom", "sync", synthTarget(board)).blockBits,
  };
}

function isWindowPool(l: Layer): l is MaxPoolLayer | AvgPoolLayer {
  return l.kind === "maxpool" || l.kind === "avgpool";
}

/** The model with `spram` engines' weights in SPRAM (the others' in ROMs) and, when `narrowPools`, every pool at one lane. */
function withPlacement(model: Model, spram: ReadonlySet<string>, narrowPools: boolean): Model {
  const layers = model.layers.map((l): Layer => {
    if (narrowPools && isWindowPool(l)) return { ...l, lanes: 1 };
    if (!isEngineLayer(l)) return l;
    const { weightMemory: _, ...arch } = l.arch;
    return { ...l, arch: spram.has(l.name) ? { ...arch, weightMemory: "spram" } : arch } as Layer;
  });
  return { ...model, layers };
}

const NOTHING = (model: Model): WeightPlacement => ({ model, spram: [], narrowedPools: [], reason: "" });

export function placeWeights(model: Model, board: Board, choice: WeightMemoryChoice = "auto"): WeightPlacement {
  if (choice === "rom") return NOTHING(withPlacement(model, new Set(), false));
  if (!hasSpram(board)) {
    if (choice === "spram")
      throw new QuantrtlError(undefined, "--weight-memory", `${board.name} has no SPRAM`, "use an iCE40 UltraPlus board (icebreaker), or --weight-memory rom");
    return NOTHING(model);
  }
  const bramShare = (m: Model) => estimateModel(m, board).total.bramBits / board.resources.bramBits;
  const pct = (f: number) => `${Math.round(f * 100)} %`;
  const before = bramShare(model);
  if (choice === "auto" && before <= WARN_FRACTION) return NOTHING(model);
  const wide = model.layers.filter((l) => isWindowPool(l) && poolConvViews(l).lanes > 1).map((l) => l.name);
  // auto: narrow the pools first (no cost at run time), then weights to SPRAM while still over 80 %;
  // spram: every weight that finds blocks, then the pools only if still over 80 %
  let narrow = choice === "auto" && wide.length > 0;
  const steps: string[] = [`block RAM ${pct(before)} of ${board.name} with ROMs${choice === "spram" ? " (--weight-memory spram)" : ""}`];
  if (narrow) steps.push(`${pct(bramShare(withPlacement(model, new Set(), true)))} with ${wide.join(", ")} at one lane`);
  const engines = model.layers.filter(isEngineLayer).map((l) => ({ name: l.name, ...weightMemory(l, board) }));
  // the largest block-RAM users first: each SPRAM block then frees the most EBR
  engines.sort((a, b) => b.romBlockBits - a.romBlockBits);
  let left = board.resources.spramBits / SPRAM_BITS;
  const moved = new Set<string>();
  for (const e of engines) {
    if (choice === "auto" && bramShare(withPlacement(model, moved, narrow)) <= WARN_FRACTION) break;
    // auto moves only what frees block RAM; spram moves a ROM that was logic too
    if (e.blocks > left || (choice === "auto" && e.romBlockBits === 0)) continue;
    moved.add(e.name);
    left -= e.blocks;
  }
  if (moved.size === 0 && choice === "spram")
    throw new QuantrtlError(
      undefined,
      "--weight-memory",
      `no engine's weights fit the ${board.resources.spramBits / SPRAM_BITS} SPRAM blocks of ${board.name}`,
      "fold narrower (smaller --pe/--simd: a word wider than 64 bits takes more than 4 blocks), or --weight-memory rom",
    );
  const spram = model.layers.filter((l) => moved.has(l.name)).map((l) => l.name);
  if (spram.length > 0) steps.push(`${pct(bramShare(withPlacement(model, moved, narrow)))} with ${spram.join(", ")} in SPRAM`);
  if (!narrow && wide.length > 0 && bramShare(withPlacement(model, moved, false)) > WARN_FRACTION) {
    narrow = true;
    steps.push(`${pct(bramShare(withPlacement(model, moved, true)))} with ${wide.join(", ")} at one lane`);
  }
  return { model: withPlacement(model, moved, narrow), spram, narrowedPools: narrow ? wide : [], reason: steps.join(", ") };
}
