/**
 * Random valid model graphs for the fuzz campaign (scripts/fuzz.ts): seed -> plan ->
 * model JSON, pure and deterministic. A plan holds each layer's structural choices
 * (datapath, widths, shapes, folding, requant style) and a seed; `materialize` turns
 * it into a model document, drawing weights, tables and requant constants from the
 * layer's seed and its input shape, and clamping what a shape change made illegal —
 * so the shrinker (scripts/fuzz-shrink.ts) can edit a plan and re-materialize it.
 * Every generated layer is checked by the loader (parseModel) as it is added.
 */
import { parseModel } from "../src/ir/load.js";
import { MODEL_INPUT, type Model, type TensorSpec } from "../src/ir/model.js";
import { rng } from "../src/ir/inputs.js";

type Doc = Record<string, unknown>;

/** Defects already known and being fixed elsewhere; the generator avoids them only when asked (--avoid-known). */
/** wire-only: found by this campaign (a model of only flatten layers linted with an unused clk); gen now refuses such a model, and the generator never makes one. */
export const KNOWN_ISSUES = ["odd-pool", "odd-conv", "fork-names", "wire-only"] as const;
export type KnownIssue = (typeof KNOWN_ISSUES)[number];

export interface GenerateOptions {
  readonly avoidKnown?: readonly KnownIssue[];
  /** Largest layer count (default 6). */
  readonly maxLayers?: number;
  /** Largest input height/width (default 8). */
  readonly maxSize?: number;
  /** Largest channel count of an input or an engine output (default 6). */
  readonly maxChannels?: number;
}

export interface InputPlan {
  height: number;
  width: number;
  channels: number;
  bits: 1 | 8 | 16;
}

/** One layer's choices; numeric knobs are clamped to the input shape by materialize. */
export interface LayerPlan {
  type: string;
  name: string;
  inputs?: string[];
  seed: number;
  [knob: string]: unknown;
}

export interface Plan {
  name: string;
  input: InputPlan;
  layers: LayerPlan[];
}

/** A small seeded generator over rng (mulberry32, src/sim/inputs.ts). */
export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Seed for a sub-generator. */
  seed(): number {
    return Math.floor(this.next() * 2 ** 31);
  }
}

