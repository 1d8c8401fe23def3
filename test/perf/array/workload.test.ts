/**
 * Workload IR and builders (src/perf/array/workload.ts, workloads.ts):
 * conv → GEMM lowering, MAC totals against hand-computed layer lists, DeiT
 * token pruning and slimming, and validation errors.
 */
import { describe, expect, test } from "vitest";
import { QuantrtlError } from "../../../src/util/errors.js";
import { alexnetConv1, deitTiny, keptTokens, resnet20Cifar } from "../../../src/perf/array/workloads.js";
import {
  convOutputSize,
  gemmMacs,
  lowerToGemm,
  resolveBits,
  validateWorkload,
  workloadMacs,
  type Workload,
  type WorkloadLayer,
} from "../../../src/perf/array/workload.js";

function errorOf(fn: () => unknown): QuantrtlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof QuantrtlError) return e;
    throw e;
  }
  throw new Error("expected a QuantrtlError");
}

describe("conv → GEMM lowering", () => {
  test("AlexNet conv1 lowers to M = 55·55, K = 11·11·3, N = 96", () => {
    // (227 − 11) / 4 + 1 = 55 output pixels per axis.
    const gemm = lowerToGemm(alexnetConv1().layers[0]);
    expect(gemm.M).toBe(3025);
    expect(gemm.K).toBe(363);
    expect(gemm.N).toBe(96);
    expect(gemm.batch).toBe(1);
    expect(gemm.ifmap).toMatchObject({ kind: "image", outH: 55, outW: 55, channels: 3 });
  });

  test("padding and stride: 3×3 pad 1 stride 2 on 32×32 gives 16×16", () => {
    expect(convOutputSize(32, 3, 2, 1)).toBe(16); // floor((32 + 2 − 3) / 2) + 1 = 15 + 1
    expect(convOutputSize(32, 1, 2, 0)).toBe(16); // floor(31 / 2) + 1
    expect(convOutputSize(7, 3, 1, 0)).toBe(5);
  });

  test("a grouped conv becomes `groups` GEMMs over its channel slice", () => {
    const depthwise: WorkloadLayer = { kind: "conv", name: "dw", inH: 8, inW: 8, inC: 4, outC: 4, kH: 3, kW: 3, stride: 1, pad: 1, groups: 4 };
    const gemm = lowerToGemm(depthwise);
    expect([gemm.M, gemm.K, gemm.N, gemm.batch]).toEqual([64, 9, 1, 4]);
    expect(gemmMacs(gemm)).toBe(8 * 8 * 4 * 9);
  });

  test("a matmul passes through, batch defaulting to 1", () => {
    expect(lowerToGemm({ kind: "matmul", name: "x", M: 5, K: 6, N: 7 })).toMatchObject({ M: 5, K: 6, N: 7, batch: 1 });
    expect(lowerToGemm({ kind: "matmul", name: "x", M: 5, K: 6, N: 7, batch: 3 }).batch).toBe(3);
  });
});

describe("MAC totals", () => {
  test("AlexNet conv1 = 55·55·96·363 = 105,415,200 MACs", () => {
    expect(workloadMacs(alexnetConv1())).toBe(105_415_200);
  });

  test("ResNet-20 (CIFAR) = 40,813,184 MACs, layer by layer", () => {
    // stem: 32·32 pixels × 3·3·3 × 16
    const stem = 32 * 32 * 27 * 16;
    // stage 1: six 3×3 convs 16→16 on 32×32
    const stage1 = 6 * (32 * 32 * 144 * 16);
    // stage 2: 16→32 stride 2 (16×16 out), five 32→32, 1×1 projection 16→32 stride 2
    const stage2 = 16 * 16 * 144 * 32 + 5 * (16 * 16 * 288 * 32) + 16 * 16 * 16 * 32;
    // stage 3: 32→64 stride 2 (8×8 out), five 64→64, projection 32→64
    const stage3 = 8 * 8 * 288 * 64 + 5 * (8 * 8 * 576 * 64) + 8 * 8 * 32 * 64;
    const fc = 64 * 10;
    const expected = stem + stage1 + stage2 + stage3 + fc;
    expect(expected).toBe(40_813_184);
    const workload = resnet20Cifar();
    expect(workloadMacs(workload)).toBe(expected);
    expect(workload.layers).toHaveLength(1 + 18 + 2 + 1);
  });

  test("DeiT-Tiny ≈ 1.3 G MACs per image (1,253,683,200 exactly by the layer list)", () => {
    const t = 197,
      d = 192,
      h = 3,
      mlp = 768;
    const block = t * d * 3 * d + 2 * h * t * (d / h) * t + t * d * d + 2 * t * d * mlp;
    const expected = 196 * (16 * 16 * 3) * d + 12 * block + d * 1000;
    expect(expected).toBe(1_253_683_200);
    expect(workloadMacs(deitTiny())).toBe(expected);
    // docs/figures.md: "~1.3 G MACs per image"
    expect(Math.abs(expected / 1.3e9 - 1)).toBeLessThan(0.05);
    expect(deitTiny().layers).toHaveLength(1 + 12 * 6 + 1);
  });

  test("DeiT attention matmuls carry the head count as batch", () => {
    const layers = deitTiny().layers;
    expect(layers.find((l) => l.name === "blk0.q_kT")).toEqual({ kind: "matmul", name: "blk0.q_kT", M: 197, K: 64, N: 197, batch: 3 });
    expect(layers.find((l) => l.name === "blk0.a_v")).toEqual({ kind: "matmul", name: "blk0.a_v", M: 197, K: 197, N: 64, batch: 3 });
    expect(lowerToGemm(layers[0])).toMatchObject({ M: 196, K: 768, N: 192 });
  });
});

