/**
 * First-order FPGA power from resource counts (docs/design.md "Estimation"):
 *   static  = one figure per device (table STATIC_POWER, family fallback),
 *   dynamic = Σ count × coefficient × f[MHz] × toggle  +  clock tree × f[MHz].
 * A coefficient is W per resource per MHz at 100 % toggle (one transition per
 * clock cycle, the vendors' convention), i.e. the energy ½·C·V² of one
 * transition of the resource's switched capacitance C (its output net and
 * routing included). The capacitances are [ours] assumptions — NOT fitted to
 * a vendor estimator or a board measurement; each entry says what it stands
 * for, and the voltages are the data-sheet core supplies. Use it to compare
 * designs on one device, not as a sign-off number.
 */
import { Board } from "../ir/board.js";
import { QuantrtlError } from "../util/errors.js";

export interface Coefficient {
  readonly value: number;
  readonly unit: string;
  readonly source: string;
}

export interface PowerResources {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bramBits: number;
  /** Carry-chain primitives (CARRY4/CARRY8, SB_CARRY, CCU2C) as Yosys counts them; 0 when absent. */
  readonly carry?: number;
}

export type Family = Board["family"];

export interface FamilyPowerCoefficients {
  readonly family: Family;
  readonly process: string;
  readonly coreVolts: Coefficient;
  readonly lut: Coefficient;
  readonly ff: Coefficient;
  readonly carry: Coefficient;
  readonly dsp: Coefficient;
  /** Per block-RAM bit: the per-block figure divided by the block's bits. */
  readonly bramBit: Coefficient;
  /** Clock pin load per flip-flop, charged every cycle (a clock toggles twice per cycle: C·V² per cycle). */
  readonly clockPerFf: Coefficient;
  /** Global buffer and spine of one clock, charged every cycle. */
  readonly clockGlobal: Coefficient;
}

/**
 * The vendors' estimators default to 12.5 % for signals with no activity
 * (Vivado report_power / XPE default toggle rate; Quartus Power Analyzer
 * "Default toggle rate used for remaining signals" = 12.5 %).
 */
export const DEFAULT_TOGGLE_RATE = 0.125;
export const DEFAULT_TOGGLE_SOURCE =
  "12.5 % — the vendor power estimators' default toggle rate for signals without simulation activity (Vivado report_power/XPE; Quartus Power Analyzer default 12.5 %)";

const PER_MHZ = "W/MHz at 100 % toggle";

/** ½·C·V² of one transition, per MHz of transitions: C in pF → W/MHz. */
function transitionWPerMHz(picofarads: number, volts: number): number {
  return 0.5 * picofarads * 1e-12 * volts * volts * 1e6;
}
/** C·V² per clock cycle (a clock net makes two transitions a cycle), per MHz: C in pF → W/MHz. */
function clockWPerMHz(picofarads: number, volts: number): number {
  return picofarads * 1e-12 * volts * volts * 1e6;
}

function familyCoefficients(
  family: Family,
  process: string,
  volts: number,
  voltsSource: string,
  c: {
    lut: number;
    ff: number;
    carry: number;
    carryCell: string;
    dsp: number;
    dspCell: string;
    bram: number;
    bramBlockBits: number;
    bramCell: string;
    clockPerFf: number;
    clockGlobal: number;
  },
): FamilyPowerCoefficients {
  const why = (pf: number, what: string) => `[ours] assumption: ½·C·V² with C ≈ ${pf} pF switched per transition (${what}), V = ${volts} V`;
  return {
    family,
    process,
    coreVolts: { value: volts, unit: "V", source: voltsSource },
    lut: { value: transitionWPerMHz(c.lut, volts), unit: PER_MHZ, source: why(c.lut, "LUT plus its output net and routing") },
    ff: { value: transitionWPerMHz(c.ff, volts), unit: PER_MHZ, source: why(c.ff, "flip-flop output net and routing; its clock pin is in the clock term") },
    carry: {
      value: transitionWPerMHz(c.carry, volts),
      unit: PER_MHZ,
      source: why(c.carry, `one ${c.carryCell}: the carry nets only, its LUTs are counted as LUTs`),
    },
    dsp: {
      value: transitionWPerMHz(c.dsp, volts),
      unit: PER_MHZ,
      source: why(c.dsp, `one ${c.dspCell} with its pipeline registers and clock pin, operands toggling`),
    },
    bramBit: {
      value: transitionWPerMHz(c.bram, volts) / c.bramBlockBits,
      unit: `${PER_MHZ}, per bit`,
      source: `${why(c.bram, `one ${c.bramCell} access (bit lines, sense amplifiers, ports, clock pin)`)}, spread over its ${c.bramBlockBits} bits; the toggle rate stands in for the access rate`,
    },
    clockPerFf: {
      value: clockWPerMHz(c.clockPerFf, volts),
      unit: "W/MHz (every cycle)",
      source: `[ours] assumption: C·V² per cycle with C ≈ ${c.clockPerFf} pF of leaf clock load per flip-flop, V = ${volts} V`,
    },
    clockGlobal: {
      value: clockWPerMHz(c.clockGlobal, volts),
      unit: "W/MHz (every cycle)",
      source: `[ours] assumption: C·V² per cycle with C ≈ ${c.clockGlobal} pF for one global clock buffer and its spine, V = ${volts} V`,
    },
  };
}

