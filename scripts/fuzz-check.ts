/**
 * One fuzz graph checked end to end, and a failing one shrunk. The check is the
 * project's proof (src/verify verifyModel: golden = RTL on every layer's tap, lint
 * silent) in Verilator with back-pressure, again at back-pressure 0 where measured
 * cycles must equal the streaming model's prediction, and in Icarus when asked
 * (same stalls, so the same cycle count as Verilator). A failure gets a category
 * (load, error, lint, mismatch:<kind>, timeout, incomplete, cycles, icarus-cycles);
 * the shrinker keeps a smaller plan only when it fails in the same category.
 */
import { rmSync } from "node:fs";
import { parseModel } from "../src/ir/load.js";
import { tensorSize, type IntTensor, type Model } from "../src/ir/model.js";
import { verifyModel, type SimulatorName, type VerifyReport } from "../src/verify/index.js";
import { ToolError } from "../src/util/errors.js";
import { KnownIssue, knownIssuesOf, materialize, Plan, LayerPlan } from "./fuzz-graphs.js";
import { MODEL_INPUT } from "../src/ir/model.js";

export type SimChoice = SimulatorName | "both";

export interface CheckOptions {
  readonly sim: SimChoice;
  readonly vectors: number;
  /** Harness stall seed and input seed. */
  readonly seed: number;
  /** Stall probability of the first run (the second runs at 0). */
  readonly backpressure: number;
  /** Test hook: change one golden word of the first layer of this kind (proves a failure is caught, shrunk and saved). */
  readonly tamperKind?: string;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly category?: string;
  readonly detail?: string;
}

const firstLine = (s: string) => s.split("\n")[0].slice(0, 300);

/** Why a report is not bit-exact, as a category and a one-line detail. */
function verdict(r: VerifyReport, model: Model, sim: string): CheckResult {
  if (r.lint !== "") return { ok: false, category: "lint", detail: `${sim}: ${firstLine(r.lint)}` };
  if (r.mismatches.length > 0) {
    const m = r.mismatches[0];
    const kind = model.layers.find((l) => l.name === m.layer)?.kind ?? "?";
    return {
      ok: false,
      category: `mismatch:${kind}`,
      detail: `${sim} bp ${r.backpressure}: layer ${m.layer} vector ${m.vector} element ${m.index} (y ${m.position.y}, x ${m.position.x}, c ${m.position.c}) expected ${m.expected} got ${m.actual}`,
    };
  }
  if (r.timeout)
    return { ok: false, category: "timeout", detail: `${sim} bp ${r.backpressure}: ${r.compared}/${r.expectedWords} output words before the cycle limit` };
  // a tapped layer that matched fewer words than its tensors hold (the harness stopped early, or the tap missed words)
  const short = r.layers
    .map((l, i) => ({ l, want: tensorSize(model.layers[i].output) * r.vectors }))
    .filter(({ l, want }) => l.tapped && l.matched < want)
    .map(({ l, want }) => `${l.name} (${model.layers.find((x) => x.name === l.name)!.kind}) ${l.matched}/${want}`);
  return {
    ok: false,
    category: "incomplete",
    detail: `${sim} bp ${r.backpressure}: output ${r.matched}/${r.expectedWords}; short taps: ${short.join(", ") || "none"}`,
  };
}

/** A different value of the same width: ±1 flips sign, an integer moves by one inside its range. */
function nudge(x: number, bits: number): number {
  if (bits === 1) return -x;
  return x === 2 ** (bits - 1) - 1 ? x - 1 : x + 1;
}

