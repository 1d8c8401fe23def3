#!/usr/bin/env node
/**
 * The resource model's error table (issue #20) from the committed measurements:
 * hw/resource-model.json (every reference design, fitted and held out, per family)
 * and hw/network-validation.json (whole-network builds). Prints it and writes
 * hw/resource-errors.md. No synthesis: run it after `npm run fit-resources` and
 * `npm run validate-networks -- --refresh`.
 *
 * usage: npm run resource-errors [-- --out FILE]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseResourceModel, RESOURCE_MODEL_FILE } from "../src/estimate/resources.js";
import { NETWORK_VALIDATION_FILE, parseNetworkValidation } from "../src/flows/validate.js";
import { NetworkErrorInput, renderErrorTable, resourceErrorTable } from "../src/estimate/error-table.js";
import { packageRoot } from "../src/util/paths.js";

/** The table's Markdown, from the two committed files under `root`. */
export function resourceErrorsMarkdown(root: string): string {
  const modelFile = join(root, RESOURCE_MODEL_FILE);
  const model = parseResourceModel(JSON.parse(readFileSync(modelFile, "utf8")), modelFile);
  const networksFile = join(root, NETWORK_VALIDATION_FILE);
  const networks: NetworkErrorInput[] = parseNetworkValidation(JSON.parse(readFileSync(networksFile, "utf8")), networksFile).networks.map((n) => ({
    name: `${n.model.replace(/^models\//, "").replace(/\.json$/, "")} ${n.kernel}${n.arch ? ` pe${n.arch.pe} simd${n.arch.simd}` : ""}`,
    family: n.family,
    estimate: { lut: n.estimate.lut, ff: n.estimate.ff, dsp: n.estimate.dsp, bramBits: n.estimate.bram_bits },
    synthesis: { lut: n.synthesis.lut, ff: n.synthesis.ff, dsp: n.synthesis.dsp, bramBits: n.synthesis.bram_bits },
  }));
  return [
    "# Resource model: error against Yosys",
    "",
    `Written by \`npm run resource-errors\` from ${RESOURCE_MODEL_FILE} (fitted ${model.fittedAt}, ${model.yosys}) and ${NETWORK_VALIDATION_FILE}.`,
    "Relative error |estimate − measured| / measured; median, nearest-rank p90 and the worst (signed: + means the estimate is high).",
    "Held-out designs were never seen by the fit.",
    "",
    renderErrorTable(resourceErrorTable(model, networks)),
  ].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = packageRoot();
  const i = process.argv.indexOf("--out");
  const out = resolve(i > 0 && process.argv[i + 1] ? process.argv[i + 1] : join(root, "hw", "resource-errors.md"));
  const text = resourceErrorsMarkdown(root);
  process.stdout.write(text);
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
