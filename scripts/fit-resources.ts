#!/usr/bin/env node
/**
 * Fits the resource model (src/estimate/resources.ts) to Yosys and writes
 * hw/resource-model.json: synthesizes every reference design
 * (src/estimate/reference-designs.ts: single conv engines, for the engine formula;
 * src/estimate/unit-reference-designs.ts: one non-engine layer each, for the
 * stream-unit formula) for each family's board — one run at a time,
 * cached by RTL hash in node_modules/.cache/quantrtl — fits each resource's
 * coefficients by non-negative least squares on the relative error, leaving every
 * fourth design out, and commits the coefficients with their standard errors and
 * the in-sample and held-out error of the fit.
 *
 * usage: npm run fit-resources [-- --families xilinx,ice40,ecp5] [--out hw/resource-model.json] [--measured-from FILE]
 *
 * --measured-from FILE: take each design's Yosys figures from a resource-model file written
 * by an earlier fit (its `designs` / `unitDesigns` "measured"), instead of synthesizing: a
 * refit after a change of the features (the DSP and block-RAM rules), when the reference
 * designs' RTL is unchanged. A design missing from the file is an error.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadBoard } from "../src/ir/board.js";
import { engineConv, Model } from "../src/ir/model.js";
import { synthesize } from "../src/synth/index.js";
import { synthCommand } from "../src/synth/families.js";
import { referenceDesigns, referenceModel, ReferenceDesign } from "../src/estimate/reference-designs.js";
import { unitReferenceDesigns, unitReferenceModel, UnitReferenceDesign } from "../src/estimate/unit-reference-designs.js";
import { StreamUnitFeatures, streamUnitFeatures } from "../src/hw/layers/index.js";
import { estimateStreamUnit } from "../src/estimate/model.js";
import { buildNetlist } from "../src/hw/netlist.js";
import {
  applyCoefficients,
  engineFeatures,
  estimateWithFit,
  FittedResource,
  parseResourceModel,
  RESOURCE_FORMULA,
  RESOURCE_KINDS,
  RESOURCE_MODEL_FILE,
  sumResources,
  UNIT_FORMULA,
  ResourceKind,
  ResourceModelFile,
  Resources,
} from "../src/estimate/resources.js";
import { Features, SynthTarget, synthTarget } from "../src/hw/target.js";
import { errorStats, nnls, standardErrors } from "../src/estimate/fit.js";
import { packageRoot, packageVersion } from "../src/util/paths.js";
import { stopCleanlyOnSignals } from "../src/util/interrupt.js";

/** The board each family is synthesized for (its part decides DSP and block-RAM primitives). */
const FAMILY_BOARDS: Record<string, string> = { xilinx: "pynq-z2", ice40: "icebreaker", ecp5: "ulx3s-85f" };

/** Relative weighting: a row's residual counts per measured unit, floored so that a 0 does not dominate. */
const WEIGHT_FLOOR: Record<ResourceKind, number> = { lut: 50, ff: 50, dsp: 1, bramBits: 4096 };

interface Sample {
  readonly design: { readonly heldOut: boolean };
  readonly features: Features;
  readonly measured: Resources;
}