/** A seed for graph `index` of a campaign seeded `seed`, well spread (two steps of mulberry32). */
export function graphSeed(seed: number, index: number): number {
  const r = new Rand((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  r.float();
  return r.seed();
}

const ROUNDINGS = ["floor", "half_up", "half_away", "half_even"] as const;
/** Stream/instance names the netlist derives from a layer name (src/codegen/netlist.ts); a layer named like one can collide. */
const DERIVED_SUFFIXES = ["_fork0", "_fork1", "_fifoa", "_fifob", "_b0", "_r0", "_q0", "_q1"];

export function generateGraph(seed: number, options: GenerateOptions = {}): { plan: Plan; doc: Doc } {
  const plan = generatePlan(seed, options);
  return { plan, doc: materialize(plan) };
}

/** The loader's view of a plan's prefix (allowUnused: a prefix may still have an open branch). */
function specsOf(plan: Plan): Map<string, TensorSpec> {
  const specs = new Map<string, TensorSpec>([[MODEL_INPUT, plan.input]]);
  if (plan.layers.length === 0) return specs;
  const model = parseModel(materialize(plan), { allowUnused: true });
  for (const l of model.layers) specs.set(l.name, l.output);
  return specs;
}

export function generatePlan(seed: number, options: GenerateOptions = {}): Plan {
  const r = new Rand(seed);
  const maxLayers = options.maxLayers ?? 6;
  const maxSize = options.maxSize ?? 8;
  const maxChannels = options.maxChannels ?? 6;
  const avoid = new Set(options.avoidKnown ?? []);
  const tokens = r.chance(0.25);
  const bits = r.pick([8, 8, 8, 16, 1] as const);
  const input: InputPlan = tokens
    ? { height: r.int(1, 6), width: 1, channels: r.int(1, maxChannels), bits: bits === 1 ? 8 : bits }
    : { height: r.int(1, maxSize), width: r.int(1, maxSize), channels: r.int(1, maxChannels), bits };
  const plan: Plan = { name: `fuzz_${seed}`, input, layers: [] };
  const target = r.int(1, maxLayers);
  let attempts = 0;
  while (plan.layers.length < target && attempts < 200) {
    attempts++;
    const specs = specsOf(plan);
    const lastName = plan.layers.length ? plan.layers[plan.layers.length - 1].name : MODEL_INPUT;
    const current = specs.get(lastName)!;
    if (plan.layers.length && plan.layers[plan.layers.length - 1].type === "argmax") break;
    const room = target - plan.layers.length;
    const step = proposeStep(r, current, lastName, specs, plan, room, maxChannels, avoid);
    if (!step) continue;
    const candidate: Plan = { ...plan, layers: [...plan.layers, ...step] };
    if (avoid.has("odd-pool") && hasOddPool(candidate)) continue;
    if (avoid.has("odd-conv") && hasOddConv(candidate)) continue;
    try {
      specsOf(candidate);
    } catch {
      continue; // the loader rejects this choice here (e.g. a LayerNorm variance bound): draw another
    }
    plan.layers = candidate.layers;
  }
  if (plan.layers.length === 0) plan.layers.push({ type: "relu", name: "l0", seed: r.seed() });
  if (input.bits === 1 && plan.layers[0].type === "relu") plan.input = { ...input, bits: 8 };
  // a 1×1 max pool (any width, reads every row) makes a wires-only graph a design with a unit
  // a graph of wires alone is no hardware (gen refuses it): never generated
  if (isWireOnly(plan)) plan.layers.push({ type: "maxpool", name: freshName(r, plan, [], avoid), seed: r.seed(), kernelSize: [1, 1] });
  return plan;
}

function freshName(r: Rand, plan: Plan, extra: readonly LayerPlan[], avoid: Set<KnownIssue>, forked?: string): string {
  const taken = new Set([MODEL_INPUT, ...plan.layers.map((l) => l.name), ...extra.map((l) => l.name)]);
  const all = [...plan.layers, ...extra];
  // now and then a name the netlist also derives from another layer's name (l1_fork0, l2_fifoa …), most
  // often from the layer that forks here
  if (!avoid.has("fork-names") && all.length > 0 && r.chance(forked ? 0.3 : 0.08)) {
    const from = forked && r.chance(0.7) ? forked : r.pick(all).name;
    const tricky = `${from}${r.pick(DERIVED_SUFFIXES)}`;
    if (!taken.has(tricky) && tricky.length <= 32) return tricky;
  }
  let i = all.length;
  while (taken.has(`l${i}`)) i++;
  return `l${i}`;
}

/** Next layer(s) for the current tensor: one layer, or a short residual branch and its add. */
function proposeStep(
  r: Rand,
  cur: TensorSpec,
  curName: string,
  specs: Map<string, TensorSpec>,
  plan: Plan,
  room: number,
  maxChannels: number,
  avoid: Set<KnownIssue>,
): LayerPlan[] | undefined {
  const out: LayerPlan[] = [];
  let forked: string | undefined;
  const name = () => freshName(r, plan, out, avoid, forked);
  const binary = cur.bits === 1;
  const isTokens = cur.width === 1;
  const kinds: [string, number][] = binary
    ? [
        ["conv2d", 4],
        ["dense", 2],
        ["maxpool", 2],
        ["flatten", 1],
      ]
    : [
        ["conv2d", 6],
        ["dense", 2],
        ["linear", 2],
        ["relu", 1],
        ["maxpool", 2],
        ["avgpool", 1],
        ["global_avgpool", 1],
        ["add", 3],
        ["flatten", 1],
        ["layernorm", 2],
        ["gelu", 2],
        ["softmax", 2],
        ["attention", isTokens ? 3 : 1],
        ["token_embed", cur.height * cur.width <= 16 ? 2 : 0],
        ["token_select", isTokens ? 2 : 0],
        ["argmax", cur.height === 1 && cur.width === 1 && cur.channels <= 64 ? 3 : 0],
      ];
  const total = kinds.reduce((s, [, w]) => s + w, 0);
  let x = r.float() * total;
  const kind = kinds.find(([, w]) => (x -= w) < 0)?.[0] ?? kinds[0][0];
  const seed = () => r.seed();
  switch (kind) {
    case "conv2d":
    case "dense":
    case "linear":
      out.push(engine(r, kind, name(), cur, maxChannels, seed()));
      return out;
    case "maxpool":
    case "avgpool": {
      const k = r.int(1, 3);
      const layer: LayerPlan = {
        type: kind,
        name: name(),
        seed: seed(),
        kernelSize: [k, r.chance(0.8) ? k : r.int(1, 3)],
        stride: r.chance(0.6) ? undefined : [r.int(1, 3), r.int(1, 3)],
      };
      if (kind === "avgpool") Object.assign(layer, { outBits: r.pick([8, 16]), rounding: r.pick(ROUNDINGS), gain: r.int(-2, 2) });
      out.push(layer);
      return out;
    }
    case "global_avgpool":
      out.push({ type: kind, name: name(), seed: seed(), outBits: r.pick([8, 16]), rounding: r.pick(ROUNDINGS), gain: r.int(-2, 2) });
      return out;
    case "relu":
    case "flatten":
      out.push({ type: kind, name: name(), seed: seed() });
      return out;
    case "argmax":
      out.push({ type: kind, name: name(), seed: seed() });
      return out;
    case "add": {
      // the other operand: an earlier tensor of the same shape (a fork), the current one twice, or a fresh branch
      const same = [...specs.entries()]
        .filter(([n, s]) => n !== curName && s.height === cur.height && s.width === cur.width && s.channels === cur.channels && s.bits !== 1)
        .map(([n]) => n);
      const add = (inputs: string[]): LayerPlan => ({
        type: "add",
        name: "",
        inputs,
        seed: seed(),
        multipliers: [r.int(1, 9), r.int(1, 9)],
        shift: r.int(0, 4),
        rounding: r.pick(ROUNDINGS),
        outBits: r.pick([8, 8, 16]),
        relu: r.chance(0.4),
      });
      const mode = r.float();
      forked = curName;
      if (mode < 0.15) {
        const a = add([curName, curName]);
        a.name = name();
        out.push(a);
        return out;
      }
      if (same.length && mode < 0.5) {
        const other = r.pick(same);
        const a = add(r.chance(0.5) ? [curName, other] : [other, curName]);
        a.name = name();
        out.push(a);
        return out;
      }
      if (room < 2) return undefined;
      // a branch of 1–2 shape-keeping layers from the current tensor, then the join
      const branchLength = r.int(1, Math.min(2, room - 1));
      let prev = curName;
      for (let i = 0; i < branchLength; i++) {
        const layer = shapeKeeping(r, name(), cur, seed());
        if (i === 0) layer.inputs = [curName];
        out.push(layer);
        prev = layer.name;
      }
      const a = add(r.chance(0.5) ? [prev, curName] : [curName, prev]);
      a.name = name();
      out.push(a);
      return out;
    }
    case "layernorm":
      out.push({
        type: kind,
        name: name(),
        seed: seed(),
        outBits: r.pick([8, 8, 16]),
        rounding: r.pick(ROUNDINGS),
        perChannel: r.chance(0.7),
        newtonIterations: r.chance(0.3) ? 16 : undefined,
      });
      return out;
    case "gelu": {
      const n = r.chance(0.7) ? 23 : r.int(10, 22);
      out.push({
        type: kind,
        name: name(),
        seed: seed(),
        x0: -r.int(1, Math.min(2000, Math.floor((2 ** 31 - 1) / (2 * 2 ** n)))),
        n,
        sigmoidBits: r.chance(0.7) ? 8 : r.int(4, 10),
        outBits: r.pick([8, 16]),
        rounding: r.pick(ROUNDINGS),
      });
      return out;
    }
    case "softmax": {
      const n = r.chance(0.7) ? 15 : r.int(8, 20);
      out.push({ type: kind, name: name(), seed: seed(), x0: -logUniform(r, 2, Math.floor((2 ** 31 - 1) / 2 ** n)), n, outBits: r.pick([8, 8, 16]) });
      return out;
    }
    case "attention": {
      // attention reads [T, 1, 3·D] int8: a QKV linear in front when the current tensor is not one
      const heads = r.int(1, 3);
      const headDim = r.int(1, 4);
      const D = heads * headDim;
      if (!(isTokens && cur.bits === 8 && cur.channels % 3 === 0 && (cur.channels / 3) % heads === 0)) {
        if (room < 2 || !isTokens) return undefined;
        const qkv = engine(r, "linear", name(), cur, maxChannels, seed());
        Object.assign(qkv, { kernel: "mac", weightBits: 8, outFeatures: 3 * D, out: "requant", outBits: 8, relu: false });
        out.push(qkv);
      }
      const n = r.chance(0.7) ? 15 : r.int(8, 16);
      out.push({
        type: kind,
        name: name(),
        seed: seed(),
        heads,
        x0: -logUniform(r, 20, Math.floor((2 ** 31 - 1) / 2 ** n)),
        n,
        simd: r.int(1, 4),
        outBits: r.pick([8, 8, 16]),
        rounding: r.pick(ROUNDINGS),
      });
      return out;
    }
    case "token_embed":
      out.push({
        type: kind,
        name: name(),
        seed: seed(),
        span: r.pick([10, 100, 300, 40000]),
        outBits: r.pick([8, 8, 16]),
        rounding: r.pick(ROUNDINGS),
        gain: r.int(-2, 2),
      });
      return out;
    case "token_select":
      out.push({ type: kind, name: name(), seed: seed(), index: r.int(0, 6) });
      return out;
  }
  return undefined;
}

function logUniform(r: Rand, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(Math.exp(Math.log(lo) + r.float() * (Math.log(hi) - Math.log(lo))))));
}

