/**
 * Writes models/deit-tiny-block.json: one integer-only DeiT-Tiny encoder block
 * (197 tokens, dim 192, 3 heads, MLP 768; LN → QKV linear → attention → proj →
 * residual add → LN → fc1 → ShiftGELU → fc2 → add) from seeded float weights,
 * every requant calibrated on the golden accumulators of a seeded random int8
 * input (scripts/deit-block.ts). The int8 weights go to .bin files beside the model.
 *
 * Run: `npm run build && node dist/scripts/make-deit-block.js models`. Deterministic.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseModel } from "../src/ir/load.js";
import { DEIT_TINY, makeFloatBlock, quantizeBlock } from "./deit-block.js";

const root = process.argv[2] ?? "models";
const config = DEIT_TINY;
const { doc } = quantizeBlock(makeFloatBlock(config));

// weights to int8 files beside the model (the model file stays readable)
const dir = join(root, config.name);
const staging = `${dir}.tmp-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
const layers = (doc.layers as Record<string, unknown>[]).map((l) => {
  if (!Array.isArray(l.weights)) return l;
  writeFileSync(join(staging, `${String(l.name)}.bin`), Buffer.from(Int8Array.from(l.weights as number[]).buffer));
  return { ...l, weights: { file: `${config.name}/${String(l.name)}.bin` } };
});
rmSync(dir, { recursive: true, force: true });
renameSync(staging, dir);
const out = { ...doc, layers };
writeFileSync(join(root, `${config.name}.json`), JSON.stringify(out, null, 1) + "\n");
const model = parseModel(out, { baseDir: root });
const attn = model.layers.find((l) => l.kind === "attention");
const gelu = model.layers.find((l) => l.kind === "gelu");
console.log(
  `wrote ${join(root, `${config.name}.json`)} (${model.layers.length} layers; attention x0 ${attn?.kind === "attention" ? attn.softmax.x0 : "?"}, ` +
    `GELU x0' ${gelu?.kind === "gelu" ? gelu.params.x0 : "?"}; int8 weights in ${dir}/)`,
);