interface UnitSample extends Sample {
  readonly design: UnitReferenceDesign;
  /** Its units (netlist nodes); `features` is their sum. */
  readonly units: StreamUnitFeatures[];
  readonly target: SynthTarget;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function engineOf(model: Model) {
  const layer = model.layers[0];
  if (layer.kind !== "conv2d") throw new Error(`reference design ${model.name} is not a conv layer`);
  return engineConv(layer);
}

/** Yosys's figures of one reference design: from --measured-from's file, or a synthesis (cached by RTL hash). */
type Measured = { lut: number; ff: number; dsp: number; bramBits: number; yosys: string; cached: boolean; seconds: number };
let committed: { yosys: string; designs: CommittedDesign[]; unitDesigns: CommittedDesign[] } | undefined;
interface CommittedDesign {
  readonly name: string;
  readonly results: Record<string, { readonly measured: Resources }>;
}
async function measuredOf(name: string, family: string, set: "designs" | "unitDesigns", synth: () => Promise<Measured>): Promise<Measured> {
  const from = arg("measured-from");
  if (!from) return synth();
  committed ??= JSON.parse(readFileSync(from, "utf8")) as typeof committed;
  const m = committed![set].find((d) => d.name === name)?.results[family]?.measured;
  if (!m) throw new Error(`${from}: no measured ${family} figures for reference design ${name}; synthesize it (drop --measured-from)`);
  return { ...m, yosys: committed!.yosys, cached: true, seconds: 0 };
}

async function collect(family: string): Promise<{ samples: (Sample & { design: ReferenceDesign })[]; yosys: string }> {
  const board = loadBoard(FAMILY_BOARDS[family]);
  const samples: (Sample & { design: ReferenceDesign })[] = [];
  let yosys = "";
  for (const design of referenceDesigns()) {
    const model = referenceModel(design);
    const r = await measuredOf(design.name, family, "designs", () => synthesize(model, board, undefined, { useDsp: design.useDsp }));
    yosys = r.yosys;
    console.error(
      `[fit] ${family} ${design.name}: LUT ${r.lut} FF ${r.ff} DSP ${r.dsp} BRAM ${r.bramBits}${r.cached ? " (cached)" : ` (${r.seconds.toFixed(0)} s)`}`,
    );
    samples.push({
      design,
      features: engineFeatures(engineOf(model), synthTarget(board, design.useDsp)),
      measured: { lut: r.lut, ff: r.ff, dsp: r.dsp, bramBits: r.bramBits },
    });
  }
  return { samples, yosys };
}

async function collectUnits(family: string): Promise<UnitSample[]> {
  const board = loadBoard(FAMILY_BOARDS[family]);
  const target = synthTarget(board);
  const samples: UnitSample[] = [];
  for (const design of unitReferenceDesigns()) {
    const model = unitReferenceModel(design);
    const r = await measuredOf(design.name, family, "unitDesigns", () => synthesize(model, board));
    console.error(
      `[fit] ${family} ${design.name}: LUT ${r.lut} FF ${r.ff} DSP ${r.dsp} BRAM ${r.bramBits}${r.cached ? " (cached)" : ` (${r.seconds.toFixed(0)} s)`}`,
    );
    const features: Features = {};
    const units = buildNetlist(model).nodes.map((node) => {
      const u = streamUnitFeatures(node, target);
      if (!u) throw new Error(`unit reference design ${design.name} has an engine or wire node ${node.name}`);
      for (const [k, v] of Object.entries(u.features)) features[k] = (features[k] ?? 0) + v;
      return u;
    });
    samples.push({ design, features, units, target, measured: { lut: r.lut, ff: r.ff, dsp: r.dsp, bramBits: r.bramBits } });
  }
  return samples;
}

/** The stream-unit fit's estimate of a unit design: each unit as `quantrtl` estimates it (estimateStreamUnit). */
function unitEstimate(s: UnitSample, fit: { resources: Record<ResourceKind, FittedResource>; units: Record<ResourceKind, FittedResource> }): Resources {
  return sumResources(s.units.map((u) => estimateStreamUnit(u, s.target, fit)));
}

/** A unit design's measurement less its sliding windows' share under the engine fit (what the stream-unit formula must explain). */
function residual(s: UnitSample, engineFit: Record<ResourceKind, FittedResource>): Sample {
  const w = unitEstimate(s, { resources: engineFit, units: NO_UNIT_FIT });
  const minus = (k: ResourceKind) => Math.max(0, s.measured[k] - w[k]);
  return { design: s.design, features: s.features, measured: { lut: minus("lut"), ff: minus("ff"), dsp: minus("dsp"), bramBits: minus("bramBits") } };
}

function fitResource(
  kind: ResourceKind,
  samples: readonly Sample[],
  formula: Readonly<Record<ResourceKind, readonly string[]>> = RESOURCE_FORMULA,
): FittedResource {
  const names = formula[kind];
  const train = samples.filter((s) => !s.design.heldOut);
  const weight = (s: Sample) => 1 / Math.max(s.measured[kind], WEIGHT_FLOOR[kind]);
  // block RAM bits and DSP blocks are counted, not fitted: those features are the mapped primitives
  // (src/hw/target.ts mapMemory, dspsForProduct), so each coefficient is 1 and the error is the mapping's;
  // only the other features (a ViT unit's own multipliers, counted per unit) are fitted to what is left
  const counted = names.map((n) => COUNTED.test(n));
  const fitted = names.filter((_, j) => !counted[j]);
  const rest = (s: Sample) => s.measured[kind] - names.reduce((t, n, j) => t + (counted[j] ? (s.features[n] ?? 0) : 0), 0);
  const A = train.map((s) => fitted.map((n) => (s.features[n] ?? 0) * weight(s)));
  const b = train.map((s) => rest(s) * weight(s));
  const xFit = fitted.length ? nnls(A, b) : [];
  const seFit = fitted.length ? standardErrors(A, b, xFit) : [];
  const x = names.map((n, j) => (counted[j] ? 1 : xFit[fitted.indexOf(n)]));
  const se = names.map((n, j) => (counted[j] ? 0 : seFit[fitted.indexOf(n)]));
  const coefficients: FittedResource["coefficients"] = Object.fromEntries(
    names.map((n, j) => [n, { value: round(x[j]), stdError: round(se[j]) }] as const).filter(([, c]) => c.value > 0),
  );
  const pairs = (set: readonly Sample[]) =>
    set.map((s) => ({
      estimate: Math.max(0, Math.round(applyCoefficients(s.features, { coefficients, inSample: EMPTY, heldOut: EMPTY }))),
      measured: s.measured[kind],
    }));
  return {
    coefficients,
    inSample: roundStats(errorStats(pairs(train))),
    heldOut: roundStats(errorStats(pairs(samples.filter((s) => s.design.heldOut)))),
  };
}

/** Features that count primitives (block RAM bits, DSP blocks): coefficient 1, not fitted. */
const COUNTED = /\.(blockBits|dsps)$/;
const EMPTY = { designs: 0, relRms: 0, relWorst: 0, absAtZero: 0 };
/** A stream-unit fit of all zeros: an estimate with it is the windows' share alone. */
const NO_UNIT_FIT = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, { coefficients: {}, inSample: EMPTY, heldOut: EMPTY }])) as Record<
  ResourceKind,
  FittedResource