/** A conv2d / dense / linear plan on an input of `cur`: datapath by the input's bits, folding not necessarily dividing. */
function engine(r: Rand, type: "conv2d" | "dense" | "linear", name: string, cur: TensorSpec, maxChannels: number, seed: number): LayerPlan {
  const binary = cur.bits === 1;
  const kernel = binary ? "xnor" : r.pick(["mac", "mac", "adder", "shift"]);
  const weightBits = kernel === "xnor" ? 1 : kernel === "adder" ? cur.bits : r.pick([8, 8, 16]);
  const thresholds = binary ? r.chance(0.6) : r.chance(0.12);
  const k = r.pick([1, 2, 3, 3]);
  const layer: LayerPlan = {
    type,
    name,
    seed,
    kernel,
    weightBits,
    outChannels: r.int(1, maxChannels),
    pe: r.int(1, 6),
    simd: r.chance(0.3) ? 64 : r.int(1, 12),
    out: thresholds ? "thresholds" : "requant",
    outBits: r.pick([8, 8, 16]),
    rounding: r.pick(ROUNDINGS),
    perChannel: r.chance(0.3),
    bias: !thresholds && r.chance(0.5),
    relu: !thresholds && r.chance(0.3),
    zeroPoint: !thresholds && r.chance(0.15),
    gain: r.int(-2, 2),
  };
  if (type === "conv2d")
    Object.assign(layer, { kernelSize: [k, r.chance(0.8) ? k : r.pick([1, 2, 3])], stride: [r.int(1, 2), r.int(1, 2)], padding: [r.int(0, 2), r.int(0, 2)] });
  return layer;
}

