/**
 * The whole-model estimate (src/estimate/model.ts): every engine and every other
 * unit of the netlist is counted once, and the total is their sum. The unit lists
 * are checked against the models' JSON (their layer types) and the netlist rule of
 * docs/design.md (a fork before each residual branch, a FIFO on each operand of an add).
 */
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadBoard } from "../../src/ir/board.js";
import { loadModel } from "../../src/ir/load.js";
import { estimateModel } from "../../src/estimate/model.js";
import { RESOURCE_KINDS } from "../../src/estimate/resources.js";
import { ROOT } from "../helpers/cli.js";
import { runJob } from "../helpers/worker.js";

interface EstimatePredictJob {
  estimate: { units: { kind: string; name: string; lut: number }[]; total: Record<string, number> };
  predicted: { units: { name: string }[]; totalResources: Record<string, number> };
}

const types = (file: string) => (JSON.parse(readFileSync(join(ROOT, "models", file), "utf8")) as { layers: { type: string }[] }).layers.map((l) => l.type);
const count = (xs: readonly string[], x: string) => xs.filter((y) => y === x).length;

describe("whole-model estimate", () => {
  test("ResNet-20: every engine; forks, two FIFOs and an add per residual block, the global pool and the argmax", () => {
    const t = types("resnet20-adder-cifar.json");
    const e = estimateModel(loadModel(join(ROOT, "models", "resnet20-adder-cifar.json")), loadBoard("pynq-z2"));
    const kinds = e.units.map((u) => u.kind);
    expect(e.engines).toHaveLength(count(t, "conv2d") + count(t, "dense"));
    expect(count(kinds, "add")).toBe(count(t, "add"));
    expect(count(kinds, "fifo")).toBe(2 * count(t, "add"));
    expect(count(kinds, "fork")).toBe(count(t, "add"));
    expect(count(kinds, "gap")).toBe(1);
    expect(count(kinds, "argmax")).toBe(1);
    for (const k of RESOURCE_KINDS) expect(e.total[k]).toBe([...e.engines, ...e.units].reduce((s, u) => s + u[k], 0));
    // the skip FIFOs hold a whole 32×32×16 tensor: block RAM
    expect(e.units.filter((u) => u.kind === "fifo").some((u) => u.bramBits > 0)).toBe(true);
  });

  // the streaming prediction steps the ViT cycle by cycle (tens of seconds of synchronous work on
  // a loaded machine): both run in a worker thread, the checks here
  test("MNIST ViT: the ViT units and token layers are estimated, and the streaming prediction's total includes them", async () => {
    const t = types("mnist-vit.json");
    const { estimate: e, predicted: perf } = await runJob<EstimatePredictJob>("estimate-predict", {
      file: join(ROOT, "models", "mnist-vit.json"),
      board: "pynq-z2",
    });
    const kinds = e.units.map((u) => u.kind);
    expect(count(kinds, "ln")).toBe(count(t, "layernorm"));
    expect(count(kinds, "attn")).toBe(count(t, "attention"));
    expect(count(kinds, "gelu")).toBe(count(t, "gelu"));
    expect(count(kinds, "tokembed")).toBe(1);
    expect(count(kinds, "toksel")).toBe(1);
    for (const u of e.units.filter((x) => x.kind === "ln" || x.kind === "attn" || x.kind === "gelu")) expect(u.lut, u.name).toBeGreaterThan(0);
    expect(perf.units.map((u) => u.name)).toEqual(e.units.map((u) => u.name));
    expect(perf.totalResources).toEqual(e.total);
  });
});
