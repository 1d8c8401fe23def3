#!/usr/bin/env node
/**
 * Random-graph campaign: N random valid models (scripts/fuzz-graphs.ts) from a seed,
 * each proved golden = Verilator (= Icarus) on every layer's tap with back-pressure,
 * lint-clean, and measured = predicted cycles at back-pressure 0 (scripts/fuzz-check.ts).
 * A failure is shrunk greedily to the smallest model that fails the same way and saved
 * as a test fixture, test/fixtures/fuzz/<seed>-<n>.json (the plan and the failure in its
 * metadata); `quantrtl verify <fixture>` reproduces it.
 *
 * usage: npm run fuzz -- --graphs N --seed S [--sim verilator|icarus|both]
 *          [--avoid-known odd-pool,odd-conv,fork-names,wire-only] [--fixtures DIR] [--shrink-budget n]
 *          [--max-layers n] [--max-size n] [--max-channels n]
 *        (--tamper-kind K is a test hook: one golden word of the first layer of kind K is changed)
 * Progress per graph on stderr; failures and the summary on stdout. Exit 0 when every
 * graph matched, 3 when one did not, 1 for a bad flag, 2 when a simulator is missing.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { generateGraph, graphSeed, KNOWN_ISSUES, KnownIssue, knownIssuesOf, materialize, planKinds, Rand } from "./fuzz-graphs.js";
import { checkDoc, CheckOptions, CheckResult, shrinkPlan, SimChoice } from "./fuzz-check.js";
import { packageRoot } from "../src/util/paths.js";
import { QuantrtlError, ToolError } from "../src/util/errors.js";
import { stopCleanlyOnSignals } from "../src/util/interrupt.js";

interface Args {
  graphs: number;
  seed: number;
  sim: SimChoice;
  avoidKnown: KnownIssue[];
  fixtures: string;
  shrinkBudget: number;
  maxLayers: number;
  maxSize: number;
  maxChannels: number;
  tamperKind?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--"))
      throw new QuantrtlError(
        undefined,
        a,
        "is not a flag",
        "flags: --graphs --seed --sim --avoid-known --fixtures --shrink-budget --max-layers --max-size --max-channels",
      );
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new QuantrtlError(undefined, a, "needs a value", `write ${a} <value>`);
    values.set(a.slice(2), v);
    i++;
  }
  const known = ["graphs", "seed", "sim", "avoid-known", "fixtures", "shrink-budget", "max-layers", "max-size", "max-channels", "tamper-kind"];
  for (const k of values.keys())
    if (!known.includes(k))
      throw new QuantrtlError(undefined, `--${k}`, "is not a flag of the fuzz campaign", `use one of ${known.map((f) => `--${f}`).join(", ")}`);
  const int = (name: string, fallback: number, min: number) => {
    const v = values.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new QuantrtlError(undefined, `--${name}`, `"${v}" is not an integer ≥ ${min}`, `write e.g. --${name} ${Math.max(min, fallback)}`);
    return n;
  };
  const sim = (values.get("sim") ?? "verilator") as SimChoice;
  if (!["verilator", "icarus", "both"].includes(sim))
    throw new QuantrtlError(undefined, "--sim", `"${sim}" is not a simulator`, "use verilator, icarus or both");
  const avoidKnown = (values.get("avoid-known") ?? "").split(",").filter(Boolean) as KnownIssue[];
  for (const k of avoidKnown)
    if (!KNOWN_ISSUES.includes(k))
      throw new QuantrtlError(undefined, "--avoid-known", `"${k}" is not a known issue`, `use a comma-separated list of ${KNOWN_ISSUES.join(", ")}`);
  return {
    graphs: int("graphs", 20, 1),
    seed: int("seed", 1, 0),
    sim,
    avoidKnown,
    fixtures: resolve(values.get("fixtures") ?? join(packageRoot(), "test", "fixtures", "fuzz")),
    shrinkBudget: int("shrink-budget", 60, 0),
    maxLayers: int("max-layers", 6, 1),
    maxSize: int("max-size", 8, 1),
    maxChannels: int("max-channels", 6, 1),
    tamperKind: values.get("tamper-kind"),
  };
}

const firstLineOf = (s: string | undefined) => (s ?? "").split("\n")[0];
const seconds = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const say = (m: string) => process.stderr.write(`${m}\n`);
  const started = Date.now();
  const failures: string[] = [];
  say(`fuzz: ${args.graphs} graph(s) from seed ${args.seed}, sim ${args.sim}${args.avoidKnown.length ? `, avoiding known ${args.avoidKnown.join(", ")}` : ""}`);
  for (let n = 0; n < args.graphs; n++) {
    const t0 = Date.now();
    const gs = graphSeed(args.seed, n);
    const { plan, doc } = generateGraph(gs, { avoidKnown: args.avoidKnown, maxLayers: args.maxLayers, maxSize: args.maxSize, maxChannels: args.maxChannels });
    const r = new Rand(gs ^ 0x5bd1e995);
    const options: CheckOptions = {
      sim: args.sim,
      vectors: 2,
      seed: 1 + (gs % 9973),
      backpressure: Number((0.1 + 0.4 * r.float()).toFixed(2)),
      tamperKind: args.tamperKind,
    };
    const input = `${plan.input.height}×${plan.input.width}×${plan.input.channels}/${plan.input.bits}`;
    const what = `${input} ${planKinds(plan).join(",")}`;
    const result = await checkDoc(doc, options);
    const line = (verdict: string) => {
      const elapsed = Date.now() - started;
      const eta = (elapsed / (n + 1)) * (args.graphs - n - 1);
      say(
        `[${n + 1}/${args.graphs}] seed ${args.seed} #${n} (graph seed ${gs}) ${what}: ${verdict} (${seconds(Date.now() - t0)}), elapsed ${seconds(elapsed)}, ETA ${seconds(eta)}`,
      );
    };
    if (result.ok) {
      line("ok");
      continue;
    }
    line(`FAIL ${result.category}: ${firstLineOf(result.detail)}`);
    // a failure that does not repeat (a tool hiccup) is reported as flaky and not shrunk
    const again = await checkDoc(doc, options);
    if (again.ok || again.category !== result.category) {
      const message = `FLAKY seed ${args.seed} graph ${n}: ${result.category}: ${firstLineOf(result.detail)} — a re-check gave ${again.ok ? "ok" : again.category}`;
      process.stdout.write(message + "\n");
      failures.push(message);
      continue;
    }
    failures.push(await shrinkAndSave(args, n, gs, plan, result, options, say));
  }
  const total = Date.now() - started;
  process.stdout.write(
    `fuzz: ${args.graphs} graph(s) from seed ${args.seed} (${args.sim}): ${args.graphs - failures.length} matched, ${failures.length} failed, in ${seconds(total)}\n`,
  );
  return failures.length ? 3 : 0;
}

async function shrinkAndSave(
  args: Args,
  n: number,
  gs: number,
  plan: ReturnType<typeof generateGraph>["plan"],
  failure: CheckResult,
  options: CheckOptions,
  say: (m: string) => void,
): Promise<string> {
  const shrunk =
    failure.category === "load"
      ? { plan, result: failure, checks: 0 }
      : await shrinkPlan(plan, failure, (d) => checkDoc(d, options), { avoidKnown: args.avoidKnown, budget: args.shrinkBudget, onStep: (m) => say(`  ${m}`) });
  const doc = materialize(shrunk.plan) as Record<string, unknown>;
  const known = knownIssuesOf(shrunk.plan);
  doc.metadata = {
    fuzz: {
      campaignSeed: args.seed,
      index: n,
      graphSeed: gs,
      sim: args.sim,
      vectors: options.vectors,
      verifySeed: options.seed,
      backpressure: options.backpressure,
      failure: shrunk.result.category,
      detail: shrunk.result.detail,
      ...(known.length ? { knownIssues: known } : {}),
      plan: shrunk.plan,
    },
  };
  mkdirSync(args.fixtures, { recursive: true });
  const file = join(args.fixtures, `${args.seed}-${n}.json`);
  writeFileSync(file, JSON.stringify(doc) + "\n");
  const shown = relative(process.cwd(), file) || file;
  const message = `FAIL seed ${args.seed} graph ${n}: ${shrunk.result.category}: ${firstLineOf(shrunk.result.detail)}${known.length ? ` [has known issue: ${known.join(", ")}]` : ""}\n  fixture: ${shown} (${shrunk.plan.layers.length} layer(s) after ${shrunk.checks} shrink checks); reproduce: bin/quantrtl verify ${shown} --sim ${args.sim === "both" ? "both" : args.sim} --vectors ${options.vectors} --seed ${options.seed} --backpressure ${failureBackpressure(shrunk.result, options)}`;
  process.stdout.write(message + "\n");
  return message;
}

stopCleanlyOnSignals();
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error;
    process.stderr.write(`${err instanceof QuantrtlError || err instanceof ToolError ? `error: ${e.message}` : String(e.stack ?? e)}\n`);
    process.exit(err instanceof QuantrtlError ? 1 : 2);
  },
);

/** The stall probability the failing run used (a cycles failure is seen at 0). */
function failureBackpressure(r: CheckResult, o: CheckOptions): number {
  return r.category === "cycles" || / bp 0:/.test(r.detail ?? "") ? 0 : o.backpressure;
}