>;
const round = (v: number) => (Math.abs(v) < 1e-9 ? 0 : Number(v.toPrecision(6)));
const roundStats = (s: typeof EMPTY) => ({ designs: s.designs, relRms: round(s.relRms), relWorst: round(s.relWorst), absAtZero: round(s.absAtZero) });

async function main(): Promise<void> {
  const families = (arg("families") ?? Object.keys(FAMILY_BOARDS).join(",")).split(",").filter((f) => f !== "");
  for (const f of families) if (!(f in FAMILY_BOARDS)) throw new Error(`unknown family "${f}": use ${Object.keys(FAMILY_BOARDS).join(", ")}`);
  const out = resolve(arg("out") ?? join(packageRoot(), RESOURCE_MODEL_FILE));
  const fitted: Record<string, { board: string; resources: Record<ResourceKind, FittedResource>; units: Record<ResourceKind, FittedResource> }> = {};
  const samplesByFamily: Record<string, (Sample & { design: ReferenceDesign })[]> = {};
  const unitSamplesByFamily: Record<string, UnitSample[]> = {};
  let yosys = "";
  for (const family of families) {
    const c = await collect(family);
    yosys = c.yosys;
    samplesByFamily[family] = c.samples;
    const resources = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, fitResource(k, c.samples)])) as Record<ResourceKind, FittedResource>;
    const unitSamples = await collectUnits(family);
    unitSamplesByFamily[family] = unitSamples;
    const residuals = unitSamples.map((s) => residual(s, resources));
    const unitFit = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, fitResource(k, residuals, UNIT_FORMULA)])) as Record<ResourceKind, FittedResource>;
    // the error bars of whole unit designs (a pool's window included), not of the residuals
    const whole = (set: readonly UnitSample[], k: ResourceKind) =>
      roundStats(errorStats(set.map((s) => ({ estimate: unitEstimate(s, { resources, units: unitFit })[k], measured: s.measured[k] }))));
    const units = Object.fromEntries(
      RESOURCE_KINDS.map((k) => [
        k,
        {
          ...unitFit[k],
          inSample: whole(
            unitSamples.filter((s) => !s.design.heldOut),
            k,
          ),
          heldOut: whole(
            unitSamples.filter((s) => s.design.heldOut),
            k,
          ),
        },
      ]),
    ) as Record<ResourceKind, FittedResource>;
    fitted[family] = { board: FAMILY_BOARDS[family], resources, units };
  }
  const designs = referenceDesigns();
  const doc: ResourceModelFile = {
    quantrtlResourceModel: 1,
    fittedAt: new Date().toISOString().slice(0, 10),
    generator: `quantrtl ${packageVersion()} scripts/fit-resources.ts`,
    yosys,
    command: `read_verilog <rtl>; <synth>; stat — ${families.map((f) => `${f} (${FAMILY_BOARDS[f]}): ${synthCommand(loadBoard(FAMILY_BOARDS[f]), "<top>")}`).join("; ")}; the mac-nodsp designs without DSP inference`,
    formula: RESOURCE_FORMULA,
    unitFormula: UNIT_FORMULA,
    families: fitted,
    designs: designs.map((d, i) => ({
      name: d.name,
      datapath: d.datapath,
      bits: d.bits,
      useDsp: d.useDsp,
      shape: { ...d.shape },
      heldOut: d.heldOut,
      results: Object.fromEntries(
        families.map((f) => {
          const s = samplesByFamily[f][i];
          return [f, { measured: s.measured, estimate: estimateWithFit(s.features, fitted[f].resources) }];
        }),
      ),
    })),
    unitDesigns: unitReferenceDesigns().map((d, i) => ({
      name: d.name,
      kind: d.kind,
      heldOut: d.heldOut,
      results: Object.fromEntries(
        families.map((f) => [f, { measured: unitSamplesByFamily[f][i].measured, estimate: unitEstimate(unitSamplesByFamily[f][i], fitted[f]) }]),
      ),
    })),
  };
  parseResourceModel(doc, out);
  writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
  for (const f of families) {
    for (const k of RESOURCE_KINDS) {
      const r = fitted[f].resources[k];
      const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
      const u = fitted[f].units[k];
      console.log(
        `${f.padEnd(6)} ${k.padEnd(8)} units: in-sample rms ${pct(u.inSample.relRms)} worst ${pct(u.inSample.relWorst)} (at 0: ${u.inSample.absAtZero}) | held-out rms ${pct(u.heldOut.relRms)} worst ${pct(u.heldOut.relWorst)} (at 0: ${u.heldOut.absAtZero})`,
      );
      console.log(
        `${f.padEnd(6)} ${k.padEnd(8)} in-sample rms ${pct(r.inSample.relRms)} worst ${pct(r.inSample.relWorst)} (at 0: ${r.inSample.absAtZero}) | held-out rms ${pct(r.heldOut.relRms)} worst ${pct(r.heldOut.relWorst)} (at 0: ${r.heldOut.absAtZero})`,
      );
    }
  }
  // per datapath, over fitted and held-out designs together: where the formula fits worse
  for (const f of families) {
    const byDatapath = new Map<string, Sample[]>();
    for (const s of samplesByFamily[f]) {
      const k = `${s.design.datapath}${s.design.useDsp ? "" : "-nodsp"}`;
      byDatapath.set(k, [...(byDatapath.get(k) ?? []), s]);
    }
    const parts = [...byDatapath].map(([k, set]) => {
      const pairs = set.map((s) => ({ estimate: estimateWithFit(s.features, fitted[f].resources).lut, measured: s.measured.lut }));
      return `${k} ${(errorStats(pairs).relRms * 100).toFixed(1)}%`;
    });
    console.log(`${f.padEnd(6)} LUT rms by datapath: ${parts.join(", ")}`);
  }
  console.log(`wrote ${out}`);
}

stopCleanlyOnSignals();
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
