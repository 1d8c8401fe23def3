/** The report assembled from the real steps validates against the published schema, and `quantrtl report` writes it. */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { buildReport } from "../../src/flows/report.js";
import { ROOT, runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { unsteppableConv } from "../helpers/models.js";

const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, "schemas/report.schema.json"), "utf8")) as object);

describe("buildReport", () => {
  test("every bundled model on a board with and without DRAM gives a schema-valid report", async () => {
    for (const file of ["conv3x3-adder-int8", "conv3x3-mac-int8", "conv3x3-xnor"]) {
      const model = loadModel(join(ROOT, "models", `${file}.json`));
      for (const boardName of ["pynq-z2", "icebreaker"]) {
        const board = loadBoard(boardName);
        const report = await buildReport(model, board, { createdAt: "2026-01-01T00:00:00.000Z" });
        const doc = JSON.parse(JSON.stringify(report));
        expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
        expect(report.model.hash).toBe(model.hash);
        // the iCEBreaker has no DRAM: no array-model roofline there
        expect(report.roofline === undefined).toBe(boardName === "icebreaker");
        expect(Object.keys(report.comparison!.kernels)).toEqual(["mac", "mac-nodsp", "adder", "adder-nodsp", "xnor", "shift"]);
        expect(report.performance.total.latencyCycles).toBe(report.performance.layers[0].latencyCycles);
      }
    }
  });
});

describe("a report whose cycles are bounds", () => {
  test("a design too large to step: the comparison marks its cycles and the report stays schema-valid", async () => {
    const model = unsteppableConv();
    const report = await buildReport(model, loadBoard("pynq-z2"), { createdAt: "2026-01-01T00:00:00.000Z" });
    const doc = JSON.parse(JSON.stringify(report));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(Object.values(report.comparison!.kernels).every((k) => k.cycles_bound === true)).toBe(true);
    // the schema refuses anything but true there
    const wrong = JSON.parse(JSON.stringify(doc));
    wrong.comparison.kernels.mac.cycles_bound = false;
    expect(validate(wrong)).toBe(false);
  });
});

describe("quantrtl report", () => {
  test("writes report.json, report.md and report.html, printing report.html last, with the verification when asked", async () => {
    const out = join(testDir("quantrtl-report-"), "report");
    const r = await runCli(["report", "models/conv3x3-xnor.json", "--board", "kv260", "--verify", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[lines.length - 1]).toBe(`report: ${join(out, "report.html")}`);
    for (const f of ["report.json", "report.md", "report.html"]) expect(existsSync(join(out, f))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(validate(json)).toBe(true);
    expect(json.verification.bitExact).toBe(true);
    expect(json.verification.cycles).toBe(json.verification.predictedCycles);
    expect(readFileSync(join(out, "report.md"), "utf8")).toMatch(/bit-exact: 4096\/4096 words, 1 vectors, \d+ cycles \(verilator\)/);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain('data-chart="comparison"');
  });
});

describe("a report with accuracy", () => {
  test("the accuracy measured (with and without labels) is carried as given, schema-valid, and shown in report.md", async () => {
    const { renderMarkdown } = await import("../../src/report/markdown.js");
    const model = loadModel(join(ROOT, "models", "conv3x3-mac-int8.json"));
    const measured = {
      dataset: "d.npz",
      images: 20,
      integerTop1: 0.95,
      floatTop1: 0.9,
      agreement: 0.85,
      floatRuntime: "onnxruntime",
      integerPredictions: new Int32Array(20),
    };
    const report = await buildReport(model, loadBoard("pynq-z2"), { createdAt: "2026-01-01T00:00:00.000Z", accuracy: measured });
    const doc = JSON.parse(JSON.stringify(report));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.accuracy).toEqual({ dataset: "d.npz", images: 20, floatTop1: 0.9, integerTop1: 0.95, agreement: 0.85, floatRuntime: "onnxruntime" });
    expect(renderMarkdown(report)).toContain("## Accuracy\n\nfloat 90.00% (onnxruntime), integer 95.00%, agreement 85.00% on 20 images of d.npz\n");
    const unlabelled = await buildReport(model, loadBoard("pynq-z2"), {
      accuracy: { dataset: "x.npy", images: 3, agreement: 1, integerPredictions: new Int32Array(3) },
    });
    expect(validate(JSON.parse(JSON.stringify(unlabelled))), JSON.stringify(validate.errors)).toBe(true);
    expect(unlabelled.accuracy).toEqual({ dataset: "x.npy", images: 3, agreement: 1 });
  });
});