/** A layer whose output has its input's shape (a residual branch): conv k×k same-padded, relu, layernorm, gelu or a square linear. */
function shapeKeeping(r: Rand, name: string, cur: TensorSpec, seed: number): LayerPlan {
  const kind = r.pick(["conv2d", "conv2d", "relu", "layernorm", "gelu", "linear"]);
  if (kind === "conv2d" || kind === "linear") {
    const layer = engine(r, kind, name, cur, cur.channels, seed);
    const k = r.pick([1, 3]);
    Object.assign(layer, { outChannels: cur.channels, out: "requant" });
    if (kind === "conv2d") Object.assign(layer, { kernelSize: [k, k], stride: [1, 1], padding: [(k - 1) / 2, (k - 1) / 2] });
    return layer;
  }
  if (kind === "relu") return { type: kind, name, seed };
  if (kind === "layernorm") return { type: kind, name, seed, outBits: 8, rounding: r.pick(ROUNDINGS), perChannel: r.chance(0.7) };
  return { type: kind, name, seed, x0: -r.int(1, 120), n: 23, sigmoidBits: 8, outBits: 8, rounding: r.pick(ROUNDINGS) };
}

function loadedOrUndefined(plan: Plan): Model | undefined {
  try {
    return parseModel(materialize(plan), { allowUnused: true });
  } catch {
    return undefined;
  }
}

