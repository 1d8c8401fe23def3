#!/usr/bin/env node
/**
 * Synthesizes whole networks with each datapath (`quantrtl compare --synth`) and
 * records each build's estimate beside its synthesis in hw/network-validation.json,
 * the resource model's error on whole designs (src/estimate/network-validation.ts).
 * Syntheses are cached by RTL hash, so a re-run after a refit takes seconds; after
 * an RTL change the ResNet-20 builds take hours (the -nodsp and shift builds most).
 * Entries of networks not re-run are kept as they are. After a refit, `--refresh`
 * recomputes the estimate of every recorded build without running Yosys (its RTL
 * must be unchanged: same rtlKey).
 *
 * usage: npm run validate-networks [-- --models models/mnist-adder.json,...] [--kernels mac,adder] [--out FILE]
 *        npm run validate-networks -- --refresh
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadModel } from "../src/ir/load.js";
import { loadBoard } from "../src/ir/board.js";
import { compareKernels, COMPARE_KERNELS, parseKernels, variantOf } from "../src/estimate/compare.js";
import { synthesisInputKey, synthesize } from "../src/synth/index.js";
import { estimateModel } from "../src/estimate/model.js";
import { NETWORK_VALIDATION_FILE, NetworkCheck, parseNetworkValidation } from "../src/estimate/network-validation.js";
import { packageRoot, packageVersion } from "../src/util/paths.js";
import { QuantrtlError } from "../src/util/errors.js";

/** The networks checked by default: the MNIST LeNet the main job builds and the ResNet-20 CIFAR shape, on the default board. */
const NETWORKS = ["models/mnist-adder.json", "models/resnet20-adder-cifar.json"];
const BOARD = "pynq-z2";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new QuantrtlError(undefined, `--${name}`, "needs a value", `write --${name} <value>`);
  return v;
}

async function main(): Promise<void> {
  const root = packageRoot();
  const out = resolve(flag("out") ?? join(root, NETWORK_VALIDATION_FILE));
  const models = (flag("models") ?? NETWORKS.join(",")).split(",").filter((m) => m !== "");
  const kernels = parseKernels(flag("kernels") ?? COMPARE_KERNELS.join(","));
  const board = loadBoard(BOARD);
  const kept = existsSync(out) ? parseNetworkValidation(JSON.parse(readFileSync(out, "utf8")), out).networks : [];
  const fresh: NetworkCheck[] = [];
  const started = Date.now();
  const say = (m: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(6)}s] ${m}\n`);
  if (process.argv.includes("--refresh")) {
    for (const n of kept) {
      const variant = variantOf(loadModel(resolve(root, n.model)), parseKernels(n.kernel)[0]);
      const b = loadBoard(n.board);
      const useDsp = n.kernel !== "mac-nodsp";
      if (synthesisInputKey(variant, b, useDsp) !== n.rtlKey) {
        throw new QuantrtlError(out, `${n.model} ${n.kernel}`, "was synthesized from other RTL than today's", `re-run without --refresh: npm run validate-networks -- --models ${n.model} --kernels ${n.kernel}`);
      }
      const e = estimateModel(variant, b, { useDsp }).total;
      fresh.push({ ...n, estimate: { lut: e.lut, ff: e.ff, dsp: e.dsp, bram_bits: e.bramBits } });
      say(`${n.model} ${n.kernel}: estimate LUT ${n.estimate.lut} -> ${e.lut} (synthesis ${n.synthesis.lut})`);
    }
  }
  for (const path of process.argv.includes("--refresh") ? [] : models) {
    const model = loadModel(resolve(root, path));
    const name = relative(root, resolve(root, path));
    for (const kernel of kernels) {
      say(`${name}: ${kernel}`);
      const c = await compareKernels(model, board, [kernel], { synth: true, onProgress: say });
      const f = c.kernels[kernel];
      const variant = variantOf(model, kernel);
      const useDsp = kernel !== "mac-nodsp";
      const s = await synthesize(variant, board, undefined, { useDsp }); // cached by compareKernels just now
      if (!f.estimate) throw new Error(`compare gave no estimate beside the synthesis of ${name} ${kernel}`);
      fresh.push({
        model: name,
        kernel,
        board: board.name,
        family: board.yosysFamily,
        rtlKey: synthesisInputKey(variant, board, useDsp),
        estimate: f.estimate,
        synthesis: { lut: f.lut, ff: f.ff, dsp: f.dsp, bram_bits: f.bram_bits },
        yosys: s.yosys,
        seconds: Math.round(s.seconds),
      });
      const lutErr = f.lut > 0 ? (((f.estimate.lut - f.lut) / f.lut) * 100).toFixed(1) : "n/a";
      say(`${name} ${kernel}: LUT ${f.lut} (estimate ${f.estimate.lut}, ${lutErr} %), FF ${f.ff}, DSP ${f.dsp}, BRAM bits ${f.bram_bits}`);
    }
  }
  const same = (a: NetworkCheck, b: NetworkCheck) => a.model === b.model && a.kernel === b.kernel && a.board === b.board;
  const networks = [...kept.filter((k) => !fresh.some((f) => same(f, k))), ...fresh];
  const doc = parseNetworkValidation({ generator: `quantrtl ${packageVersion()} scripts/validate-networks.ts`, networks }, out);
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc, null, 1) + "\n");
  renameSync(tmp, out);
  say(`wrote ${out} (${networks.length} builds)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof QuantrtlError ? `error: ${err.message}` : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