async function verifyOnce(model: Model, sim: SimulatorName, o: CheckOptions, backpressure: number): Promise<VerifyReport> {
  const target = o.tamperKind === undefined ? -1 : model.layers.findIndex((l) => l.kind === o.tamperKind);
  const tamper =
    target < 0
      ? {}
      : {
          tamperLayer: target,
          tamperExpected: (ts: IntTensor[]) => ts.map((t, v) => (v === 0 ? { ...t, data: t.data.map((x, i) => (i === 0 ? nudge(x, t.bits) : x)) } : t)),
        };
  const r = await verifyModel(model, { sim, vectors: o.vectors, seed: o.seed, backpressure, ...tamper });
  // a failed proof keeps its folder for an engineer; the campaign saves the shrunk model instead
  if (!r.bitExact && r.outDir) rmSync(r.outDir, { recursive: true, force: true });
  return r;
}

export async function checkDoc(doc: unknown, o: CheckOptions): Promise<CheckResult> {
  let model: Model;
  try {
    model = parseModel(doc);
  } catch (err) {
    return { ok: false, category: "load", detail: firstLine((err as Error).message) };
  }
  try {
    const sims: SimulatorName[] = o.sim === "both" ? ["verilator", "icarus"] : [o.sim];
    const stalled: VerifyReport[] = [];
    for (const sim of sims) {
      const r = await verifyOnce(model, sim, o, o.backpressure);
      if (!r.bitExact) return verdict(r, model, sim);
      stalled.push(r);
    }
    if (stalled.length === 2 && stalled[0].cycles !== stalled[1].cycles) {
      return { ok: false, category: "icarus-cycles", detail: `bp ${o.backpressure}: verilator ${stalled[0].cycles} cycles, icarus ${stalled[1].cycles}` };
    }
    const r0 = await verifyOnce(model, sims[0], o, 0);
    if (!r0.bitExact) return verdict(r0, model, sims[0]);
    if (r0.cycles !== r0.predicted.cycles || r0.frameCycles.join() !== r0.predicted.frameCycles.join()) {
      return {
        ok: false,
        category: "cycles",
        detail: `${sims[0]} bp 0: measured ${r0.cycles} (frames ${r0.frameCycles.join(", ")}), predicted ${r0.predicted.cycles} (frames ${r0.predicted.frameCycles.join(", ")})`,
      };
    }
    return { ok: true };
  } catch (err) {
    // a missing simulator ends the campaign; any other throw is a defect of the graph's flow
    if (err instanceof ToolError && /not found on PATH/.test(err.message)) throw err;
    // the tool's own words (a failed build's tail) go into the fixture's metadata
    return { ok: false, category: "error", detail: (err as Error).message.slice(0, 2000) };
  }
}

// ---------------------------------------------------------------------------------------------
// shrinking

const clone = (plan: Plan): Plan => JSON.parse(JSON.stringify(plan)) as Plan;

/** The plan without layer i: its consumers read what it read. */
function withoutLayer(plan: Plan, i: number): Plan {
  const p = clone(plan);
  const removed = p.layers[i];
  const source = removed.inputs?.[0] ?? (i === 0 ? MODEL_INPUT : p.layers[i - 1].name);
  p.layers.splice(i, 1);
  p.layers.forEach((l, j) => {
    if (l.inputs) l.inputs = l.inputs.map((n) => (n === removed.name ? source : n));
    // a layer that read the removed one implicitly (the next one) now reads its source
    else if (j === i && source !== (j === 0 ? MODEL_INPUT : p.layers[j - 1].name)) l.inputs = [source];
  });
  return p;
}

const smaller = (v: number): number[] => [...new Set([1, Math.floor(v / 2), v - 1])].filter((x) => x >= 1 && x < v);

