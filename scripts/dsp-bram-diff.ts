#!/usr/bin/env node
/**
 * DSP and block-RAM estimates against Yosys on every committed reference design,
 * without running Yosys: today's estimate of each engine and unit reference design
 * (hw/resource-model.json) and of each whole network (hw/network-validation.json)
 * beside the figures Yosys measured for it. Prints, per family and design set, how
 * many designs differ in DSP count or block-RAM bits and the worst difference
 * (estimate − measured); `--list` names every design that differs.
 *
 * usage: node dist/scripts/dsp-bram-diff.js [--list]
 */
import { loadBoard } from "../src/ir/board.js";
import { referenceDesigns, referenceModel } from "../src/estimate/reference-designs.js";
import { unitReferenceDesigns, unitReferenceModel } from "../src/estimate/unit-reference-designs.js";
import { engineConv } from "../src/ir/model.js";
import { estimateEngine, resourceModel, Resources, sumResources } from "../src/estimate/resources.js";
import { estimateModel, estimateUnits } from "../src/estimate/model.js";
import { checkedModel, networkValidation } from "../src/flows/validate.js";
import { kernelUsesDsp, parseKernels, variantOf } from "../src/flows/compare.js";
import { packageRoot } from "../src/util/paths.js";

interface Row {
  readonly set: string;
  readonly family: string;
  readonly name: string;
  readonly estimate: Pick<Resources, "dsp" | "bramBits">;
  readonly measured: Pick<Resources, "dsp" | "bramBits">;
}

/** The board each family's reference designs were synthesized for (scripts/fit-resources.ts). */
const FAMILY_BOARDS: Record<string, string> = { xilinx: "pynq-z2", ice40: "icebreaker", ecp5: "ulx3s-85f" };

function rows(): Row[] {
  const out: Row[] = [];
  const file = resourceModel();
  const designs = referenceDesigns();
  for (const d of file.designs) {
    const design = designs.find((x) => x.name === d.name);
    if (!design) throw new Error(`reference design ${d.name} is no longer defined`);
    const layer = referenceModel(design).layers[0];
    if (layer.kind !== "conv2d") throw new Error(`reference design ${d.name} is not a conv layer`);
    for (const [family, r] of Object.entries(d.results)) {
      const e = estimateEngine(engineConv(layer), loadBoard(FAMILY_BOARDS[family]), { useDsp: d.useDsp });
      out.push({ set: "engines", family, name: d.name, estimate: e, measured: r.measured });
    }
  }
  const units = unitReferenceDesigns();
  for (const d of file.unitDesigns) {
    const design = units.find((x) => x.name === d.name);
    if (!design) throw new Error(`unit reference design ${d.name} is no longer defined`);
    for (const [family, r] of Object.entries(d.results)) {
      const e = sumResources(estimateUnits(unitReferenceModel(design), loadBoard(FAMILY_BOARDS[family])));
      out.push({ set: "units", family, name: d.name, estimate: e, measured: r.measured });
    }
  }
  for (const n of networkValidation().networks) {
    // the estimate of the build only (todaysBuild would also generate its RTL for the key)
    const kernel = parseKernels(n.kernel)[0];
    const e = estimateModel(variantOf(checkedModel(n, packageRoot()), kernel), loadBoard(n.board), { useDsp: kernelUsesDsp(kernel) }).total;
    const fold = n.arch ? ` pe${n.arch.pe}simd${n.arch.simd}` : "";
    out.push({
      set: "networks",
      family: n.family,
      name: `${n.model.replace(/^models\/|\.json$/g, "")} ${n.kernel}${fold}`,
      estimate: e,
      measured: { dsp: n.synthesis.dsp, bramBits: n.synthesis.bram_bits },
    });
  }
  return out;
}

const signed = (v: number) => (v > 0 ? `+${v}` : `${v}`);
const worst = (diffs: readonly number[]) => diffs.reduce((w, d) => (Math.abs(d) > Math.abs(w) ? d : w), 0);

function main(): void {
  const all = rows();
  const list = process.argv.includes("--list");
  console.log("family  set       designs  DSP differ  worst DSP  BRAM differ  worst BRAM bits");
  for (const family of Object.keys(FAMILY_BOARDS)) {
    for (const set of ["engines", "units", "networks"]) {
      const rs = all.filter((r) => r.family === family && r.set === set);
      if (rs.length === 0) continue;
      const dsp = rs.map((r) => r.estimate.dsp - r.measured.dsp);
      const bram = rs.map((r) => r.estimate.bramBits - r.measured.bramBits);
      console.log(
        `${family.padEnd(7)} ${set.padEnd(9)} ${String(rs.length).padStart(7)}  ${String(dsp.filter((d) => d !== 0).length).padStart(10)}  ${signed(worst(dsp)).padStart(9)}  ${String(bram.filter((d) => d !== 0).length).padStart(11)}  ${signed(worst(bram)).padStart(15)}`,
      );
    }
  }
  const differing = all.filter((r) => r.estimate.dsp !== r.measured.dsp || r.estimate.bramBits !== r.measured.bramBits);
  console.log(`${differing.length} of ${all.length} design × family pairs differ in DSP or block-RAM bits`);
  if (list) {
    for (const r of differing) {
      console.log(
        `  ${r.family.padEnd(7)} ${r.name.padEnd(40)} DSP ${r.estimate.dsp} (Yosys ${r.measured.dsp})  BRAM ${r.estimate.bramBits} (Yosys ${r.measured.bramBits})`,
      );
    }
  }
}

main();
