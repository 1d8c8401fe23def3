/** `quantrtl import <model.onnx> [--out model.json] [--force]`: the ONNX/QONNX importer's JSON, for those who want to edit it. */
import { existsSync, lstatSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { importOnnxFile } from "../frontend/onnx/import.js";
import { parseModel } from "../ir/load.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, flag, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { shape } from "./print.js";

export function importCommand(args: Args): number {
  const file = args.positional[0];
  if (!file) throw new QuantrtlError(undefined, "<model.onnx>", "no model file given", "e.g. quantrtl import models/onnx/TFC_2W2A.onnx --out tfc.json");
  if (!/\.onnx$/i.test(file)) throw new QuantrtlError(file, "", "is not an .onnx file", "give a .onnx (QONNX or ONNX) model");
  const outFlag = args.flags.get("out");
  const out = typeof outFlag === "string" ? outFlag : join(dirname(file), `${basename(file).replace(/\.onnx$/i, "")}.json`);
  if (!/\.json$/i.test(out)) throw new QuantrtlError(undefined, "--out", `"${out}" does not end in .json`, "name the model file, e.g. --out model.json");
  const existing = lstatSync(out, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) throw new QuantrtlError(undefined, "--out", `"${out}" exists and is not a regular file`, "choose another path");
  if (!existsSync(dirname(resolve(out))))
    throw new QuantrtlError(undefined, "--out", `the folder of "${out}" does not exist`, "create it first, or choose another path");
  if (existing && !args.flags.has("force")) throw new QuantrtlError(undefined, "--out", `"${out}" exists`, "choose another path, or --force to replace it");
  const t0 = performance.now();
  const { doc, warnings } = importOnnxFile(file, { outFile: out });
  // the document must load exactly as written: parse it before anything is written
  const model = parseModel(doc, { file: out, baseDir: dirname(resolve(out)) });
  const ms = performance.now() - t0;
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc)}\n`, { flag: "wx" });
  renameSync(tmp, out);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const q = (doc.metadata as { inputQuantizer: { scale: number; zeroPoint: number; bits: number; signed: boolean } }).inputQuantizer;
  console.log(
    `imported ${file} in ${ms.toFixed(0)} ms: input ${shape(model.input)} (quantizer scale ${q.scale}, zero point ${q.zeroPoint}, ${q.bits} bits ${q.signed ? "signed" : "unsigned"}), ${model.layers.length} layer(s): ${model.layers.map((l) => l.kind).join(", ")}`,
  );
  console.log(`wrote ${out}`);
  return 0;
}

export const importSpec: CommandSpec = {
  name: "import",
  usage: [
    "  quantrtl import <model.onnx> [--out model.json] [--force]   (QONNX/ONNX to the model JSON;",
    "                  every command also takes the .onnx directly)",
  ].join("\n"),
  takesModel: true,
  flags: [value("out", "model.json"), flag("force")],
  run: importCommand,
};
