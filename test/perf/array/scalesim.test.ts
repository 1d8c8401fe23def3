/**
 * The array model against SCALE-Sim v2's own figures (an independent source):
 * AlexNet conv1 and conv2 on a 32×32 array, untiled, both dataflows. The
 * figures are SCALE-Sim v2's "Compute cycles" (scalesim-project/scale-sim-v2 at
 * 22f88b1, run with 1 GiB SRAMs and InterfaceBandwidth CALC, so no stalls;
 * docs/figures.md lists them). conv1 WS, 112,283, is also the figure in
 * SCALE-Sim's own golden COMPUTE_REPORT (test/golden_trace).
 */
import { describe, expect, test } from "vitest";
import { alexnetConv1, alexnetConv2, simulateArray, type ArrayArch, type Workload } from "../../../src/perf/array/index.js";

const SCALE_SIM_32X32: readonly { workload: () => Workload; dataflow: "ws" | "os"; cycles: number }[] = [
  { workload: alexnetConv1, dataflow: "ws", cycles: 112_283 },
  { workload: alexnetConv1, dataflow: "os", cycles: 121_124 },
  { workload: alexnetConv2, dataflow: "ws", cycles: 373_799 },
  { workload: alexnetConv2, dataflow: "os", cycles: 334_831 },
];

function arch(dataflow: "ws" | "os"): ArrayArch {
  // small buffers on purpose: --untiled must enlarge them, not rely on them
  const kb = 64 * 1024;
  return {
    rows: 32,
    cols: 32,
    datapath: "mac",
    dataflow,
    ifmapBufferBytes: kb,
    weightBufferBytes: kb,
    ofmapBufferBytes: kb,
    dramBytesPerCycle: 16,
    clockMHz: 200,
  };
}

describe("array model vs SCALE-Sim v2, 32×32, untiled", () => {
  test.each(SCALE_SIM_32X32.map((c) => [c.workload().name, c.dataflow, c.cycles] as const))(
    "%s %s: within 1 % of SCALE-Sim's %i cycles",
    (name, dataflow, cycles) => {
      const workload = SCALE_SIM_32X32.find((c) => c.workload().name === name && c.dataflow === dataflow)!.workload();
      const report = simulateArray(workload, arch(dataflow), { mapping: "untiled" });
      expect(report.mapping).toBe("untiled");
      expect(report.layers[0].tiling).toMatchObject({ steps: 1 });
      expect(Math.abs(report.total.computeCycles / cycles - 1)).toBeLessThan(0.01);
      // SCALE-Sim reports the 0-based index of the last cycle: one less than the count
      expect(report.total.computeCycles).toBe(cycles + 1);
    },
  );

  test("hand check of the fold formulas on conv1 (M = 55·55 = 3025, K = 11·11·3 = 363, N = 96)", () => {
    // ws: ceil(363/32) = 12 row folds × ceil(96/32) = 3 column folds, each 2·32 + 32 + 3025 − 2 = 3119
    expect(simulateArray(alexnetConv1(), arch("ws"), { mapping: "untiled" }).total.computeCycles).toBe(36 * 3119);
    // os: ceil(3025/32) = 95 row folds × 3, each 32 + 32 + 363 − 2 = 425 (the old 2R + C + T − 2 gave 457: +7.5 %)
    expect(simulateArray(alexnetConv1(), arch("os"), { mapping: "untiled" }).total.computeCycles).toBe(285 * 425);
  });

  test("tiled figures are labelled as such and never below the untiled ones", () => {
    for (const dataflow of ["ws", "os"] as const) {
      const tiled = simulateArray(alexnetConv1(), arch(dataflow));
      expect(tiled.mapping).toBe("tiled");
      expect(tiled.total.untiledComputeCycles).toBe(simulateArray(alexnetConv1(), arch(dataflow), { mapping: "untiled" }).total.computeCycles);
      expect(tiled.total.computeCycles).toBeGreaterThanOrEqual(tiled.total.untiledComputeCycles);
    }
  });
});
