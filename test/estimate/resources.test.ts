/**
 * The fitted resource model (src/estimate/resources.ts, hw/resource-model.json,
 * scripts/fit-resources.ts): the committed coefficients validate, a held-out
 * reference design's estimate lies within the committed error bar of a real Yosys
 * run (no mock: @yowasp/yosys, cached by RTL hash), and a family without a fit is
 * a clear error. The least-squares solver is checked on hand-made systems.
 */
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadBoard } from "../../src/ir/board.js";
import { engineLayers } from "../../src/ir/model.js";
import { synthesize } from "../../src/synth/index.js";
import { referenceDesigns, referenceModel } from "../../src/estimate/reference-designs.js";
import { unitReferenceDesigns, unitReferenceModel } from "../../src/estimate/unit-reference-designs.js";
import { errorBars, estimateEngine, parseResourceModel, RESOURCE_FORMULA, RESOURCE_KINDS, resourceModel, UNIT_FORMULA } from "../../src/estimate/resources.js";
import { estimateModel } from "../../src/estimate/model.js";
import { errorStats, nnls, standardErrors } from "../../src/estimate/fit.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { ROOT } from "../helpers/cli.js";
import { convModel, firstConv } from "../helpers/models.js";

const committedDoc = () => JSON.parse(readFileSync(join(ROOT, "hw", "resource-model.json"), "utf8")) as Record<string, unknown>;

describe("hw/resource-model.json", () => {
  test("validates, fits every family a bundled board uses, and names only features of the formula", () => {
    const m = parseResourceModel(committedDoc());
    expect(Object.keys(m.families).sort()).toEqual(["ecp5", "ice40", "xilinx"]);
    expect(m.formula).toEqual(RESOURCE_FORMULA);
    for (const f of Object.values(m.families)) {
      for (const k of RESOURCE_KINDS) {
        const r = f.resources[k];
        expect(r.inSample.designs + r.heldOut.designs).toBe(referenceDesigns().length);
        expect(r.heldOut.designs).toBe(referenceDesigns().filter((d) => d.heldOut).length);
        for (const c of Object.values(r.coefficients)) expect(c.value).toBeGreaterThan(0);
      }
    }
    // every reference design is listed with its measured and estimated figures per family
    expect(m.designs.map((d) => d.name)).toEqual(referenceDesigns().map((d) => d.name));
  });

  test("the stream-unit formula is fitted per family on the unit reference designs, one size of each kind held out", () => {
    const m = parseResourceModel(committedDoc());
    expect(m.unitFormula).toEqual(UNIT_FORMULA);
    const designs = unitReferenceDesigns();
    expect(new Set(designs.filter((d) => d.heldOut).map((d) => d.kind)).size).toBe(new Set(designs.map((d) => d.kind)).size);
    for (const f of Object.values(m.families)) {
      for (const k of RESOURCE_KINDS) {
        expect(f.units[k].inSample.designs + f.units[k].heldOut.designs).toBe(designs.length);
        expect(f.units[k].heldOut.designs).toBe(designs.filter((d) => d.heldOut).length);
      }
    }
    expect(m.unitDesigns.map((d) => d.name)).toEqual(designs.map((d) => d.name));
  });

  test("a malformed file is one error naming the place", () => {
    const doc = committedDoc();
    const families = doc.families as Record<string, { resources: { lut: { coefficients: Record<string, unknown> } } }>;
    families.ice40.resources.lut.coefficients["mvu.adderLaneBits"] = { value: -1, stdError: 0 };
    expect(() => parseResourceModel(doc, "m.json")).toThrow(/\/families\/ice40\/resources\/lut\/coefficients\/mvu\.adderLaneBits\/value/);
    const other = committedDoc();
    (other.families as Record<string, { resources: { lut: { coefficients: Record<string, unknown> } } }>).xilinx.resources.lut.coefficients["swu.nonsense"] = {
      value: 1,
      stdError: 0,
    };
    expect(() => parseResourceModel(other, "m.json")).toThrow(/is not a feature of the formula/);
  });
});