/** Windows that leave trailing input rows or columns unread: (in + 2·pad − k) not a multiple of the stride. */
function leavesTrailing(l: { input: TensorSpec; kernel: readonly number[]; stride: readonly number[] }, padding: readonly number[] = [0, 0]): boolean {
  return (l.input.height + 2 * padding[0] - l.kernel[0]) % l.stride[0] !== 0 || (l.input.width + 2 * padding[1] - l.kernel[1]) % l.stride[1] !== 0;
}

/** True when a max/avg pool leaves trailing input rows or columns unread (the known odd-pool harness defect). */
export function hasOddPool(plan: Plan): boolean {
  return loadedOrUndefined(plan)?.layers.some((l) => (l.kind === "maxpool" || l.kind === "avgpool") && leavesTrailing(l)) ?? false;
}

/** The same for a strided conv2d (same symptom: verify stops before an earlier tap has drained). */
export function hasOddConv(plan: Plan): boolean {
  return loadedOrUndefined(plan)?.layers.some((l) => l.kind === "conv2d" && leavesTrailing(l, l.padding)) ?? false;
}

/** True when a layer is named like a stream or instance the netlist derives from another layer's name. */
export function hasDerivedName(plan: Plan): boolean {
  const names = new Set([MODEL_INPUT, ...plan.layers.map((l) => l.name)]);
  return plan.layers.some((l) => DERIVED_SUFFIXES.some((s) => l.name.endsWith(s) && names.has(l.name.slice(0, -s.length))));
}

/** True when every layer is a flatten (a design of wires only). */
export function isWireOnly(plan: Plan): boolean {
  return plan.layers.every((l) => l.type === "flatten");
}

export function knownIssuesOf(plan: Plan): KnownIssue[] {
  const known: KnownIssue[] = [];
  if (hasOddPool(plan)) known.push("odd-pool");
  if (hasOddConv(plan)) known.push("odd-conv");
  if (hasDerivedName(plan)) known.push("fork-names");
  if (isWireOnly(plan)) known.push("wire-only");
  return known;
}

/** Short descriptions of a plan's layers for the progress line: conv2d:mac8, add, attention … */
export function planKinds(plan: Plan): string[] {
  return plan.layers.map((l) => (["conv2d", "dense", "linear"].includes(l.type) ? `${l.type}:${l.kernel}${l.weightBits}` : l.type));
}

// ---------------------------------------------------------------------------------------------
// materialize: plan -> model document

const signedRange = (bits: number) => [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] as const;

/** Multiplier in [2^14, 2^16) and shift with multiplier / 2^shift ≈ scale (clamped to what the requant fields allow). */
function dyadic(scale: number): { multiplier: number; shift: number } {
  let shift = Math.ceil(Math.log2(2 ** 15 / scale));
  shift = Math.max(0, Math.min(62, shift));
  const multiplier = Math.max(0, Math.min(2 ** 16 - 1, Math.round(scale * 2 ** shift)));
  return { multiplier, shift };
}

/** Requant fields mapping an accumulator of typical magnitude `accRms` onto about a third of the output range, times 2^gain. */
function requantFor(accRms: number, outBits: number, gain: number, rounding: string): Doc {
  const target = (2 ** (outBits - 1) / 3) * 2 ** gain;
  return { ...dyadic(target / Math.max(1, accRms)), rounding, outBits };
}

