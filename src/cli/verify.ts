/** `quantrtl verify <model>`: generate (or take --rtl) and prove the design bit-exact in Verilator and/or Icarus. */
import { resolve } from "node:path";
import { isEngineLayer, Model } from "../ir/model.js";
import { SimulatorName, verifyModel, VerifyReport } from "../verify/index.js";
import { describeMismatch } from "../verify/verdict.js";
import { readFileList, resolveRtlDir } from "../verify/user-rtl.js";
import { loadDataset } from "../frontend/dataset.js";
import { predictedClass } from "../flows/accuracy.js";
import { QuantrtlError } from "../util/errors.js";
import { claimOutputRoot } from "../util/output.js";
import { Args, DATA_FLAGS, datasetArg, FOLD_FLAGS, flag, intFlag, MEMORY_FLAG, numberFlag, outputOptions, printJson, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { modelArg } from "./inputs.js";
import { progress } from "./print.js";

function printReport(model: Model, r: VerifyReport): void {
  for (const [i, l] of r.layers.entries()) {
    const layer = model.layers[i];
    const words = l.tapped
      ? `${l.matched}/${l.expectedWords} words${l.compared !== l.expectedWords ? ` (${l.compared} arrived)` : ""}`
      : layer.kind === "flatten"
        ? "a wire (checked through its consumer)"
        : "not observed (no tap in this RTL; checked through the output)";
    const last = i === r.layers.length - 1;
    const cycles =
      last && r.frameCycles.length ? `, ${Math.max(...r.frameCycles)} cycles/vector max (ideal ${r.idealCyclesPerVector} for the slowest layer)` : "";
    const what = isEngineLayer(layer) ? `${layer.datapath}, pe ${layer.arch.pe}, simd ${layer.arch.simd}` : layer.kind;
    console.log(`layer ${l.name} (${what}): ${words}${cycles}`);
  }
  if (r.lint) console.log(`lint: verilator -Wall reported:\n${r.lint}`);
  for (const m of r.mismatches.slice(0, 5)) console.log(describeMismatch(m));
  if (r.timeout) console.log("TIMEOUT: the harness stopped waiting with golden words still missing (deadlock?)");
  if (r.rtl)
    console.log(
      `checked RTL: ${r.rtl}; streams compared: ${r.layers
        .filter((l) => l.tapped)
        .map((l) => l.name)
        .join(", ")}`,
    );
  if (r.outDir) console.log(`design, vectors and logs: ${r.outDir}`);
  const predicted =
    r.backpressure === 0
      ? `predicted ${r.predicted.cycles} (exact model at backpressure 0)`
      : `predicted ${r.predicted.cycles} without stalls; measured with stall probability ${r.backpressure}`;
  const drained = r.drainCycles > r.cycles ? `; every layer drained after ${r.drainCycles}` : "";
  console.log(`cycles: measured ${r.cycles} to the last output word, ${predicted}, ideal ${r.idealCyclesPerVector * r.vectors}${drained}`);
  if (r.bitExact) console.log(`bit-exact: ${r.matched}/${r.expectedWords} words, ${r.vectors} vectors, ${r.cycles} cycles (${r.sim})`);
  else {
    const layers = [...new Set(r.mismatches.map((m) => m.layer))];
    const first = r.mismatches[0]
      ? `; first difference: ${describeMismatch({ ...r.mismatches[0], vcd: undefined })}`
      : r.lint
        ? "; lint not clean (not simulated)"
        : "";
    console.log(
      `NOT bit-exact (${r.sim}): output ${r.matched}/${r.expectedWords} words${layers.length ? `; first divergent layer ${layers[0]} (differences in ${layers.join(", ")})` : ""}${first}${r.timeout ? "; timeout" : ""}`,
    );
  }
}

export function simulatorsArg(args: Args, fallback: string): SimulatorName[] {
  const simFlag = String(args.flags.get("sim") ?? fallback);
  const sims: SimulatorName[] = simFlag === "both" ? ["verilator", "icarus"] : simFlag === "verilator" || simFlag === "icarus" ? [simFlag] : [];
  if (sims.length === 0) throw new QuantrtlError(undefined, "--sim", `"${simFlag}" is not a simulator`, "use verilator, icarus or both");
  return sims;
}

async function verify(args: Args): Promise<number> {
  const model = modelArg(args);
  const dataset = datasetArg(args);
  const sims = simulatorsArg(args, "verilator");
  const vectors = intFlag(args, "vectors", 1, 1, 10000);
  const backpressure = numberFlag(args, "backpressure", 0.25, 0, 0.95);
  const seed = intFlag(args, "seed", 1, 0);
  const out = args.flags.get("out");
  const rtl = args.flags.get("rtl");
  if (rtl !== undefined && typeof rtl !== "string") throw new QuantrtlError(undefined, "--rtl", "needs a folder", "write --rtl DIR");
  // a wrong folder or file list is the user's error: say so before the golden model runs
  if (typeof rtl === "string") readFileList(resolveRtlDir(rtl));
  if (args.flags.has("force") && typeof out !== "string") throw new QuantrtlError(undefined, "--force", "only applies with --out", "add --out DIR");
  const json = args.flags.has("json");
  const outOptions = outputOptions(args);
  // with both simulators --out holds verilator/ and icarus/: the folder itself is claimed (checked, locked, marked) first
  const root =
    typeof out === "string" && sims.length > 1 ? claimOutputRoot(out, { ...outOptions, owner: { model: model.name, modelHash: model.hash } }) : undefined;
  let ok = true;
  const runs: (VerifyReport & { classes?: { rtl: number; label: number }[] })[] = [];
  try {
    for (const sim of sims) {
      const dir = typeof out === "string" ? (root ? resolve(root.path, sim) : out) : undefined;
      const data = dataset === undefined ? undefined : loadDataset(model, dataset, vectors);
      const r = await verifyModel(model, {
        sim,
        vectors,
        backpressure,
        seed,
        out: dir,
        outOptions: root ? { ...outOptions, force: false } : outOptions,
        onProgress: progress,
        ...(rtl ? { rtl } : {}),
        ...(data ? { inputs: data.inputs } : {}),
      });
      const classes =
        data && r.outputs
          ? r.outputs.map((words, i) => ({ rtl: predictedClass(model, { data: Int32Array.from(words) }), label: data.labels ? data.labels[i] : -1 }))
          : undefined;
      if (json) runs.push({ ...r, ...(classes ? { classes } : {}) });
      else {
        printReport(model, r);
        if (classes) console.log(`RTL class / label: ${classes.map((c) => `${c.rtl}/${c.label}`).join(" ")}`);
      }
      ok &&= r.bitExact;
    }
  } finally {
    root?.release();
  }
  if (json) printJson({ model: model.name, hash: model.hash, bitExact: ok, runs });
  return ok ? 0 : 3;
}

export const verifyCommand: CommandSpec = {
  name: "verify",
  usage: [
    "  quantrtl verify <model.json> [--sim verilator|icarus|both] [--vectors n] [--json]",
    "                  [--backpressure p] [--seed n] [--out DIR [--force]] [--pe n] [--simd n] [--dataset <data>]",
    "                  [--rtl DIR]   (check that RTL instead of generating it: a folder gen wrote, or its",
    "                  rtl/ folder, with files.f and the same top; taps it lacks are not observed)",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("sim", "name"),
    value("vectors", "n"),
    value("backpressure", "p"),
    value("seed", "n"),
    value("out", "DIR"),
    flag("force"),
    value("rtl", "DIR"),
    ...DATA_FLAGS,
    ...FOLD_FLAGS,
    flag("json"),
    MEMORY_FLAG,
  ],
  run: verify,
};
