/**
 * Cycle models of the non-engine layers (src/hw/units/pool/timing.ts, relu/timing.ts,
 * argmax/timing.ts) stepped by the streaming model with a source and sink that never
 * stall: the closed forms stated in the templates' headers. (The RTL tests in
 * test/hw/layers check the same models against Verilator's measured cycles.)
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../../src/ir/load.js";
import { simulateStream } from "../../../src/perf/streaming.js";
import { PoolReduceTiming } from "../../../src/hw/units/pool/timing.js";

const one = (input: object, layer: object) => parseModel({ quantrtl: 1, name: "t", input, layers: [{ name: "l", ...layer }] });

describe("closed forms at backpressure 0", () => {
  test("global_avgpool: H·W·C + 2 cycles per frame, frames back to back", () => {
    const m = one(
      { height: 5, width: 4, channels: 7, bits: 8 },
      { type: "global_avgpool", requant: { multiplier: 3, shift: 4, rounding: "floor", outBits: 8 } },
    );
    const r = simulateStream(m, 3);
    expect(r.frameCycles).toEqual([142, 142, 142]);
    expect(r.cycles).toBe(3 * 140 + 2);
  });
  test("relu: H·W·C + 1; argmax: C + 1", () => {
    expect(simulateStream(one({ height: 3, width: 2, channels: 4, bits: 16 }, { type: "relu" }), 2).frameCycles).toEqual([25, 25]);
    expect(simulateStream(one({ height: 1, width: 1, channels: 10, bits: 8 }, { type: "argmax" }), 2).frameCycles).toEqual([11, 11]);
  });
  test("maxpool 2×2 on C ≤ KH·KW channels keeps up with the input: about H·W·C per frame", () => {
    const r = simulateStream(one({ height: 8, width: 8, channels: 3, bits: 8 }, { type: "maxpool", kernelSize: 2 }), 4);
    const perFrame = (r.frameEnds[3] - r.frameEnds[1]) / 2;
    expect(perFrame).toBe(8 * 8 * 3);
  });
});

describe("pool reducer handshake", () => {
  test("with its output held, it still takes the slices of earlier positions and stops at the last position", () => {
    const u = new PoolReduceTiming(2, 3); // 2 groups, 3 positions: slices 0..3 accumulate, 4 and 5 complete
    let taken = 0;
    for (let cycle = 0; cycle < 20; cycle++) {
      const ready = u.inReady(false); // the sink never takes
      u.step(ready, false, true, false);
      if (ready) taken++;
    }
    expect(taken).toBe(5); // four accumulating slices and the first completing one
    expect(u.outValid()).toBe(true);
  });
});
