/**
 * Generated names cannot collide: layer names that meet generated ones (`a_fork0`
 * beside the fork of `a`, `reg_fifoa` beside the FIFO of add `reg`, `a_b0` beside
 * a fork branch of `a`, `input_fork0` beside the fork of the model input), names
 * that sanitize alike (`a__b`, `a_b`) or differ only in case (`A`, `a`: one file
 * on macOS), unit and template names (`mvu`, `swu`, `top`, `u_x`) and Verilog
 * keywords (`reg`, `wire`, `module`). The expectations are read from the Verilog
 * text (instances, modules, nets) — not from the naming code.
 */
import { describe, expect, test } from "vitest";
import { generateDesign } from "../../src/codegen/design.js";
import { verifyModel } from "../../src/verify/index.js";
import { convLayer, graphModel } from "../helpers/graph-models.js";
import { expectExact } from "../helpers/rtl.js";

const relu = (name: string, inputs?: string[]) => ({ type: "relu", name, ...(inputs ? { inputs } : {}) });
const add = (name: string, inputs: [string, string]) => ({ type: "add", name, inputs, multipliers: [1, 1], shift: 1, rounding: "half_even", outBits: 8 });

const adversarial = () =>
  graphModel("names", { height: 4, width: 4, channels: 2 }, [
    convLayer({ name: "a", kernel: "mac", inChannels: 2, outChannels: 2, seed: 41, pe: 1, simd: 2, inputs: ["input"] }),
    relu("input_fork0", ["input"]),
    relu("a_fork0", ["a"]),
    relu("mvu", ["a"]),
    relu("a_b0", ["a"]),
    add("reg", ["a_fork0", "mvu"]),
    relu("reg_fifoa", ["reg"]),
    add("wire", ["reg_fifoa", "input_fork0"]),
    add("module", ["wire", "a_b0"]),
    relu("a__b"),
    relu("a_b"),
    relu("A"),
    convLayer({ name: "swu", kernel: "mac", inChannels: 2, outChannels: 2, seed: 42, pe: 2, simd: 2 }),
    relu("top"),
    relu("u_x"),
    { type: "maxpool", name: "s_a", kernelSize: 2, stride: 2 },
  ]);

/** Every `<module> u_<name> (` instance of the top. */
const instances = (top: string) => [...top.matchAll(/^\s+(\w+)\s+(u_\w+)\s*\(/gm)].map((m) => m[2]);
const duplicates = (names: readonly string[]) => names.filter((n, i) => names.indexOf(n) !== i);

describe("generated names", () => {
  test("instances, modules, nets and files of the adversarial model are each unique", () => {
    const design = generateDesign(adversarial(), { taps: true });
    const top = design.files.find((f) => f.path === `rtl/${design.topModule}.v`)!.content;
    const inst = instances(top);
    // one instance per unit: 16 layers + forks (input to 2 consumers: 1, a to 3: 2) + FIFOs (3 adds × 2)
    expect(inst).toHaveLength(16 + 3 + 6);
    expect(duplicates(inst)).toEqual([]);
    const nets = [...top.matchAll(/^\s+wire\s+(?:\[[^\]]+\]\s+)?(\w+)(?:,\s*(\w+))?;/gm)].flatMap((m) => [m[1], m[2]].filter(Boolean));
    expect(duplicates([...nets, ...inst])).toEqual([]);
    const modules = design.files.flatMap((f) => [...f.content.matchAll(/^module\s+(\w+)/gm)].map((m) => m[1]));
    expect(duplicates(modules)).toEqual([]);
    expect(duplicates(design.files.map((f) => f.path.toLowerCase()))).toEqual([]);
  });

  test("a clash renames only the later layer: a_fork0 becomes u_a_fork0_2 beside the fork u_a_fork0; A's file is names_A_2_layer.v", () => {
    const design = generateDesign(adversarial());
    const top = design.files.find((f) => f.path === `rtl/${design.topModule}.v`)!.content;
    const inst = instances(top);
    expect(inst).toContain("u_a_fork0"); // the fork of a, named as before
    expect(inst).toContain("u_a_fork0_2"); // the layer a_fork0
    expect(inst).toContain("u_input_fork0_2"); // the layer input_fork0 beside the input's fork
    expect(inst).toContain("u_reg_fifoa_2");
    expect(inst).toContain("u_a_b_2"); // a_b after a__b (both sanitize to a_b)
    expect(inst).toContain("u_a_b0_2"); // its stream s_a_b0 would be the first fork branch of a
    expect(top).toContain("wire               s_a_b0_2_valid");
    // layers that clash with nothing keep their plain names
    for (const name of ["u_a", "u_mvu", "u_reg", "u_wire", "u_module", "u_swu", "u_top", "u_u_x", "u_s_a"]) expect(inst).toContain(name);
    expect(design.files.map((f) => f.path)).toContain("rtl/names_A_2_layer.v");
    expect(top).toMatch(/^\s+names_a_fork0_2_layer u_a_fork0_2 \(/m);
  });

  test("the adversarial model lints clean and is bit-exact in Verilator at every layer's tap", async () => {
    const r = await verifyModel(adversarial(), { sim: "verilator", vectors: 1, seed: 3, backpressure: 0.2 });
    expectExact(r);
    for (const l of r.layers) {
      expect(l.tapped, l.name).toBe(true);
      expect(l.matched, l.name).toBe(l.expectedWords);
    }
  });
});