describe("estimates", () => {
  test("an unknown Yosys family is a clear error that lists the fitted ones", () => {
    const layer = firstConv(convModel({ kernel: "mac", bits: 8, pe: 2, simd: 4 }));
    const board = { ...loadBoard("pynq-z2"), yosysFamily: "gowin" as never };
    expect(() => estimateEngine(layer, board)).toThrow(QuantrtlError);
    expect(() => estimateEngine(layer, board)).toThrow(/no fitted resource model for the Yosys family "gowin"[\s\S]*fitted families: .*ice40/);
  });

  test("every estimate carries its family's error bar", () => {
    const e = estimateEngine(firstConv(convModel({ kernel: "adder", bits: 8, pe: 2, simd: 4 })), loadBoard("icebreaker"));
    expect(e.source).toBe("yosys-fit");
    expect(e.errorBar).toEqual(errorBars("ice40"));
    for (const k of RESOURCE_KINDS) expect(e.errorBar[k].relWorst).toBeGreaterThanOrEqual(e.errorBar[k].relRms);
  });

  test("a held-out reference design's estimate lies within the committed error bar of a real Yosys run (iCE40)", async () => {
    const design = referenceDesigns().find((d) => d.name === "ref_adder8_s0")!;
    expect(design.heldOut).toBe(true);
    const model = referenceModel(design);
    const board = loadBoard("icebreaker");
    const measured = await synthesize(model, board, undefined, { useDsp: design.useDsp });
    const estimate = estimateEngine(engineLayers(model)[0], board, { useDsp: design.useDsp });
    const bar = errorBars("ice40", resourceModel());
    for (const k of RESOURCE_KINDS) {
      // relative where synthesis found some, absolute where it found none; + 1: the estimate is rounded
      const allowed = (measured[k] > 0 ? bar[k].relWorst * measured[k] : bar[k].absAtZero) + 1;
      expect(Math.abs(estimate[k] - measured[k]), `${k}: estimate ${estimate[k]}, Yosys ${measured[k]}`).toBeLessThanOrEqual(allowed);
    }
  });
});

describe("stream-unit estimates", () => {
  test("a held-out unit design's estimate (argmax over 32 int16) lies within the units' error bar of a real Yosys run (iCE40)", async () => {
    const design = unitReferenceDesigns().find((d) => d.name === "ref_argmax_1x1x32_b16")!;
    expect(design.heldOut).toBe(true);
    const model = unitReferenceModel(design);
    const board = loadBoard("icebreaker");
    const measured = await synthesize(model, board);
    const e = estimateModel(model, board);
    expect(e.engines).toHaveLength(0);
    expect(e.units.map((u) => u.kind)).toEqual(["argmax"]);
    const bar = errorBars("ice40", resourceModel(), "units");
    for (const k of RESOURCE_KINDS) {
      const allowed = (measured[k] > 0 ? bar[k].relWorst * measured[k] : bar[k].absAtZero) + 1;
      expect(Math.abs(e.total[k] - measured[k]), `${k}: estimate ${e.total[k]}, Yosys ${measured[k]}`).toBeLessThanOrEqual(allowed);
    }
  });
});

describe("non-negative least squares", () => {
  test("recovers exact non-negative coefficients from a consistent system, with zero standard errors", () => {
    const A = [
      [1, 0, 2],
      [1, 1, 0],
      [1, 2, 1],
      [1, 3, 5],
    ];
    const x = [2, 0.5, 3];
    const b = A.map((row) => row.reduce((s, a, j) => s + a * x[j], 0));
    const fit = nnls(A, b);
    fit.forEach((v, j) => expect(v).toBeCloseTo(x[j], 9));
    standardErrors(A, b, fit).forEach((s) => expect(s).toBeCloseTo(0, 6));
  });

  test("a coefficient the data would make negative is held at 0 and the rest refit", () => {
    // b = 3·a0 − 1·a1 exactly; with a1's coefficient ≥ 0 the best fit drops it: x0 = Σ a0·b / Σ a0²
    const A = [
      [1, 1],
      [2, 0],
      [3, 1],
    ];
    const b = [2, 6, 8];
    const fit = nnls(A, b);
    expect(fit[1]).toBe(0);
    expect(fit[0]).toBeCloseTo((1 * 2 + 2 * 6 + 3 * 8) / (1 + 4 + 9), 12);
  });

  test("error statistics: relative RMS and worst over measured > 0, the largest estimate where measured is 0", () => {
    const s = errorStats([
      { estimate: 110, measured: 100 },
      { estimate: 80, measured: 100 },
      { estimate: 3, measured: 0 },
    ]);
    expect(s.designs).toBe(3);
    expect(s.relRms).toBeCloseTo(Math.sqrt((0.1 ** 2 + 0.2 ** 2) / 2), 12);
    expect(s.relWorst).toBeCloseTo(0.2, 12);
    expect(s.absAtZero).toBe(3);
  });
});