/** Simpler versions of one layer's knobs, simplest first. */
function layerEdits(l: LayerPlan): Partial<LayerPlan>[] {
  const edits: Partial<LayerPlan>[] = [];
  for (const key of ["outChannels", "heads", "pe", "simd", "index"] as const) {
    const v = l[key];
    if (typeof v === "number") for (const s of key === "index" ? [0] : smaller(v)) if (s !== v) edits.push({ [key]: s });
  }
  for (const key of ["kernelSize", "stride", "padding"] as const) {
    const v = l[key] as number[] | undefined;
    if (!v) continue;
    const floor = key === "padding" ? 0 : 1;
    if (v[0] !== floor || v[1] !== floor) edits.push({ [key]: [floor, floor] });
    if (v[0] > floor + 1 || v[1] > floor + 1) edits.push({ [key]: [Math.max(floor, v[0] - 1), Math.max(floor, v[1] - 1)] });
  }
  if (l.kernel !== undefined && l.kernel !== "mac" && l.kernel !== "xnor") edits.push({ kernel: "mac" });
  if (l.weightBits === 16) edits.push({ weightBits: 8 });
  if (l.outBits === 16) edits.push({ outBits: 8 });
  if (l.out === "thresholds") edits.push({ out: "requant" });
  for (const key of ["perChannel", "bias", "relu", "zeroPoint"] as const) if (l[key] === true) edits.push({ [key]: false });
  if (l.gain !== undefined && l.gain !== 0) edits.push({ gain: 0 });
  return edits;
}

/** Candidate plans smaller or simpler than `plan`, the biggest reductions first. */
export function shrinkCandidates(plan: Plan): Plan[] {
  const out: Plan[] = [];
  const n = plan.layers.length;
  for (let k = 1; k < n; k++) out.push({ ...clone(plan), layers: clone(plan).layers.slice(0, k) });
  for (let i = 0; i < n; i++) if (n > 1) out.push(withoutLayer(plan, i));
  const inp = plan.input;
  for (const key of ["height", "width", "channels"] as const) {
    for (const s of smaller(inp[key])) out.push({ ...clone(plan), input: { ...inp, [key]: s } });
  }
  if (inp.bits === 16) out.push({ ...clone(plan), input: { ...inp, bits: 8 } });
  plan.layers.forEach((l, i) => {
    for (const e of layerEdits(l)) {
      const p = clone(plan);
      p.layers[i] = { ...p.layers[i], ...e } as LayerPlan;
      out.push(p);
    }
  });
  return out;
}

export interface ShrinkOptions {
  readonly avoidKnown: readonly KnownIssue[];
  /** Largest number of candidate checks (each builds and runs a design). */
  readonly budget: number;
  readonly onStep?: (message: string) => void;
}

/** Whether a candidate is a model the campaign could have generated: loads, and avoids the known issues asked to avoid. */
function admissible(plan: Plan, avoid: readonly KnownIssue[]): boolean {
  try {
    parseModel(materialize(plan));
  } catch {
    return false;
  }
  return !knownIssuesOf(plan).some((k) => avoid.includes(k));
}

/** Greedy: take the first candidate that fails the same way, repeat until none does or the budget is spent. */
export async function shrinkPlan(
  plan: Plan,
  failure: CheckResult,
  check: (doc: unknown) => Promise<CheckResult>,
  o: ShrinkOptions,
): Promise<{ plan: Plan; result: CheckResult; checks: number }> {
  let best = plan;
  let bestResult = failure;
  let checks = 0;
  const tried = new Set<string>([JSON.stringify(plan)]);
  let progress = true;
  while (progress && checks < o.budget) {
    progress = false;
    for (const cand of shrinkCandidates(best)) {
      const key = JSON.stringify(cand);
      if (tried.has(key) || !admissible(cand, o.avoidKnown)) continue;
      tried.add(key);
      if (checks >= o.budget) break;
      checks++;
      const r = await check(materialize(cand));
      if (!r.ok && r.category === failure.category) {
        best = cand;
        bestResult = r;
        progress = true;
        o.onStep?.(
          `shrunk to ${cand.layers.length} layer(s), input ${cand.input.height}×${cand.input.width}×${cand.input.channels}/${cand.input.bits} (${checks} checks)`,
        );
        break;
      }
    }
  }
  return { plan: best, result: bestResult, checks };
}
