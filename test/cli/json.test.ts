/**
 * `--json` of every reporting command validates against its published schema
 * (schemas/cli-<command>.schema.json), and the published model schema is the one
 * the loader uses (schemas/model.schema.json = scripts/write-schemas.ts output).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv, ValidateFunction } from "ajv";
import { describe, expect, test } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { generatedSchemas } from "../../scripts/write-schemas.js";

const MODEL = "models/conv3x3-mac-int8.json";
// the loader's settings (src/ir/validate.ts): the model schema picks a layer's schema by its "type"
const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true, discriminator: true });
const compiled = new Map<string, ValidateFunction>();
function schema(name: string): ValidateFunction {
  if (!compiled.has(name)) compiled.set(name, ajv.compile(JSON.parse(readFileSync(join(ROOT, "schemas", name), "utf8")) as object));
  return compiled.get(name)!;
}

/** Runs the command with --json, expects `code`, and returns the parsed document after validating it. */
async function jsonOf(command: string, args: string[], code = 0): Promise<Record<string, unknown>> {
  const r = await runCli([command, ...args, "--json"]);
  expect(r.status, r.stderr.slice(-2000)).toBe(code);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  const validate = schema(`cli-${command}.schema.json`);
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  return doc;
}

describe("--json output validates against schemas/cli-<command>.schema.json", () => {
  test("check: the conv layer's figures (K = 3·3·8 = 72; 16 channels / pe 4 = NF 4)", async () => {
    const doc = await jsonOf("check", [MODEL]);
    const layers = doc.layers as { engine: { reductionLength: number; folding: { nf: number } } }[];
    expect(layers[0].engine.reductionLength).toBe(72);
    expect(layers[0].engine.folding.nf).toBe(4);
    // the schema can fail: the same document without its hash is refused
    const { hash: _hash, ...noHash } = doc;
    expect(schema("cli-check.schema.json")(noHash)).toBe(false);
  });

  test("run (golden trace) and gen", async () => {
    await jsonOf("run", [MODEL]);
    const doc = await jsonOf("gen", [MODEL, "--out", join(testDir("qr-json-gen-"), "d")]);
    expect(doc.top).toBe("conv3x3_mac_int8_top");
  });

  test("verify in Verilator, 1 vector: bit-exact, 16·16·16 words", async () => {
    const doc = await jsonOf("verify", [MODEL, "--sim", "verilator", "--vectors", "1"]);
    expect(doc.bitExact).toBe(true);
    expect((doc.runs as { matched: number }[])[0].matched).toBe(4096);
  });

  test("sim (streaming and array), compare, report", async () => {
    await jsonOf("sim", [MODEL]);
    await jsonOf("sim", ["--workload", "resnet20"]);
    await jsonOf("sim", [MODEL, "--arch", "array"]);
    await jsonOf("compare", [MODEL, "--datapaths", "mac,adder"]);
    const doc = await jsonOf("report", [MODEL, "--out", join(testDir("qr-json-report-"), "r")]);
    expect(doc.verification).toBeNull();
  });

  test("build (no synthesis, one proof image in Verilator) and synth", async () => {
    const out = join(testDir("qr-json-build-"), "b");
    const doc = await jsonOf("build", ["models/mnist-xnor.json", "--out", out, "--limit", "10", "--vectors", "1", "--sim", "verilator", "--no-synth"]);
    expect(doc.bitExact).toBe(true);
    expect(doc.synthesis).toBeNull();
    await jsonOf("synth", [MODEL]);
  }, 600_000);

  test("every command that prints --json has a schema, and every schema a command", () => {
    const files = readdirSync(join(ROOT, "schemas")).filter((f) => f.startsWith("cli-"));
    expect(files.sort()).toEqual(["build", "check", "compare", "gen", "report", "run", "sim", "sweep", "synth", "verify"].map((c) => `cli-${c}.schema.json`));
  });
});

describe("schemas/model.schema.json", () => {
  test("is the file scripts/write-schemas.ts writes from src/ir/schema.ts", () => {
    for (const [path, text] of Object.entries(generatedSchemas()))
      expect(readFileSync(join(ROOT, path), "utf8"), `${path}: run node dist/scripts/write-schemas.js`).toBe(text);
  });

  test("every bundled model validates; a layer without datapath (or kernel) does not", () => {
    const validate = schema("model.schema.json");
    const models = readdirSync(join(ROOT, "models")).filter((f) => f.endsWith(".json") && !f.includes(".weights."));
    expect(models.length).toBeGreaterThan(5);
    for (const f of models) expect(validate(JSON.parse(readFileSync(join(ROOT, "models", f), "utf8"))), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    const doc = JSON.parse(readFileSync(join(ROOT, MODEL), "utf8"));
    delete doc.layers[0].datapath;
    expect(validate(doc)).toBe(false);
    doc.layers[0].kernel = "mac";
    expect(validate(doc)).toBe(true);
  });
});
