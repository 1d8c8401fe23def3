/**
 * The fuzz generator (scripts/fuzz-graphs.ts) and shrinker (scripts/fuzz-check.ts)
 * without simulators: the same seed gives the same model, every model loads, a few
 * hundred seeds reach every layer type, datapath and width and the graph features the
 * campaign is for (forks, non-dividing foldings, odd maps under a pool, strides,
 * padding), --avoid-known removes exactly the known features, and the greedy shrinker
 * ends at a minimal model that still fails.
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import { LAYER_TYPES } from "../../src/ir/schema.js";
import { engineConv, isEngineLayer, type Model } from "../../src/ir/model.js";
import {
  generateGraph,
  generatePlan,
  graphSeed,
  hasDerivedName,
  hasOddConv,
  hasOddPool,
  isWireOnly,
  materialize,
  type KnownIssue,
} from "../../scripts/fuzz-graphs.js";
import { shrinkCandidates, shrinkPlan } from "../../scripts/fuzz-check.js";

const SEEDS = Array.from({ length: 300 }, (_, i) => graphSeed(7, i));

type Plans = {
  models: Model[];
  plans: ReturnType<typeof generatePlan>[];
  known: { oddPool: boolean; oddConv: boolean; derivedName: boolean; wireOnly: boolean }[];
};
const cache = new Map<string, Plans>();

/** The 300 plans and their loaded models; generated in slices with a yield between, so the worker's event loop stays free. */
async function loadAll(avoid: KnownIssue[] = []): Promise<Plans> {
  const key = avoid.join();
  if (!cache.has(key)) {
    const plans: ReturnType<typeof generatePlan>[] = [];
    const known: Plans["known"] = [];
    for (const s of SEEDS) {
      const plan = generatePlan(s, { avoidKnown: avoid });
      plans.push(plan);
      known.push({ oddPool: hasOddPool(plan), oddConv: hasOddConv(plan), derivedName: hasDerivedName(plan), wireOnly: isWireOnly(plan) });
      if (plans.length % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    cache.set(key, { plans, known, models: plans.map((p) => parseModel(materialize(p))) });
  }
  return cache.get(key)!;
}

describe("fuzz graph generator", () => {
  test("the same seed gives the same model JSON; different seeds give different models", () => {
    for (const s of SEEDS.slice(0, 40)) expect(JSON.stringify(generateGraph(s).doc)).toBe(JSON.stringify(generateGraph(s).doc));
    const distinct = new Set(SEEDS.slice(0, 40).map((s) => JSON.stringify(generateGraph(s).doc)));
    expect(distinct.size).toBe(40);
    // graph seeds of a campaign are spread: no two of 300 collide
    expect(new Set(SEEDS).size).toBe(SEEDS.length);
  });

  test("300 seeds: every model loads, within the size limits, and every layer type, datapath and width appears", async () => {
    const { models } = await loadAll();
    const kinds = new Set<string>();
    const datapaths = new Set<string>();
    for (const m of models) {
      expect(m.layers.length).toBeLessThanOrEqual(6);
      expect(Math.max(m.input.height, m.input.width)).toBeLessThanOrEqual(8);
      for (const l of m.layers) {
        kinds.add(l.kind);
        if (isEngineLayer(l)) datapaths.add(`${l.datapath}${l.weightBits}/${l.input.bits}`);
      }
    }
    // linear parses to conv2d (kernel 1): the raw documents name it
    const rawTypes = new Set((await loadAll()).plans.flatMap((p) => p.layers.map((l) => l.type)));
    expect([...rawTypes].sort()).toEqual([...LAYER_TYPES].sort());
    for (const k of LAYER_TYPES.filter((t) => t !== "linear")) expect(kinds.has(k), k).toBe(true);
    for (const d of ["mac8/8", "mac16/8", "mac8/16", "mac16/16", "adder8/8", "adder16/16", "shift8/8", "shift16/16", "xnor1/1"])
      expect(datapaths.has(d), d).toBe(true);
  });

  test("the graphs include forks, residual joins, non-dividing foldings, strides, padding and odd maps under a pool", async () => {
    const { models } = await loadAll();
    const count = (f: (m: Model) => boolean) => models.filter(f).length;
    const consumers = (m: Model) => {
      const c = new Map<string, number>();
      for (const l of m.layers) for (const n of l.inputs) c.set(n, (c.get(n) ?? 0) + 1);
      return Math.max(...c.values());
    };
    expect(count((m) => consumers(m) >= 2)).toBeGreaterThan(20);
    expect(count((m) => m.layers.some((l) => l.kind === "add" && l.inputs[0] === l.inputs[1]))).toBeGreaterThan(2);
    const engines = models.flatMap((m) => m.layers.filter(isEngineLayer).map(engineConv));
    const K = (c: ReturnType<typeof engineConv>) => c.kernel[0] * c.kernel[1] * c.input.channels;
    expect(engines.filter((c) => c.output.channels % c.arch.pe !== 0).length).toBeGreaterThan(10);
    expect(engines.filter((c) => K(c) % c.arch.simd !== 0).length).toBeGreaterThan(10);
    expect(engines.filter((c) => c.stride[0] > 1 || c.stride[1] > 1).length).toBeGreaterThan(10);
    expect(engines.filter((c) => c.padding[0] > 0 || c.padding[1] > 0).length).toBeGreaterThan(10);
    expect(count((m) => m.layers.some((l) => l.kind === "maxpool" && (l.input.height % 2 === 1 || l.input.width % 2 === 1)))).toBeGreaterThan(5);
  });

  test("--avoid-known drops odd pools, odd strided convs, derived names and wires-only graphs; without it all occur", async () => {
    const free = (await loadAll()).known;
    expect(free.filter((k) => k.oddPool).length).toBeGreaterThan(5);
    expect(free.filter((k) => k.oddConv).length).toBeGreaterThan(5);
    expect(free.filter((k) => k.derivedName).length).toBeGreaterThan(5);
    // wires-only graphs are no hardware (gen refuses them): never generated
    expect(free.filter((k) => k.wireOnly)).toEqual([]);
    const { plans: avoided, known } = await loadAll(["odd-pool", "odd-conv", "fork-names", "wire-only"]);
    expect(known.filter((k) => k.oddPool || k.oddConv || k.derivedName || k.wireOnly)).toEqual([]);
    // what remains is still varied: pools, strided convs and forks
    const kinds = new Set(avoided.flatMap((p) => p.layers.map((l) => l.type)));
    for (const k of ["maxpool", "avgpool", "add", "conv2d"]) expect(kinds.has(k), k).toBe(true);
  });
});

describe("fuzz shrinker", () => {
  test("shrink candidates are each smaller or simpler than the plan, and most load", async () => {
    const plan = (await loadAll()).plans.find((p) => p.layers.length >= 5)!;
    const candidates = shrinkCandidates(plan);
    expect(candidates.length).toBeGreaterThan(10);
    const loading = candidates.filter((c) => {
      try {
        parseModel(materialize(c));
        return true;
      } catch {
        return false;
      }
    });
    expect(loading.length).toBeGreaterThan(candidates.length / 3);
    for (const c of candidates) expect(JSON.stringify(c)).not.toBe(JSON.stringify(plan));
  });

  test("greedy shrinking of a model that 'fails' whenever it holds a gelu ends at one gelu on a 1×1×1 input", async () => {
    const plan = (await loadAll()).plans.find((p) => p.layers.length >= 4 && p.layers.some((l) => l.type === "gelu") && p.layers[0].type !== "gelu")!;
    const check = async (doc: unknown) => {
      const model = parseModel(doc);
      return model.layers.some((l) => l.kind === "gelu") ? { ok: false, category: "mismatch:gelu" } : { ok: true };
    };
    const r = await shrinkPlan(plan, { ok: false, category: "mismatch:gelu" }, check, { avoidKnown: [], budget: 1000 });
    const model = parseModel(materialize(r.plan));
    expect(model.layers.map((l) => l.kind)).toEqual(["gelu"]);
    expect([model.input.height, model.input.width, model.input.channels, model.input.bits]).toEqual([1, 1, 1, 8]);
    expect(r.checks).toBeGreaterThan(0);
  });
});