export function materialize(plan: Plan): Doc {
  const specs = new Map<string, TensorSpec>([[MODEL_INPUT, plan.input]]);
  const docs: Doc[] = [];
  plan.layers.forEach((p, i) => {
    const inputNames = p.inputs ?? [i === 0 ? MODEL_INPUT : plan.layers[i - 1].name];
    const ins = inputNames.map((n) => specs.get(n) ?? plan.input);
    const doc = materializeLayer(p, ins[0]);
    if (p.inputs) doc.inputs = p.inputs;
    docs.push(doc);
    // shapes for the next layers from the loader itself, so materialize and parseModel never disagree
    try {
      const model = parseModel({ quantrtl: 1, name: plan.name, input: plan.input, layers: docs }, { allowUnused: true });
      specs.set(p.name, model.layers[i].output);
    } catch {
      specs.set(p.name, ins[0]); // invalid from here on; parseModel of the whole document reports it
    }
  });
  return { quantrtl: 1, name: plan.name, input: { ...plan.input }, layers: docs };
}

function materializeLayer(p: LayerPlan, input: TensorSpec): Doc {
  const r = new Rand(p.seed);
  const base: Doc = { type: p.type, name: p.name };
  const xRms = input.bits === 1 ? 1 : signedRange(input.bits)[1] / 2;
  switch (p.type) {
    case "conv2d":
    case "dense":
    case "linear":
      return { ...base, ...engineFields(p, input, r) };
    case "relu":
    case "flatten":
      return base;
    case "argmax":
      return base;
    case "maxpool":
    case "avgpool": {
      const ks = p.kernelSize as number[];
      const kernelSize = [Math.min(ks[0], input.height), Math.min(ks[1], input.width)];
      const doc: Doc = { ...base, kernelSize };
      if (p.stride) doc.stride = p.stride;
      if (p.type === "avgpool") doc.requant = requantFor(xRms * kernelSize[0] * kernelSize[1], p.outBits as number, p.gain as number, p.rounding as string);
      return doc;
    }
    case "global_avgpool":
      return { ...base, requant: requantFor(xRms * input.height * input.width, p.outBits as number, p.gain as number, p.rounding as string) };
    case "add":
      return { ...base, multipliers: p.multipliers, shift: p.shift, rounding: p.rounding, outBits: p.outBits, relu: p.relu };
    case "layernorm": {
      const C = input.channels;
      const doc: Doc = {
        ...base,
        biasInt: Array.from({ length: C }, () => Math.round((r.float() - 0.5) * 2 ** 29)),
        requant: p.perChannel
          ? {
              multipliers: Array.from({ length: C }, () => (r.chance(0.3) ? -1 : 1) * r.int(20000, 60000)),
              shift: 30,
              rounding: p.rounding,
              outBits: p.outBits,
            }
          : { multiplier: r.int(20000, 60000), shift: 30, rounding: p.rounding, outBits: p.outBits },
      };
      if (p.newtonIterations !== undefined) doc.newtonIterations = p.newtonIterations;
      return doc;
    }
    case "gelu": {
      const sigmoidBits = p.sigmoidBits as number;
      // y = x·sig reaches 2^(inBits − 1 + sigmoidBits − 1)
      const yMax = 2 ** (input.bits - 1 + sigmoidBits - 1);
      return { ...base, x0: p.x0, n: p.n, sigmoidBits, requant: requantFor(yMax / 4, p.outBits as number, 0, p.rounding as string) };
    }
    case "softmax":
      return { ...base, x0: p.x0, n: p.n, outBits: p.outBits };
    case "attention": {
      const D = Math.max(1, Math.floor(input.channels / 3));
      let heads = Math.min(p.heads as number, D);
      while (D % heads !== 0) heads--;
      const headDim = D / heads;
      let simd = Math.min(p.simd as number, headDim);
      while (headDim % simd !== 0) simd--;
      // A·V: Σ p·v with Σp ≈ 127 and |v| ≤ 128
      return { ...base, heads, x0: p.x0, n: p.n, arch: { simd }, requant: requantFor(127 * 40, p.outBits as number, 0, p.rounding as string) };
    }
    case "token_embed": {
      const T = input.height * input.width;
      const span = Math.min(p.span as number, 2 ** 30);
      const outBits = p.outBits as number;
      return {
        ...base,
        embedding: Array.from({ length: (T + 1) * input.channels }, () => Math.round((r.float() * 2 - 1) * span)),
        requant: requantFor(xRms, outBits, p.gain as number, p.rounding as string),
      };
    }
    case "token_select":
      return { ...base, index: Math.max(0, Math.min(p.index as number, input.height - 1)) };
  }
  throw new Error(`materialize: unknown layer type ${p.type}`);
}