/**
 * Dynamic coefficients per family, as switched capacitance per transition. All
 * [ours] assumptions, chosen for the right order of magnitude, not fitted:
 * - LUT 1.2 pF (xc7): an FPGA net is dominated by programmable routing (several
 *   switch and wire segments), ~1 pF per driven net at 28 nm; at 12.5 % toggle
 *   and 100 MHz a 20k-LUT design then draws 0.15 W of logic power, the range
 *   the vendors' estimators show for such designs.
 * - FF 0.6 pF: an FF's output usually drives a shorter local net into the next
 *   LUT; its clock pin is counted in the clock term, not here.
 * - carry 0.8 pF per CARRY4: the dedicated carry nets between slices, short wires.
 * - DSP 40 pF (DSP48E1): a 25×18 multiplier, 48-bit ALU and pipeline registers;
 *   ½CV² = 20 pJ at full toggle, i.e. ~10 pJ for random operands (50 % toggle),
 *   a few times Horowitz's 45 nm 32-bit multiply (3.1 pJ) for the extra width,
 *   registers and FPGA-style wiring.
 * - BRAM 160 pF per RAMB36 access: ~80 pJ at full activity, several times a
 *   small ASIC SRAM read (Horowitz: 10 pJ per 64 bits at 8 KB) for the
 *   programmable ports and long bit lines.
 * - clock 0.015 pF per FF (leaf clock wire shared by a slice's 8 FFs) and 10 pF
 *   per global buffer + spine.
 * UltraScale+ (16 nm) takes ≈ ⅔–¾ of the 28 nm capacitances at 0.85 V; the 40 nm
 * Lattice LUT4 fabrics have shorter, lighter routing per LUT (iCE40 ⅓, ECP5 ½),
 * smaller multipliers (SB_MAC16 16×16, MULT18X18D) and smaller block RAMs
 * (4 Kb and 18 Kb EBR, costed roughly by size against the 36 Kb block).
 */
