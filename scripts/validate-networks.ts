#!/usr/bin/env node
/**
 * Synthesizes whole networks with each datapath (the builds of `quantrtl compare`) and
 * records each build's estimate beside its synthesis in hw/network-validation.json,
 * the resource model's error on whole designs (src/flows/validate.ts).
 * Syntheses are cached by RTL hash, so a re-run after a refit takes seconds; after
 * an RTL change the ResNet-20 builds take hours (the -nodsp and shift builds most).
 * Entries of networks not re-run are kept as they are. After a refit, `--refresh`
 * recomputes the estimate of every recorded build without running Yosys (its RTL
 * must be unchanged: same rtlKey).
 *
 * With `--pe n --simd n` every engine layer gets that folding (as on the command line)
 * and the entries record it, beside those of the model's own folding.
 *
 * usage: npm run validate-networks [-- --models models/mnist-adder.json,...] [--kernels mac,adder] [--pe n --simd n] [--out FILE]
 *        npm run validate-networks -- --refresh
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadBoard } from "../src/ir/board.js";
import { COMPARE_KERNELS, parseKernels } from "../src/flows/compare.js";
import { synthesize } from "../src/synth/index.js";
import { checkedModel, NETWORK_VALIDATION_FILE, NetworkCheck, parseNetworkValidation, sameBuild, todaysBuild } from "../src/flows/validate.js";
import { packageRoot, packageVersion } from "../src/util/paths.js";
import { QuantrtlError } from "../src/util/errors.js";
import { stopCleanlyOnSignals } from "../src/util/interrupt.js";

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

/** `--pe n --simd n` (both or neither): one folding for every engine layer. */
function folding(): { pe: number; simd: number } | undefined {
  const [pe, simd] = [flag("pe"), flag("simd")];
  if (pe === undefined && simd === undefined) return undefined;
  const int = (name: string, v: string | undefined): number => {
    if (v === undefined || !/^[1-9][0-9]*$/.test(v))
      throw new QuantrtlError(undefined, `--${name}`, `"${v ?? ""}" is not a positive integer`, "give both --pe n and --simd n, e.g. --pe 1 --simd 4");
    return Number(v);
  };
  return { pe: int("pe", pe), simd: int("simd", simd) };
}

/** A build's folding as the flags that set it (" --pe n --simd n"), or "" for the model's own. */
const foldingFlags = (arch: NetworkCheck["arch"]): string => (arch ? ` --pe ${arch.pe} --simd ${arch.simd}` : "");
const foldingText = (arch: NetworkCheck["arch"]): string => (arch ? ` (${foldingFlags(arch).trim()})` : "");

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
      const today = todaysBuild(checkedModel(n, root), parseKernels(n.kernel)[0], loadBoard(n.board));
      if (today.rtlKey !== n.rtlKey) {
        throw new QuantrtlError(
          out,
          `${n.model} ${n.kernel}`,
          "was synthesized from other RTL than today's",
          `re-run without --refresh: npm run validate-networks -- --models ${n.model} --kernels ${n.kernel}${foldingFlags(n.arch)}`,
        );
      }
      fresh.push({ ...n, estimate: today.estimate });
      say(`${n.model}${foldingText(n.arch)} ${n.kernel}: estimate LUT ${n.estimate.lut} -> ${today.estimate.lut} (synthesis ${n.synthesis.lut})`);
    }
  }
  const arch = folding();
  for (const path of process.argv.includes("--refresh") ? [] : models) {
    const name = relative(root, resolve(root, path));
    const model = checkedModel({ model: name, arch }, root);
    for (const kernel of kernels) {
      say(`${name}${foldingText(arch)}: ${kernel}`);
      const today = todaysBuild(model, kernel, board);
      const s = await synthesize(today.variant, board, say, { useDsp: today.useDsp });
      const synthesis = { lut: s.lut, ff: s.ff, dsp: s.dsp, bram_bits: s.bramBits };
      fresh.push({
        model: name,
        ...(arch ? { arch } : {}),
        kernel,
        board: board.name,
        family: board.yosysFamily,
        rtlKey: today.rtlKey,
        estimate: today.estimate,
        synthesis,
        yosys: s.yosys,
        seconds: Math.round(s.seconds),
      });
      const lutErr = s.lut > 0 ? (((today.estimate.lut - s.lut) / s.lut) * 100).toFixed(1) : "n/a";
      say(
        `${name}${foldingText(arch)} ${kernel}: LUT ${s.lut} (estimate ${today.estimate.lut}, ${lutErr} %), FF ${s.ff}, DSP ${s.dsp}, BRAM bits ${s.bramBits}`,
      );
    }
  }
  // re-run builds keep their place; new ones are appended
  const networks = [...kept.map((k) => fresh.find((f) => sameBuild(f, k)) ?? k), ...fresh.filter((f) => !kept.some((k) => sameBuild(f, k)))];
  const doc = parseNetworkValidation({ generator: `quantrtl ${packageVersion()} scripts/validate-networks.ts`, networks }, out);
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc, null, 1) + "\n");
  renameSync(tmp, out);
  say(`wrote ${out} (${networks.length} builds)`);
}

stopCleanlyOnSignals();
main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof QuantrtlError ? `error: ${err.message}` : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
