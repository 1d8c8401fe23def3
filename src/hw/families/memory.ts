/**
 * Which memories Yosys 0.55's `memory_libmap` puts in block RAM, LUT RAM or soft logic, by its own
 * cost model (passes/memory/memory_libmap.cc) over the family's RAM library (techlibs/<family>/
 * brams*.txt, lutrams*.txt), restated for the memories quantrtl's templates write: one read port
 * (synchronous once memory_dff has folded a register in, else asynchronous) and, for a RAM, one
 * synchronous write port at another address with a uniform write enable; no wide ports.
 *
 * The rules, as libmap applies them:
 * - soft logic costs `bits × c` with c = 1 for a RAM and, for a ROM, 1/16 (1/64 with
 *   `-logic-cost-rom 0.015625`, which synth_xilinx passes for xc6s/xc5v/xc6v/xc7/xcu);
 * - a primitive with `prune_rom` (every LUT RAM of the three families) takes no ROM; a block RAM
 *   has synchronous read ports only, so an asynchronous read never goes there; a synchronous read
 *   on an asynchronous LUT-RAM port is emulated with flip-flops that the cost does not count;
 * - for each data width w_i the primitive offers (depth 2^(abits − i)), the memory needs
 *   `rows = ⌈depth / 2^(abits − i)⌉` rows of `⌈rows · W′ / w_i⌉` primitives, W′ the width padded to
 *   the write-enable granularity (the `byte` width, capped at w_i; 1 for a ROM); its cost is
 *   `(cost − ws)·n + ws·rows·W / w_i` (ws: `widthscale`) plus 0.5 per read-mux input bit
 *   `(rows − 1)·W`, 0.5 per write-enable decode `rows` (when rows > 1) and 2 per emulation point
 *   (1 for a read port that shares no write port);
 * - the cheapest width of each primitive is kept (the first on a tie), then the cheapest primitive of
 *   each kind (distributed, block), and the memory goes where the cost is lowest, comparing against
 *   the truncated integer of the best so far (logic first, then the library's order): a strictly
 *   lower cost is needed to leave soft logic.
 */

export type RamKind = "distributed" | "block";

/** One primitive configuration of a family's memory library (an `option` of a `ram` block is its own entry). */
export interface RamDef {
  readonly name: string;
  readonly kind: RamKind;
  readonly abits: number;
  /** Data widths by base width (memlib `widths`): width i has depth 2^(abits − i). */
  readonly widths: readonly number[];
  /** Write-enable granularity (`byte`); 0 when the whole word is written. */
  readonly byte: number;
  readonly cost: number;
  /** `widthscale`: the part of the cost paid per used bit column (0: none). */
  readonly widthscale: number;
  /** `prune_rom`: no ROMs. */
  readonly pruneRom: boolean;
  /** Whether the read port is synchronous (block RAM) or asynchronous (LUT RAM). */
  readonly syncReadOnly: boolean;
  /** Whether a read port besides the write port exists (a single-port LUT RAM has none). */
  readonly separateRead: boolean;
  /** Block-RAM bits one primitive counts as (Yosys's cell), 0 for LUT RAM. */
  readonly bits: number;
  /** LUTs one primitive occupies (LUT RAM), 0 for block RAM. */
  readonly luts: number;
  /** The narrowest base width a written memory may use (a fixed-width write port narrower than a byte fails libmap's minimum-width check below it). */
  readonly ramMinBase?: number;
}

export interface MemoryLibrary {
  /** Soft-logic cost of one ROM bit (memory_libmap's -logic-cost-rom; 1/16 by default). */
  readonly logicCostRom: number;
  /** The library files' primitives in the order synth_<family> passes them (LUT RAMs first). */
  readonly rams: readonly RamDef[];
}

export interface MemorySpec {
  readonly depth: number;
  readonly width: number;
  readonly kind: "ram" | "rom";
  readonly read: "sync" | "async";
}