export const POWER_COEFFICIENTS: Readonly<Record<Family, FamilyPowerCoefficients>> = {
  xc7: familyCoefficients("xc7", "28 nm HPL", 1.0, "VCCINT nominal 1.0 V (7-series data sheets DS181/DS187)", {
    lut: 1.2,
    ff: 0.6,
    carry: 0.8,
    carryCell: "CARRY4",
    dsp: 40,
    dspCell: "DSP48E1",
    bram: 160,
    bramBlockBits: 36 * 1024,
    bramCell: "RAMB36E1",
    clockPerFf: 0.015,
    clockGlobal: 10,
  }),
  xcup: familyCoefficients(
    "xcup",
    "16 nm FinFET",
    0.85,
    "VCCINT nominal 0.85 V (Zynq UltraScale+ data sheet DS925; −L parts may run at 0.72 V, not modelled)",
    {
      lut: 0.8,
      ff: 0.4,
      carry: 1.2,
      carryCell: "CARRY8",
      dsp: 30,
      dspCell: "DSP48E2",
      bram: 120,
      bramBlockBits: 36 * 1024,
      bramCell: "RAMB36E2",
      clockPerFf: 0.01,
      clockGlobal: 8,
    },
  ),
  ice40: familyCoefficients("ice40", "40 nm low power", 1.2, "VCC core nominal 1.2 V (iCE40 UltraPlus data sheet FPGA-DS-02008: 1.14–1.26 V)", {
    lut: 0.4,
    ff: 0.2,
    carry: 0.1,
    carryCell: "SB_CARRY",
    dsp: 20,
    dspCell: "SB_MAC16",
    bram: 20,
    bramBlockBits: 4 * 1024,
    bramCell: "SB_RAM40_4K EBR",
    clockPerFf: 0.01,
    clockGlobal: 2,
  }),
  ecp5: familyCoefficients("ecp5", "40 nm", 1.1, "VCC core nominal 1.1 V (ECP5 family data sheet DS1044)", {
    lut: 0.6,
    ff: 0.3,
    carry: 0.3,
    carryCell: "CCU2C",
    dsp: 20,
    dspCell: "MULT18X18D",
    bram: 60,
    bramBlockBits: 18 * 1024,
    bramCell: "DP16KD EBR",
    clockPerFf: 0.015,
    clockGlobal: 6,
  }),
};

export interface StaticPowerEntry {
  /** Matched against the start of Board.part, case-insensitively. */
  readonly partPrefix: string;
  readonly watts: number;
  readonly source: string;
}

/**
 * Device static (leakage) power at 25 °C ambient, typical silicon. Only the
 * iCE40 figure comes from a data sheet; the others are [ours] order-of-magnitude
 * assumptions and should be replaced by the vendor estimator's number for the
 * real operating point (static power roughly doubles from 25 °C to 85 °C junction).
 */
export const STATIC_POWER: readonly StaticPowerEntry[] = [
  {
    partPrefix: "xc7z020",
    watts: 0.12,
    source: "[ours] assumption: order of the device-static line Vivado/XPE reports for a Zynq-7020 at 25 °C ambient (≈0.1–0.16 W, PL and PS leakage)",
  },
  { partPrefix: "xc7a100t", watts: 0.09, source: "[ours] assumption: order of Vivado/XPE device static for an Artix-7 100T at 25 °C ambient" },
  {
    partPrefix: "xczu7ev",
    watts: 0.65,
    source: "[ours] assumption: order of Vivado/XPE device static for a Zynq UltraScale+ ZU7EV (PL and PS leakage) at 25 °C ambient",
  },
  { partPrefix: "xck26", watts: 0.45, source: "[ours] assumption: order of Vivado/XPE device static for the Kria K26 (XCK26) at 25 °C ambient" },
  {
    partPrefix: "ice40up5k",
    watts: 75e-6 * 1.2,
    source:
      "iCE40 UltraPlus data sheet (FPGA-DS-02008) feature list: 'as low as 100 µA standby current typical'; [ours] assumption: 75 µA of it is core static, × VCC 1.2 V = 90 µW",
  },
  {
    partPrefix: "lfe5u-85f",
    watts: 0.08,
    source: "[ours] assumption: order of the Lattice Power Calculator static estimate for an LFE5U-85F at 25 °C ambient",
  },
];

/** Fallback per family when the part is not in STATIC_POWER. */
export const STATIC_POWER_BY_FAMILY: Readonly<Record<Family, StaticPowerEntry>> = {
  xc7: { partPrefix: "xc7", watts: 0.1, source: "[ours] assumption: 7-series family fallback (part not in the table)" },
  xcup: { partPrefix: "xczu", watts: 0.5, source: "[ours] assumption: UltraScale+ family fallback (part not in the table)" },
  ice40: { partPrefix: "ice40", watts: 1e-4, source: "[ours] assumption: iCE40 family fallback (part not in the table)" },
  ecp5: { partPrefix: "lfe5", watts: 0.08, source: "[ours] assumption: ECP5 family fallback (part not in the table)" },
};

export function staticPower(board: Board): StaticPowerEntry {
  const part = board.part.toLowerCase();
  return STATIC_POWER.find((e) => part.startsWith(e.partPrefix)) ?? STATIC_POWER_BY_FAMILY[board.family];
}

