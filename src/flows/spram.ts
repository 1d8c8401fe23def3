/**
 * Where each engine's weights live on a board with iCE40 UltraPlus SPRAM (4 × SB_SPRAM256KA,
 * 16K × 16 bits each): the weight ROMs (block RAM, initialised by the bitstream) or loadable
 * single-port RAMs in SPRAM, which the bitstream cannot initialise, so the host sends their
 * load image after configuration (codegen/weight-load.ts).
 *
 * `auto` (the default with a board) leaves a design whose block RAM estimate is within 80 % of
 * the board as it is; otherwise it moves weight memories to SPRAM, the largest block-RAM user
 * first, while SPRAM blocks are left, until the block RAM is within 80 %. `spram` moves every
 * engine that still finds SPRAM blocks; `rom` keeps every weight in a ROM.
 */
import { Board } from "../ir/board.js";
import { engineConv, EngineLayer, isEngineLayer, Layer, Model } from "../ir/model.js";
import { foldCounts } from "../ir/folding.js";
import { estimateModel } from "../estimate/model.js";
import { mapMemory, synthTarget } from "../hw/target.js";
import { SPRAM_BITS, spramBlocks } from "../hw/families/ice40.js";
import { weightField } from "../hw/units/pe/params.js";
import { QuantrtlError } from "../util/errors.js";
import { WARN_FRACTION } from "./fit.js";

export type WeightMemoryChoice = "auto" | "rom" | "spram";

export interface WeightPlacement {
  readonly model: Model;
  /** Engines whose weights went to SPRAM, in layer order. */
  readonly spram: readonly string[];
  /** Why (for the progress line); empty when nothing moved. */
  readonly reason: string;
}

/** Whether loadable weight RAMs can go to SPRAM on this board: an iCE40 part that has SPRAM. */
export function hasSpram(board: Board): boolean {
  return board.yosysFamily === "ice40" && board.resources.spramBits > 0;
}

/** The weight memory of one engine: its words and width, its SPRAM blocks and the block-RAM bits its ROM takes. */
function weightMemory(layer: EngineLayer, board: Board) {
  const conv = engineConv(layer);
  const { nf, sf, pe, simd } = foldCounts(conv);
  const width = pe * simd * weightField(conv).bits;
  return {
    blocks: spramBlocks(nf * sf, width),
    romBlockBits: mapMemory(nf * sf, width, "rom", "sync", synthTarget(board)).blockBits,
  };
}

function withWeightMemory(model: Model, names: ReadonlySet<string>): Model {
  const layers = model.layers.map((l): Layer => {
    if (!isEngineLayer(l)) return l;
    const { weightMemory: _, ...arch } = l.arch;
    return { ...l, arch: names.has(l.name) ? { ...arch, weightMemory: "spram" } : arch } as Layer;
  });
  return { ...model, layers };
}

export function placeWeights(model: Model, board: Board, choice: WeightMemoryChoice = "auto"): WeightPlacement {
  if (choice === "rom") return { model: withWeightMemory(model, new Set()), spram: [], reason: "" };
  if (!hasSpram(board)) {
    if (choice === "spram")
      throw new QuantrtlError(undefined, "--weight-memory", `${board.name} has no SPRAM`, "use an iCE40 UltraPlus board (icebreaker), or --weight-memory rom");
    return { model, spram: [], reason: "" };
  }
  const bramShare = (m: Model) => estimateModel(m, board).total.bramBits / board.resources.bramBits;
  const before = bramShare(model);
  if (choice === "auto" && before <= WARN_FRACTION) return { model, spram: [], reason: "" };
  const engines = model.layers.filter(isEngineLayer).map((l) => ({ name: l.name, ...weightMemory(l, board) }));
  // the largest block-RAM users first: each SPRAM block then frees the most EBR
  engines.sort((a, b) => b.romBlockBits - a.romBlockBits);
  let left = board.resources.spramBits / SPRAM_BITS;
  const moved = new Set<string>();
  let placed = model;
  for (const e of engines) {
    if (choice === "auto" && bramShare(placed) <= WARN_FRACTION) break;
    // auto moves only what frees block RAM; spram moves a ROM that was logic too
    if (e.blocks > left || (choice === "auto" && e.romBlockBits === 0)) continue;
    moved.add(e.name);
    left -= e.blocks;
    placed = withWeightMemory(model, moved);
  }
  if (moved.size === 0) {
    if (choice === "spram")
      throw new QuantrtlError(
        undefined,
        "--weight-memory",
        `no engine's weights fit the ${board.resources.spramBits / SPRAM_BITS} SPRAM blocks of ${board.name}`,
        "fold narrower (smaller --pe/--simd: a word wider than 64 bits takes more than 4 blocks), or --weight-memory rom",
      );
    return { model, spram: [], reason: "" };
  }
  const spram = model.layers.filter((l) => moved.has(l.name)).map((l) => l.name);
  const after = bramShare(placed);
  const pct = (f: number) => `${Math.round(f * 100)} %`;
  const reason =
    choice === "spram"
      ? `--weight-memory spram; block RAM ${pct(before)} -> ${pct(after)} of ${board.name}`
      : `block RAM ${pct(before)} of ${board.name} with ROMs, ${pct(after)} with these in SPRAM`;
  return { model: placed, spram, reason };
}