function engineFields(p: LayerPlan, input: TensorSpec, r: Rand): Doc {
  const kernel = p.kernel as string;
  const binaryIn = input.bits === 1;
  const ab = input.bits;
  const wb = kernel === "xnor" ? 1 : kernel === "adder" ? ab : (p.weightBits as number);
  const oc = p.outChannels as number;
  let kh = 1;
  let kw = 1;
  let stride = [1, 1];
  let padding = [0, 0];
  if (p.type === "conv2d") {
    const ks = p.kernelSize as number[];
    const pad = p.padding as number[];
    kh = ks[0];
    kw = ks[1];
    padding = [Math.min(pad[0], kh - 1), Math.min(pad[1], kw - 1)];
    kh = Math.min(kh, input.height + 2 * padding[0]);
    kw = Math.min(kw, input.width + 2 * padding[1]);
    padding = [Math.min(padding[0], kh - 1), Math.min(padding[1], kw - 1)];
    stride = p.stride as number[];
  }
  const inChannels = p.type === "dense" ? input.height * input.width * input.channels : input.channels;
  const K = kh * kw * inChannels;
  const [wlo, whi] = signedRange(wb === 1 ? 2 : wb);
  const drawWeight = () => {
    if (kernel === "xnor") return r.chance(0.5) ? -1 : 1;
    if (kernel === "shift") return r.chance(0.15) ? 0 : (r.chance(0.5) ? -1 : 1) * 2 ** r.int(0, wb - 2);
    return r.int(wlo, whi);
  };
  const weights = Array.from({ length: oc * K }, drawWeight);
  const xA = binaryIn ? 1 : 2 ** (ab - 1);
  const wA = kernel === "xnor" ? 1 : kernel === "shift" ? 2 ** (wb - 3) : 2 ** (wb - 1);
  // typical |acc|: √K·x·w for products; the adder's −Σ|x−w| is centred by a bias of about K·(2/3)·A
  const accRms = kernel === "xnor" ? Math.sqrt(K) : kernel === "adder" ? Math.sqrt(K) * xA * 0.5 : Math.sqrt(K) * (xA / 2) * (wA / 2);
  const fields: Doc = {
    datapath: kernel,
    weightBits: wb,
    activationBits: ab,
    weights,
    arch: { pe: Math.min(p.pe as number, oc), simd: Math.min(p.simd as number, K) },
  };
  if (p.type === "conv2d") Object.assign(fields, { outChannels: oc, kernelSize: [kh, kw], stride, padding });
  else fields.outFeatures = oc;
  if (p.out === "thresholds") {
    const spread = kernel === "xnor" ? K / 2 : accRms;
    fields.thresholds = Array.from({ length: oc }, () => Math.round((r.float() - 0.5) * spread));
    if (r.chance(0.3)) fields.thresholdDirections = Array.from({ length: oc }, () => (r.chance(0.5) ? "ge" : "le"));
    return fields;
  }
  const outBits = p.outBits as number;
  const rq = requantFor(accRms, outBits, p.gain as number, p.rounding as string);
  if (p.perChannel) {
    const m = rq.multiplier as number;
    rq.multipliers = Array.from({ length: oc }, () => (r.chance(0.25) ? -1 : 1) * Math.min(2 ** 16 - 1, Math.round(m * (0.5 + r.float()))));
    delete rq.multiplier;
  }
  if (p.zeroPoint) rq.zeroPoint = r.int(-(2 ** (outBits - 3)), 2 ** (outBits - 3));
  fields.requant = rq;
  if (p.relu) fields.relu = true;
  if (p.bias || kernel === "adder") {
    const centre = kernel === "adder" ? Math.round(K * (2 / 3) * xA) : 0;
    fields.bias = Array.from({ length: oc }, () => centre + (p.bias ? Math.round((r.float() - 0.5) * accRms) : 0));
  }
  return fields;
}
