/** A tiny model for the board tests (place and route of a whole network under WebAssembly takes minutes): one dense layer, 16-bit in and out (two bytes per element each way on the UART). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rng } from "../../src/ir/inputs.js";

export function writeTinyDense(dir: string): string {
  const next = rng(7);
  const doc = {
    quantrtl: 1,
    name: "tiny-dense",
    input: { height: 1, width: 1, channels: 8, bits: 16 },
    layers: [
      {
        type: "dense",
        name: "fc",
        datapath: "mac",
        outFeatures: 4,
        weightBits: 8,
        activationBits: 16,
        weights: Array.from({ length: 32 }, () => -128 + Math.floor(next() * 256)),
        requant: { multiplier: 1, shift: 10, rounding: "half_even", outBits: 16 },
        arch: { pe: 1, simd: 2 },
      },
    ],
  };
  const file = join(dir, "tiny-dense.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}