describe("DeiT token pruning and slimming", () => {
  test("kept tokens are ceil(197·keep), at least the class token", () => {
    expect(keptTokens(197, 1)).toBe(197);
    expect(keptTokens(197, 0.7)).toBe(138); // 137.9 → 138
    expect(keptTokens(197, 0.5)).toBe(99); // 98.5 → 99
    expect(keptTokens(197, 0.001)).toBe(1);
  });

  test("keepRatio shrinks M of every matmul in the block and N of Q·Kᵀ and K of A·V", () => {
    const keep = [1, 1, 1, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7];
    const layers = deitTiny({ keepRatio: keep }).layers;
    const get = (name: string) => layers.find((l) => l.name === name) as Extract<WorkloadLayer, { kind: "matmul" }>;
    expect(get("blk2.fc1").M).toBe(197);
    expect(get("blk3.fc1").M).toBe(138);
    expect(get("blk3.q_kT")).toMatchObject({ M: 138, N: 138 });
    expect(get("blk3.a_v")).toMatchObject({ M: 138, K: 138 });
    expect(get("head").M).toBe(1);
  });

  test("dims slims the attention width of a block; the residual stream stays dim", () => {
    const dims = new Array(12).fill(192);
    dims[0] = 96;
    const layers = deitTiny({ dims }).layers;
    const get = (name: string) => layers.find((l) => l.name === name) as Extract<WorkloadLayer, { kind: "matmul" }>;
    expect(get("blk0.qkv")).toMatchObject({ K: 192, N: 288 });
    expect(get("blk0.q_kT")).toMatchObject({ K: 32, batch: 3 });
    expect(get("blk0.proj")).toMatchObject({ K: 96, N: 192 });
    expect(get("blk1.qkv")).toMatchObject({ N: 576 });
  });

  test("invalid DeiT options name the option", () => {
    expect(errorOf(() => deitTiny({ keepRatio: [1, 1] })).path).toBe("keepRatio");
    expect(errorOf(() => deitTiny({ keepRatio: [1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1] })).path).toBe("keepRatio[3]");
    expect(errorOf(() => deitTiny({ dims: [...new Array(11).fill(192), 100] })).path).toBe("dims[11]");
    expect(errorOf(() => deitTiny({ tokens: 100 })).path).toBe("tokens");
    expect(errorOf(() => deitTiny({ heads: 0 })).path).toBe("heads");
  });
});

describe("element widths", () => {
  test("default 8/8/32 → 8; xnor 1-bit; workload then layer overrides", () => {
    const w: Workload = {
      name: "w",
      datapath: "mac",
      bits: { activation: 16 },
      layers: [{ kind: "matmul", name: "a", M: 1, K: 1, N: 1, bits: { weight: 4 } }],
    };
    expect(resolveBits(w, w.layers[0])).toEqual({ activation: 16, weight: 4, accumulator: 32, output: 8 });
    const x: Workload = { name: "x", datapath: "xnor", layers: [{ kind: "matmul", name: "a", M: 1, K: 1, N: 1 }] };
    expect(resolveBits(x, x.layers[0])).toEqual({ activation: 1, weight: 1, accumulator: 32, output: 1 });
  });
});

describe("workload validation", () => {
  const conv: WorkloadLayer = { kind: "conv", name: "c", inH: 8, inW: 8, inC: 4, outC: 8, kH: 3, kW: 3, stride: 1, pad: 1 };
  const wrap = (layer: unknown): Workload => ({ name: "w", datapath: "mac", layers: [layer as WorkloadLayer] });

  test("the reference workloads are valid", () => {
    for (const w of [alexnetConv1(), resnet20Cifar(), deitTiny()]) expect(() => validateWorkload(w)).not.toThrow();
  });

  test("errors carry a JSON pointer to the field", () => {
    expect(errorOf(() => validateWorkload(wrap({ ...conv, kH: 0 }))).path).toBe("/layers/0/kH");
    expect(errorOf(() => validateWorkload(wrap({ ...conv, stride: 1.5 }))).path).toBe("/layers/0/stride");
    expect(errorOf(() => validateWorkload(wrap({ ...conv, pad: -1 }))).path).toBe("/layers/0/pad");
    expect(errorOf(() => validateWorkload(wrap({ ...conv, groups: 3 }))).path).toBe("/layers/0/groups");
    expect(errorOf(() => validateWorkload(wrap({ ...conv, kW: 11 }))).path).toBe("/layers/0/kW");
    expect(errorOf(() => validateWorkload(wrap({ kind: "matmul", name: "m", M: 4, K: 0, N: 2 }))).path).toBe("/layers/0/K");
    expect(errorOf(() => validateWorkload(wrap({ kind: "matmul", name: "m", M: 4, K: 3, N: 2, batch: 0 }))).path).toBe("/layers/0/batch");
    expect(errorOf(() => validateWorkload(wrap({ kind: "pool", name: "p" }))).path).toBe("/layers/0/kind");
    expect(errorOf(() => validateWorkload(wrap({ ...conv, bits: { activation: 0 } }))).path).toBe("/layers/0/bits/activation");
    expect(errorOf(() => validateWorkload({ name: "w", datapath: "mac", layers: [] })).path).toBe("/layers");
    expect(errorOf(() => validateWorkload({ ...wrap(conv), datapath: "fp32" as never })).path).toBe("/datapath");
    const e = errorOf(() => validateWorkload(wrap({ ...conv, kH: 0 })));
    expect(e.problem).toContain('layer "c"');
    expect(e.hint).not.toBe("");
  });
});
