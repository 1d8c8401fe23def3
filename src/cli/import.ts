/** `quantrtl import <model.onnx> [--out model.json] [--force]`: the ONNX/QONNX importer's JSON, for those who want to edit it. */
import { existsSync, lstatSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { importOnnxFile } from "../frontend/onnx/import.js";
import { parseModel } from "../ir/load.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, DATA_FLAGS, datasetArg, flag, intFlag, value } from "./args.js";
import { calibrateOnnx, DEFAULT_CALIBRATION_IMAGES, DEFAULT_SQNR_IMAGES } from "../flows/calibrate-onnx.js";
import { PTQ_DATAPATHS, PtqDatapath } from "../frontend/onnx/calibrated.js";
import type { DatasetSpec } from "../frontend/dataset.js";
import type { CommandSpec } from "./command.js";
import { progress, shape } from "./print.js";

export async function importCommand(args: Args): Promise<number> {
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
  const calibration = datasetArg(args, "calibrate");
  for (const f of ["limit", "bits", "datapath", "sqnr-images"])
    if (!calibration && args.flags.has(f)) throw new QuantrtlError(undefined, `--${f}`, "only applies with --calibrate", "add --calibrate <dataset>");
  const t0 = performance.now();
  const { doc, warnings } = calibration ? await calibrate(file, args, calibration, out) : importOnnxFile(file, { outFile: out });
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

/** --calibrate <dataset>: post-training quantization of a float model (flows/calibrate-onnx.ts). */
async function calibrate(file: string, args: Args, dataset: DatasetSpec, out: string) {
  const bits = intFlag(args, "bits", 8, 8, 16);
  if (bits !== 8 && bits !== 16) throw new QuantrtlError(undefined, "--bits", `"${bits}" is not a supported width`, "use --bits 8 or --bits 16");
  const datapath = args.flags.get("datapath") ?? "mac";
  if (datapath === "adder")
    throw new QuantrtlError(
      undefined,
      "--datapath",
      "adder computes −Σ|x − w|, a different function from the model's Conv/MatMul (Σ x·w); quantizing it after training cannot keep its accuracy",
      "use --datapath mac or shift (or train an AdderNet: npm run train)",
    );
  if (typeof datapath !== "string" || !(PTQ_DATAPATHS as readonly string[]).includes(datapath))
    throw new QuantrtlError(undefined, "--datapath", `"${datapath}" is not a datapath for post-training quantization`, `use ${PTQ_DATAPATHS.join(" or ")}`);
  const result = await calibrateOnnx(file, {
    dataset,
    limit: intFlag(args, "limit", DEFAULT_CALIBRATION_IMAGES, 1),
    sqnrImages: intFlag(args, "sqnr-images", DEFAULT_SQNR_IMAGES, 1),
    bits,
    datapath: datapath as PtqDatapath,
    outFile: out,
    progress,
  });
  for (const s of result.sqnr) progress(`  ${s.layer} (${s.tensor}): SQNR ${s.sqnrDb.toFixed(1)} dB`);
  return result;
}

export const importSpec: CommandSpec = {
  name: "import",
  usage: [
    "  quantrtl import <model.onnx> [--out model.json] [--force]   (QONNX/ONNX to the model JSON;",
    "                  every command also takes the .onnx directly)",
    "  quantrtl import <float.onnx> --calibrate <dataset> [--limit n] [--bits 8|16] [--datapath mac|shift]",
    "                  [--sqnr-images n] [--out model.json]   (post-training quantization of a float model:",
    "                  per-channel weights, activation scales from the first n images (default 2000),",
    "                  per-layer SQNR on the next ones in metadata.ptq; import only, the other commands take the JSON)",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("out", "model.json"),
    flag("force"),
    value("calibrate", "dataset"),
    value("limit", "n"),
    value("bits", "8|16"),
    value("datapath", "mac|shift"),
    value("sqnr-images", "n"),
    ...DATA_FLAGS.filter((f) => f.name !== "dataset"),
  ],
  run: importCommand,
};
