import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runAxi } from "../../src/verify/axi.js";
import { lintVerilator } from "../../src/verify/verilator.js";
import { writeDesignFiles } from "../../src/codegen/write.js";
import { emitAxisTop } from "../../src/codegen/board/axi.js";
import { randomTensor } from "../../src/ir/inputs.js";
import type { Model } from "../../src/ir/model.js";
import { convModel } from "../helpers/models.js";
import { testDir } from "../helpers/temp.js";

const SIMS = ["icarus", "verilator"] as const;

function inputsOf(model: Model, n: number) {
  return Array.from({ length: n }, (_, i) => randomTensor(model.input, 500 + i));
}

describe("AXI4-Stream wrapper lint", () => {
  it.each([
    ["int8", { kernel: "mac", pe: 1, simd: 3 }],
    ["binary", { kernel: "xnor", pe: 5, simd: 9 }],
    ["int16", { kernel: "mac", bits: 16, pe: 1, simd: 3 }],
  ] as const)(
    "%s: verilator --lint-only -Wall is silent on the wrapper and the design under it",
    async (_name, c) => {
      const model = convModel(c);
      const dir = testDir("axi-lint-");
      const { design } = writeDesignFiles(dir, model, inputsOf(model, 1));
      const w = emitAxisTop(model, design.topModule);
      writeFileSync(join(dir, w.path), w.content);
      expect(await lintVerilator(join(dir, "rtl"), [...design.sources, `${w.module}.v`], w.module)).toBe("");
    },
    120_000,
  );
});

describe.each(SIMS)("AXI4-Stream wrapper in %s", (sim) => {
  it("int8 conv: every output beat equals the golden word under random tvalid/tready stalls, protocol clean, registers right", async () => {
    const model = convModel({ kernel: "mac", pe: 1, simd: 3 });
    const frames = 3;
    const r = await runAxi(testDir("axi-mac-"), model, { sim, inputs: inputsOf(model, frames), stall: 0.3, seed: 11 });
    // 6x7x3 in, 6x7x5 out per frame (hand count), one element per beat
    expect(r.beats).toBe(frames * 126);
    expect([r.sent, r.accepted], r.log.slice(0, 3000)).toEqual([r.beats, r.beats]);
    expect(r.expectedBeats).toBe(frames * 210);
    expect(r.received).toBe(r.expectedBeats);
    expect(r.matched).toBe(r.expectedBeats);
    expect([r.mismatches, r.protocolErrors, r.timeout]).toEqual([0, 0, false]);
    expect(r.frameEnds).toHaveLength(frames);
    expect(r.registers.id).toBe(Number.parseInt(model.hash.slice(0, 8), 16));
    expect(r.registers.version).toBe(0x000100); // package.json 0.1.0
    expect([r.registers.frameIn, r.registers.frameOut, r.registers.framesIn, r.registers.framesOut]).toEqual([126, 210, frames, frames]);
    expect(r.registers.status).toBe(0);
    // one frame timed from its first input beat to its last output beat: at least the 210 output beats
    expect(r.registers.lastFrameCycles).toBeGreaterThanOrEqual(210);
    expect(r.registers.lastFrameCycles).toBeLessThanOrEqual(r.frameEnds[frames - 1]);
  }, 600_000);

  it("binary (xnor) conv: 1-bit elements padded to bytes in and out, bit-exact under stalls", async () => {
    const model = convModel({ kernel: "xnor", pe: 5, simd: 9 });
    const r = await runAxi(testDir("axi-xnor-"), model, { sim, inputs: inputsOf(model, 2), stall: 0.4, seed: 5 });
    expect(r.received).toBe(2 * 210);
    expect(r.matched).toBe(r.received);
    expect([r.mismatches, r.protocolErrors, r.timeout]).toEqual([0, 0, false]);
  }, 600_000);

  it("a frame with an early tlast and one with a late tlast set the error bits (W1C), do not hang, and later frames stay exact", async () => {
    const model = convModel({ kernel: "mac", pe: 5, simd: 3 });
    const r = await runAxi(testDir("axi-bad-"), model, { sim, inputs: inputsOf(model, 3), stall: 0.2, seed: 3, malformed: true });
    // frame 0: 63 of 126 beats; frame 1: 126 + 3 extra; frame 2: 126
    expect(r.beats).toBe(63 + 129 + 126);
    expect(r.accepted).toBe(r.beats);
    expect(r.timeout).toBe(false);
    // three output frames: the padded one (tlast checked, data not), then frames 1 and 2 bit-exact
    expect(r.received).toBe(3 * 210);
    expect(r.matched).toBe(r.received);
    expect([r.mismatches, r.protocolErrors]).toEqual([0, 0]);
    expect(r.registers.status).toBe(0b011);
    expect(r.registers.statusAfterClear).toBe(0);
    expect([r.registers.framesIn, r.registers.framesOut]).toEqual([3, 3]);
  }, 600_000);
});
