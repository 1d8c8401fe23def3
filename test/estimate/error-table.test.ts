/** The resource model's error table: percentiles and sets checked on hand-worked numbers. */
import { describe, expect, test } from "vitest";
import { median, nearestRank, renderErrorTable, resourceErrorTable, summarizeErrors } from "../../src/estimate/error-table.js";
import type { ResourceModelFile } from "../../src/estimate/resources.js";

describe("error summary", () => {
  test("median and nearest-rank p90 by hand", () => {
    expect(median([1, 2, 3])).toBe(2);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([])).toBe(0);
    // ten values: p90 is the 9th smallest (ceil(0.9·10) = 9); eleven: the 10th (ceil(9.9) = 10)
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(ten, 0.9)).toBe(9);
    expect(nearestRank([...ten, 11], 0.9)).toBe(10);
    expect(nearestRank([5], 0.9)).toBe(5);
  });

  test("relative errors, the worst design named with its sign, zero measurements counted apart", () => {
    const s = summarizeErrors([
      { name: "a", estimate: 110, measured: 100 }, // +10 %
      { name: "b", estimate: 70, measured: 100 }, // −30 %
      { name: "c", estimate: 100, measured: 100 }, // 0
      { name: "z", estimate: 4, measured: 0 }, // no relative error; differs by 4
    ]);
    expect(s.designs).toBe(4);
    expect(s.median).toBeCloseTo(0.1, 12);
    expect(s.p90).toBeCloseTo(0.3, 12);
    expect(s.worst).toBeCloseTo(0.3, 12);
    expect(s.worstName).toBe("b");
    expect(s.worstSigned).toBeCloseTo(-0.3, 12);
    expect(s.differing).toBe(3);
    expect(s.worstAbs).toBe(30);
  });
});

describe("error table", () => {
  const r = (lut: number, ff: number, dsp = 0, bramBits = 0) => ({ lut, ff, dsp, bramBits });
  const model = {
    families: { xilinx: {} },
    designs: [
      { name: "e1", heldOut: false, results: { xilinx: { measured: r(100, 50, 2), estimate: r(120, 50, 2) } } },
      { name: "e2", heldOut: true, results: { xilinx: { measured: r(200, 80, 4), estimate: r(150, 88, 3) } } },
    ],
    unitDesigns: [{ name: "u1", heldOut: false, results: { xilinx: { measured: r(10, 8, 0, 18432), estimate: r(10, 8, 0, 0) } } }],
  } as unknown as ResourceModelFile;
  const table = resourceErrorTable(model, [{ name: "net", family: "xilinx", estimate: r(900, 100), synthesis: r(1000, 100) }]);

  test("each set apart: engines fitted / held out, units, networks", () => {
    const lut = (set: string) => table.find((e) => e.resource === "lut" && e.set === set)!.summary;
    expect(lut("engines fitted").worstSigned).toBeCloseTo(0.2, 12);
    expect(lut("engines held out").worstSigned).toBeCloseTo(-0.25, 12);
    expect(lut("units fitted").worst).toBe(0);
    expect(lut("networks").worstSigned).toBeCloseTo(-0.1, 12);
    expect(table.some((e) => e.set === "units held out")).toBe(false); // no such design: no row
    const dsp = table.find((e) => e.resource === "dsp" && e.set === "engines held out")!.summary;
    expect([dsp.differing, dsp.worstAbs]).toEqual([1, 1]);
    const bram = table.find((e) => e.resource === "bramBits" && e.set === "units fitted")!.summary;
    expect([bram.differing, bram.worstAbs]).toEqual([1, 18432]);
  });

  test("rendered: LUT/FF rows with median, p90 and the worst design; DSP/BRAM rows with differing counts", () => {
    const md = renderErrorTable(table);
    expect(md).toContain("| xilinx | LUT engines held out | 1 | 25.0 % | 25.0 % | −25.0 % | e2 |");
    expect(md).toContain("| xilinx | FF engines held out | 1 | 10.0 % | 10.0 % | +10.0 % | e2 |");
    expect(md).toContain("| xilinx | BRAM units fitted | 1 | 1 | 18432 bits |");
  });
});
