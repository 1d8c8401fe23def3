/**
 * The resource model's error table (issue #20): for each family and resource, the
 * estimate's error against Yosys over the committed reference designs — engine designs
 * and unit designs, the ones the fit saw and the held-out ones apart — and over the
 * whole-network builds of hw/network-validation.json. LUT and FF as relative errors
 * (median, p90, worst, with the worst design named); DSP and block RAM as counts of
 * designs that differ from Yosys at all (their target is 0 difference).
 */
import type { ResourceKind, ResourceModelFile, Resources } from "./resources.js";

/** One design's estimate beside its measurement. */
export interface ErrorRow {
  readonly name: string;
  readonly estimate: number;
  readonly measured: number;
}

export interface ErrorSummary {
  readonly designs: number;
  /** |estimate − measured| / measured over the designs with measured > 0. */
  readonly median: number;
  /** Nearest-rank 90th percentile of the same. */
  readonly p90: number;
  readonly worst: number;
  /** The design with the worst relative error (signed, estimate − measured), or "" when none. */
  readonly worstName: string;
  readonly worstSigned: number;
  /** Designs whose estimate differs from the measurement at all. */
  readonly differing: number;
  /** The largest |estimate − measured| among them. */
  readonly worstAbs: number;
}

/** Nearest-rank percentile (p in (0, 1]) of ascending values; 0 for none. */
export function nearestRank(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return 0;
  return sortedAscending[Math.max(0, Math.ceil(p * sortedAscending.length) - 1)];
}

/** The median of ascending values (mean of the middle two for an even count); 0 for none. */
export function median(sortedAscending: readonly number[]): number {
  const n = sortedAscending.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? sortedAscending[(n - 1) / 2] : (sortedAscending[n / 2 - 1] + sortedAscending[n / 2]) / 2;
}

export function summarizeErrors(rows: readonly ErrorRow[]): ErrorSummary {
  const rel = rows.filter((r) => r.measured > 0).map((r) => ({ name: r.name, signed: (r.estimate - r.measured) / r.measured }));
  const sorted = rel.map((r) => Math.abs(r.signed)).sort((a, b) => a - b);
  const worst = rel.reduce<{ name: string; signed: number } | undefined>((w, r) => (!w || Math.abs(r.signed) > Math.abs(w.signed) ? r : w), undefined);
  const differing = rows.filter((r) => r.estimate !== r.measured);
  return {
    designs: rows.length,
    median: median(sorted),
    p90: nearestRank(sorted, 0.9),
    worst: sorted.length ? sorted[sorted.length - 1] : 0,
    worstName: worst?.name ?? "",
    worstSigned: worst?.signed ?? 0,
    differing: differing.length,
    worstAbs: differing.reduce((m, r) => Math.max(m, Math.abs(r.estimate - r.measured)), 0),
  };
}

/** A set of designs the table reports on its own. */
export type ErrorSet = "engines fitted" | "engines held out" | "units fitted" | "units held out" | "networks";

export interface ErrorTableEntry {
  readonly family: string;
  readonly resource: ResourceKind;
  readonly set: ErrorSet;
  readonly summary: ErrorSummary;
}

/** A whole-network build as the table needs it (hw/network-validation.json's entries). */
export interface NetworkErrorInput {
  readonly name: string;
  readonly family: string;
  readonly estimate: Resources;
  readonly synthesis: Resources;
}

const KINDS: readonly ResourceKind[] = ["lut", "ff", "dsp", "bramBits"];

/** The table's entries, family by family, resource by resource, set by set (empty sets left out). */
export function resourceErrorTable(model: ResourceModelFile, networks: readonly NetworkErrorInput[] = []): ErrorTableEntry[] {
  const entries: ErrorTableEntry[] = [];
  for (const family of Object.keys(model.families)) {
    for (const resource of KINDS) {
      const sets: [ErrorSet, ErrorRow[]][] = [
        ["engines fitted", []],
        ["engines held out", []],
        ["units fitted", []],
        ["units held out", []],
        ["networks", []],
      ];
      const put = (set: ErrorSet, row: ErrorRow) => sets.find(([s]) => s === set)![1].push(row);
      for (const d of model.designs) {
        const r = d.results[family];
        if (r) put(d.heldOut ? "engines held out" : "engines fitted", { name: d.name, estimate: r.estimate[resource], measured: r.measured[resource] });
      }
      for (const d of model.unitDesigns) {
        const r = d.results[family];
        if (r) put(d.heldOut ? "units held out" : "units fitted", { name: d.name, estimate: r.estimate[resource], measured: r.measured[resource] });
      }
      for (const n of networks) {
        if (n.family === family) put("networks", { name: n.name, estimate: n.estimate[resource], measured: n.synthesis[resource] });
      }
      for (const [set, rows] of sets) if (rows.length) entries.push({ family, resource, set, summary: summarizeErrors(rows) });
    }
  }
  return entries;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const signedPct = (v: number) => `${v >= 0 ? "+" : "−"}${(Math.abs(v) * 100).toFixed(1)} %`;

/** The table as Markdown: LUT and FF by median / p90 / worst, DSP and BRAM by designs that differ. */
export function renderErrorTable(entries: readonly ErrorTableEntry[]): string {
  const lines = ["| family | resource | designs | median | p90 | worst | worst design |", "|---|---|---|---|---|---|---|"];
  for (const e of entries) {
    const s = e.summary;
    if (e.resource === "lut" || e.resource === "ff") {
      lines.push(
        `| ${e.family} | ${e.resource.toUpperCase()} ${e.set} | ${s.designs} | ${pct(s.median)} | ${pct(s.p90)} | ${signedPct(s.worstSigned)} | ${s.worstName} |`,
      );
    }
  }
  lines.push("", "| family | resource | designs | differing from Yosys | largest difference |", "|---|---|---|---|---|");
  for (const e of entries) {
    if (e.resource === "dsp" || e.resource === "bramBits") {
      const unit = e.resource === "dsp" ? "" : " bits";
      lines.push(
        `| ${e.family} | ${e.resource === "dsp" ? "DSP" : "BRAM"} ${e.set} | ${e.summary.designs} | ${e.summary.differing} | ${e.summary.worstAbs}${unit} |`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
