import { describe, expect, test } from "vitest";
import { ADD_FIFO_SHALLOW, buildNetlist } from "../../src/hw/netlist.js";
import { convLayer, graphModel } from "../helpers/graph-models.js";

/** input -> c1 -> c2 -> add(c2, input): the input feeds c1 and the add (a skip over two engines). */
const residual = () =>
  graphModel("res", { height: 5, width: 6, channels: 3 }, [
    convLayer({ name: "c1", kernel: "mac", inChannels: 3, outChannels: 3, seed: 1, relu: true }),
    convLayer({ name: "c2", kernel: "mac", inChannels: 3, outChannels: 3, seed: 2 }),
    { type: "add", name: "sum", inputs: ["c2", "input"], multipliers: [3, 5], shift: 2, rounding: "half_even", outBits: 8, relu: true },
  ]);

describe("stream netlist", () => {
  test("a tensor with two consumers drives one fork; the skip operand of an add gets room for its whole tensor", () => {
    const n = buildNetlist(residual());
    const kinds = n.nodes.map((x) => x.kind);
    expect(kinds.filter((k) => k === "fork")).toHaveLength(1);
    const fifos = n.nodes.filter((x) => x.kind === "fifo");
    expect(fifos).toHaveLength(2);
    // operand a = c2 (two engines deep), operand b = the model input (zero engines): b is the skip path
    const depths = Object.fromEntries(fifos.map((f) => [f.name, f.kind === "fifo" ? f.depth : 0]));
    expect(depths).toEqual({ sum_fifoa: ADD_FIFO_SHALLOW, sum_fifob: 5 * 6 * 3 });
    // the fork's input is the model input stream, and every stream has exactly one consumer
    const fork = n.nodes.find((x) => x.kind === "fork")!;
    expect(fork.kind === "fork" && fork.input).toBe(n.inputStream);
    const consumed = n.nodes.flatMap((x) => (x.kind === "layer" ? x.inputs : [x.input]));
    expect(new Set(consumed).size).toBe(consumed.length);
    expect(consumed).not.toContain(n.outputStream);
  });

  test("flatten is a wire: its consumer reads the producer's stream", () => {
    const m = graphModel("fl", { height: 2, width: 2, channels: 2 }, [
      convLayer({ name: "c", kernel: "mac", inChannels: 2, outChannels: 2, kernelSize: 1, seed: 3 }),
      { type: "flatten", name: "f" },
      {
        type: "dense",
        name: "d",
        kernel: "mac",
        outFeatures: 3,
        weightBits: 8,
        activationBits: 8,
        weights: Array.from({ length: 24 }, (_, i) => i - 12),
        requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 16 },
      },
    ]);
    const n = buildNetlist(m);
    expect(n.nodes.map((x) => x.kind)).toEqual(["layer", "layer"]);
    const [c, d] = n.nodes;
    expect(d.kind === "layer" && d.inputs[0]).toBe(c.kind === "layer" ? c.output : -1);
    expect(n.layerStreams[1]).toBe(n.layerStreams[0]);
  });
});