export interface PowerOptions {
  /** Default: the board's clock. */
  readonly clockMHz?: number;
  /** Fraction of clock cycles in which a signal changes, in [0, 1]. Default 12.5 %. */
  readonly toggleRate?: number;
  /** Where toggleRate came from; "measured" when given a rate (from simulation), else "default". */
  readonly toggleSource?: "measured" | "default";
}

export interface PowerEstimate {
  readonly staticW: number;
  readonly dynamicW: number;
  readonly totalW: number;
  /** Dynamic power per resource kind, W; logic = LUTs and carry chains. */
  readonly breakdown: { readonly logic: number; readonly ff: number; readonly dsp: number; readonly bram: number; readonly clock: number };
  readonly clockMHz: number;
  readonly toggleRate: number;
  readonly toggleSource: "measured" | "default";
  readonly toggleNote: string;
  readonly coefficients: FamilyPowerCoefficients & { readonly static: Coefficient };
}

/** Static and dynamic power (W) of a design's resources on a board at its clock and a toggle rate. */
export function estimatePower(resources: PowerResources, board: Board, opts: PowerOptions = {}): PowerEstimate {
  const clockMHz = opts.clockMHz ?? board.clockMHz;
  if (!Number.isFinite(clockMHz) || clockMHz <= 0) {
    throw new QuantrtlError(undefined, "clockMHz", `clock ${clockMHz} MHz is not a positive number`, "give the design clock in MHz, e.g. 100");
  }
  const toggleRate = opts.toggleRate ?? DEFAULT_TOGGLE_RATE;
  if (!Number.isFinite(toggleRate) || toggleRate < 0 || toggleRate > 1) {
    throw new QuantrtlError(
      undefined,
      "toggleRate",
      `toggle rate ${toggleRate} is outside [0, 1]`,
      "give a fraction of clock cycles, e.g. 0.125 for the vendors' 12.5 % default",
    );
  }
  const toggleSource = opts.toggleSource ?? (opts.toggleRate !== undefined ? "measured" : "default");
  if (toggleSource === "measured" && opts.toggleRate === undefined) {
    throw new QuantrtlError(
      undefined,
      "toggleSource",
      `"measured" was given without a toggle rate`,
      "pass the toggle rate measured in simulation, or leave toggleSource unset for the 12.5 % default",
    );
  }
  const counts: [string, number][] = [
    ["lut", resources.lut],
    ["ff", resources.ff],
    ["dsp", resources.dsp],
    ["bramBits", resources.bramBits],
    ["carry", resources.carry ?? 0],
  ];
  for (const [name, n] of counts) {
    if (!Number.isFinite(n) || n < 0)
      throw new QuantrtlError(
        undefined,
        `resources.${name}`,
        `count ${n} is not a non-negative number`,
        "give resource counts from estimateEngine or synthesis",
      );
  }

  const k = POWER_COEFFICIENTS[board.family];
  const activity = clockMHz * toggleRate;
  const breakdown = {
    logic: (resources.lut * k.lut.value + (resources.carry ?? 0) * k.carry.value) * activity,
    ff: resources.ff * k.ff.value * activity,
    dsp: resources.dsp * k.dsp.value * activity,
    bram: resources.bramBits * k.bramBit.value * activity,
    // the clock net toggles every cycle whatever the data does: no toggle factor
    clock: (resources.ff * k.clockPerFf.value + k.clockGlobal.value) * clockMHz,
  };
  const dynamicW = breakdown.logic + breakdown.ff + breakdown.dsp + breakdown.bram + breakdown.clock;
  const stat = staticPower(board);
  const toggleNote =
    toggleSource === "default" && opts.toggleRate === undefined ? DEFAULT_TOGGLE_SOURCE : `${(toggleRate * 100).toFixed(2)} % (${toggleSource})`;
  return {
    staticW: stat.watts,
    dynamicW,
    totalW: stat.watts + dynamicW,
    breakdown,
    clockMHz,
    toggleRate,
    toggleSource,
    toggleNote,
    coefficients: { ...k, static: { value: stat.watts, unit: "W", source: stat.source } },
  };
}
