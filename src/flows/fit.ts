/**
 * Fit as a verdict: which resources of a board a design takes over 100 % (does
 * not fit) and over 80 % (fits, but place and route gets hard and timing suffers).
 * sim and compare report it; build and bitstream refuse a design that does not
 * fit unless --allow-overfit.
 */
import type { Board } from "../ir/board.js";
import type { Resources } from "../estimate/resources.js";
import { QuantrtlError } from "../util/errors.js";

export type ResourceName = "LUT" | "FF" | "DSP" | "BRAM" | "SPRAM";

export interface ResourceUse {
  readonly resource: ResourceName;
  readonly used: number;
  readonly available: number;
  /** used / available; Infinity when the board has none of it and the design needs some. */
  readonly fraction: number;
}

export interface FitVerdict {
  readonly board: string;
  readonly fits: boolean;
  /** Resources over 100 % of the board: the reasons it does not fit. */
  readonly over: readonly ResourceName[];
  /** Resources over 80 % but within the board. */
  readonly warn: readonly ResourceName[];
  readonly resources: readonly ResourceUse[];
}

/** Above this share of a resource a design is flagged (it fits, but tightly). */
export const WARN_FRACTION = 0.8;

export function fitVerdict(used: Resources, board: Board): FitVerdict {
  const have = board.resources;
  const use = (resource: ResourceName, n: number, available: number): ResourceUse => ({
    resource,
    used: n,
    available,
    fraction: available > 0 ? n / available : n > 0 ? Infinity : 0,
  });
  const resources = [use("LUT", used.lut, have.lut), use("FF", used.ff, have.ff), use("DSP", used.dsp, have.dsp), use("BRAM", used.bramBits, have.bramBits)];
  // the iCE40 UltraPlus SPRAM, listed only when loadable weight RAMs use it
  if (used.spramBits) resources.push(use("SPRAM", used.spramBits, have.spramBits));
  const over = resources.filter((r) => r.fraction > 1).map((r) => r.resource);
  // every SPRAM block may be used (whole blocks outside the fabric, like DSPs): no warning below 100 %
  const warn = resources.filter((r) => r.fraction > WARN_FRACTION && r.fraction <= 1 && r.resource !== "SPRAM").map((r) => r.resource);
  return { board: board.name, fits: over.length === 0, over, warn, resources };
}

function percent(f: number): string {
  return Number.isFinite(f) ? `${Math.round(f * 100)} %` : "none on the board";
}

/** "LUT 25600 of 5280 (485 %)" for one resource. */
export function describeUse(r: ResourceUse): string {
  const unit = r.resource === "BRAM" || r.resource === "SPRAM" ? " bits" : "";
  return `${r.resource} ${r.used}${unit} of ${r.available}${unit} (${percent(r.fraction)})`;
}

/** The lines a report prints: one for the resources over 100 %, one for those over 80 %; none when neither. */
export function fitLines(v: FitVerdict, source: string): string[] {
  const lines: string[] = [];
  const named = (names: readonly ResourceName[]) =>
    v.resources
      .filter((r) => names.includes(r.resource))
      .map(describeUse)
      .join(", ");
  if (v.over.length) lines.push(`DOES NOT FIT ${v.board} (${source}): over 100 %: ${named(v.over)}`);
  if (v.warn.length) lines.push(`warning: over 80 % of ${v.board} (${source}): ${named(v.warn)}`);
  return lines;
}

/** A short mark for a table cell: "" within 80 %, " (!)" over 80 %, " (OVER)" over 100 %. */
export function fitMark(fraction: number): string {
  return fraction > 1 ? " (OVER)" : fraction > WARN_FRACTION ? " (!)" : "";
}

/** Refuses a design that does not fit (build and bitstream), naming every resource over 100 %. */
export function requireFit(v: FitVerdict, source: string): void {
  if (v.fits) return;
  const named = v.resources
    .filter((r) => v.over.includes(r.resource))
    .map(describeUse)
    .join(", ");
  throw new QuantrtlError(
    undefined,
    "--board",
    `the design does not fit ${v.board} (${source}): ${named}`,
    `fold it further (--fold auto --board ${v.board}, or smaller --pe/--simd), choose a larger board, or pass --allow-overfit to build anyway`,
  );
}
