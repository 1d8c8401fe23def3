/** Loading graph models: every new layer type parses to the expected shapes; every malformed graph gets one error with its JSON path. */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { convLayer, graphDoc } from "../helpers/graph-models.js";

const base = () =>
  graphDoc("g", { height: 8, width: 8, channels: 2 }, [
    convLayer({ name: "c1", kernel: "mac", inChannels: 2, outChannels: 4, seed: 1, relu: true }),
    { type: "maxpool", name: "p1", kernelSize: 2 },
    convLayer({ name: "c2", kernel: "adder", inChannels: 4, outChannels: 4, seed: 2 }),
    { type: "add", name: "a", inputs: ["c2", "p1"], multipliers: [1, 2], shift: 1, rounding: "half_up", outBits: 8, relu: true },
    { type: "avgpool", name: "ap", kernelSize: 2, stride: 1, requant: { multiplier: 1, shift: 2, rounding: "half_even", outBits: 8 } },
    { type: "relu", name: "r" },
    { type: "global_avgpool", name: "gap", requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 16 } },
    { type: "flatten", name: "f" },
    {
      type: "dense",
      name: "d",
      kernel: "mac",
      outFeatures: 3,
      weightBits: 8,
      activationBits: 16,
      weights: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      requant: { multipliers: [1, -2, 3], shift: 0, rounding: "floor", outBits: 8 },
    },
    { type: "argmax", name: "cls" },
  ]);

function errorOf(doc: unknown): QuantrtlError {
  try {
    parseModel(doc);
  } catch (err) {
    if (err instanceof QuantrtlError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("graph models load", () => {
  test("shapes and bits follow the graph (pools, add, gap, flatten, dense, argmax)", () => {
    const m = parseModel(base());
    const shapes = Object.fromEntries(m.layers.map((l) => [l.name, [l.output.height, l.output.width, l.output.channels, l.output.bits]]));
    expect(shapes).toEqual({
      c1: [8, 8, 4, 8],
      p1: [4, 4, 4, 8],
      c2: [4, 4, 4, 8],
      a: [4, 4, 4, 8],
      ap: [3, 3, 4, 8],
      r: [3, 3, 4, 8],
      gap: [1, 1, 4, 16],
      f: [1, 1, 4, 16],
      d: [1, 1, 3, 8],
      cls: [1, 1, 1, 8],
    });
    expect(m.layers[3].inputs).toEqual(["c2", "p1"]);
    expect(m.layers[2].inputs).toEqual(["p1"]);
  });

  const cases: { name: string; edit: (d: any) => void; path: string; mentions: string[] }[] = [
    { name: "unknown layer type", edit: (d) => (d.layers[5].type = "softplus"), path: "/layers/5/type", mentions: ["softplus", "relu"] },
    { name: "layer without a type", edit: (d) => delete d.layers[5].type, path: "/layers/5", mentions: ['"type"'] },
    { name: "add with one input", edit: (d) => (d.layers[3].inputs = ["c2"]), path: "/layers/3/inputs", mentions: ["2"] },
    { name: "input naming a later layer", edit: (d) => (d.layers[2].inputs = ["a"]), path: "/layers/2/inputs/0", mentions: ['"a"', "earlier"] },
    { name: "add of different shapes", edit: (d) => (d.layers[3].inputs = ["c2", "c1"]), path: "/layers/3/inputs", mentions: ["4×4×4", "8×8×4"] },
    {
      name: "a dangling branch",
      edit: (d) => ((d.layers[2].inputs = ["c1"]), (d.layers[3].inputs = ["c2", "c2"])),
      path: "/layers/1",
      mentions: ['"p1"', "not used"],
    },
    {
      name: "per-channel multipliers of the wrong count",
      edit: (d) => (d.layers[8].requant.multipliers = [1, 2]),
      path: "/layers/8/requant/multipliers",
      mentions: ["3"],
    },
    { name: "multiplier and multipliers together", edit: (d) => (d.layers[8].requant.multiplier = 4), path: "/layers/8/requant", mentions: ["both"] },
    { name: "argmax over a feature map", edit: (d) => d.layers.splice(6, 4, { type: "argmax", name: "cls" }), path: "/layers/6/inputs", mentions: ["1×1×C"] },
    { name: "pool kernel larger than the input", edit: (d) => (d.layers[1].kernelSize = 9), path: "/layers/1/kernelSize", mentions: ["9", "8"] },
    { name: "a layer named input", edit: (d) => (d.layers[5].name = "input"), path: "/layers/5/name", mentions: ["input"] },
    {
      name: "relu of a binary tensor",
      edit: (d) =>
        d.layers.splice(0, 10, convLayer({ name: "x", kernel: "xnor", bits: 1, inChannels: 2, outChannels: 2, seed: 3 }), { type: "relu", name: "r" }),
      path: "/layers/1",
      mentions: ["binary"],
    },
  ];
  for (const c of cases) {
    test(`error: ${c.name}`, () => {
      const doc = base() as any;
      if (c.name === "relu of a binary tensor") doc.input.bits = 1;
      c.edit(doc);
      const e = errorOf(doc);
      expect(e.path).toBe(c.path);
      for (const m of c.mentions) expect(e.message).toContain(m);
    });
  }
});
