import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { engineLayers } from "../../src/ir/model.js";
import { expandSpace, markPareto, resolveSpace } from "../../src/flows/sweep.js";
import { pointId, pointModel } from "../../src/flows/sweep-point.js";
import { QuantrtlError } from "../../src/util/errors.js";
import type { SweepPointResult } from "../../src/report/sweep-types.js";

const model = loadModel("models/conv3x3-mac-int8.json");
const flagSource = (key: string, list: string) => ({ values: list.split(","), path: `--${key}` });

describe("sweep space", () => {
  test("defaults: the default board, the model's own datapath and width, each engine's folding", () => {
    const space = resolveSpace(model, {});
    expect(space).toEqual({ boards: ["pynq-z2"], datapaths: ["mac"], bits: [null], pe: [null], simd: [null] });
    expect(expandSpace(model, space)).toEqual([{ board: "pynq-z2", datapath: "mac", bits: 8, pe: null, simd: null }]);
  });

  test("points: boards outermost, SIMD innermost; xnor points once whatever the widths", () => {
    const space = resolveSpace(model, {
      boards: flagSource("boards", "pynq-z2,kv260"),
      datapaths: flagSource("datapaths", "adder,xnor"),
      bits: flagSource("bits", "8,16"),
      pe: flagSource("pe", "1,2"),
    });
    const points = expandSpace(model, space);
    // per board: adder 2 widths × 2 pe = 4, xnor 1 width × 2 pe = 2 → 6; two boards → 12
    expect(points).toHaveLength(12);
    expect(points[0]).toEqual({ board: "pynq-z2", datapath: "adder", bits: 8, pe: 1, simd: null });
    expect(points[4]).toEqual({ board: "pynq-z2", datapath: "xnor", bits: 1, pe: 1, simd: null });
    expect(points[6].board).toBe("kv260");
  });

  test("bad values name the flag, or the file and the JSON pointer", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = err(() => resolveSpace(model, { pe: flagSource("pe", "1,x") })) as QuantrtlError;
    expect(e1).toBeInstanceOf(QuantrtlError);
    expect(e1.path).toBe("--pe");
    const e2 = err(() => resolveSpace(model, { boards: { values: ["pynq-z2", "nope"], file: "space.json", path: "/boards" } })) as QuantrtlError;
    expect([e2.file, e2.path]).toEqual(["space.json", "/boards/1"]);
    const e3 = err(() => resolveSpace(model, { bits: flagSource("bits", "32") })) as QuantrtlError;
    expect(e3.path).toBe("--bits");
  });

  test("PE and SIMD are caps: the conv's 16 channels and K = 72 bound them", () => {
    const built = pointModel(model, { board: "pynq-z2", datapath: "adder", bits: 16, pe: 64, simd: 8 });
    if (!("model" in built)) throw new Error(built.notApplicable);
    const [conv] = engineLayers(built.model);
    expect(conv.arch).toEqual({ pe: 16, simd: 8 });
    expect(conv.datapath).toBe("adder");
    expect(conv.weightBits).toBe(16);
    expect(built.model.hash).not.toBe(model.hash);
  });

  test("the point id is content-addressed: same inputs same id, any change another", () => {
    const p = { board: "pynq-z2", datapath: "mac" as const, bits: 8, pe: 2, simd: null };
    expect(pointId(model.hash, p, false)).toBe(pointId(model.hash, { ...p }, false));
    expect(pointId(model.hash, p, false)).not.toBe(pointId(model.hash, { ...p, pe: 4 }, false));
    expect(pointId(model.hash, p, false)).not.toBe(pointId(model.hash, p, true));
  });

  test("markPareto: only points that fit are on the fronts; each 2-D front on its own cost", () => {
    const base = {
      id: "",
      board: "b",
      datapath: "mac" as const,
      bits: 8,
      pe: 1,
      simd: 1,
      cycles: 1,
      intervalCycles: 1,
      exact: true,
      ff: 0,
      dsp: 0,
      bramBits: 0,
      over: [],
      source: "estimate" as const,
    };
    const pts = markPareto([
      { ...base, framesPerSecond: 100, lut: 10, powerW: 3, fits: true }, // fewest LUT
      { ...base, framesPerSecond: 100, lut: 20, powerW: 1, fits: true }, // least power
      { ...base, framesPerSecond: 500, lut: 5, powerW: 0.5, fits: false }, // best on all, but does not fit
      { ...base, framesPerSecond: 50, lut: 30, powerW: 4, fits: true }, // beaten by both
    ]);
    const flags = (p: SweepPointResult) => [p.pareto, p.paretoLut, p.paretoPower];
    expect(pts.map(flags)).toEqual([
      [true, true, false],
      [true, false, true],
      [false, false, false],
      [false, false, false],
    ]);
  });
});