export interface LibmapChoice {
  readonly style: "logic" | RamKind;
  readonly def?: RamDef;
  /** Primitives of the chosen configuration. */
  readonly primitives: number;
  readonly cost: number;
}

const FACTOR_MUX = 0.5;
const FACTOR_DEMUX = 0.5;
const FACTOR_EMU = 2;

/** The cheapest geometry of one primitive for the memory, or undefined when the primitive cannot hold it. */
export function ramConfigCost(m: MemorySpec, def: RamDef): { cost: number; primitives: number } | undefined {
  if (m.kind === "rom" && def.pruneRom) return undefined;
  if (m.read === "async" && def.syncReadOnly) return undefined;
  if (m.kind === "ram" && !def.separateRead) return undefined;
  let best: { cost: number; primitives: number } | undefined;
  let bestInt = 0;
  def.widths.forEach((unitWidth, i) => {
    if (m.kind === "ram" && i < (def.ramMinBase ?? 0)) return;
    const words = 2 ** (def.abits - i);
    const rows = Math.floor((m.depth - 1) / words) + 1;
    const byte = m.kind === "rom" || def.byte === 0 || def.byte > unitWidth ? (m.kind === "rom" ? 1 : unitWidth) : def.byte;
    const padded = Math.ceil(m.width / byte) * byte;
    const primitives = Math.ceil((rows * padded) / unitWidth);
    const mux = (rows - 1) * m.width;
    const demux = m.kind === "ram" && rows !== 1 ? rows : 0;
    // the read port shares no write port (a ROM, or a RAM read at its own address): one emulation point
    const emu = 1;
    const cost =
      (def.cost - def.widthscale) * primitives + (def.widthscale * rows * m.width) / unitWidth + mux * FACTOR_MUX + demux * FACTOR_DEMUX + emu * FACTOR_EMU;
    // libmap keeps its best cost in an int: a later width must beat the truncated figure
    if (!best || cost < bestInt) ((best = { cost, primitives }), (bestInt = Math.trunc(cost)));
  });
  return best;
}

/** memory_libmap's choice for one memory over a family's library. */
export function libmapChoice(m: MemorySpec, lib: MemoryLibrary): LibmapChoice {
  const logicCost = m.depth * m.width * (m.kind === "rom" ? lib.logicCostRom : 1);
  // the cheapest configuration of each kind (prune_post_geom: the first on a tie)
  const perKind = new Map<RamKind, LibmapChoice>();
  for (const def of lib.rams) {
    const c = ramConfigCost(m, def);
    if (!c) continue;
    const seen = perKind.get(def.kind);
    if (!seen || c.cost < seen.cost) perKind.set(def.kind, { style: def.kind, def, primitives: c.primitives, cost: c.cost });
  }
  let choice: LibmapChoice = { style: "logic", primitives: 0, cost: logicCost };
  let best = Math.trunc(logicCost);
  // configurations in library order (the LUT RAM files come first in every synth script)
  const ordered = [...perKind.values()].sort((a, b) => lib.rams.indexOf(a.def!) - lib.rams.indexOf(b.def!));
  for (const c of ordered) if (c.cost < best) ((choice = c), (best = Math.trunc(c.cost)));
  return choice;
}

/** A block RAM's aspect ratios: 2^abits words of 1 bit down to the widest port (memlib `widths`). */
export function blockRam(name: string, abits: number, widths: readonly number[], cost: number, bits: number, byte = 9, ramMinBase = 0): RamDef {
  return { name, kind: "block", abits, widths, byte, cost, widthscale: 0, pruneRom: false, syncReadOnly: true, separateRead: true, bits, luts: 0, ramMinBase };
}

/** A LUT RAM of one width (memlib `widths N global`), asynchronous read. */
export function lutRam(name: string, abits: number, width: number, cost: number, widthscale: number, luts: number, separateRead = true): RamDef {
  return { name, kind: "distributed", abits, widths: [width], byte: 0, cost, widthscale, pruneRom: true, syncReadOnly: false, separateRead, bits: 0, luts };
}
